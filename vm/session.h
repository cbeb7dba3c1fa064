/* A `pinbench vm` session: checks what can be found wrong before the
 * first boot, boots every kernel with every scenario the boots asked
 * (interleaved), files each boot's run directory by scenario and kernel,
 * writes vm.json and hands the complete boots to the comparison.
 * cli/cmd_vm.c fills struct vm_args from the command line (and a matrix
 * file) and supplies the comparison: vm/ runs no statistics. */
#ifndef PB_VM_SESSION_H
#define PB_VM_SESSION_H

#include "boot.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum { MAX_KERNELS = 16, MAX_SCENARIOS = 32 };

struct kernel_under_test {
	const char *path;
	char release[128];
	char name[140];          /* its directories' name: RELEASE, or RELEASE-2 for a second of that release */
};

/* One kernel's boots of one scenario. */
struct vm_cell {
	char dir[4500];          /* SCENARIO_DIR/NAME: its complete boots */
	unsigned ok, failed;
	char failures[200];      /* how the failed boots ended: "panic, hung" ("" when none failed) */
	json_t *boots;
};

struct scenario;

struct scenario_under_test {
	const char *path;
	char name[128];          /* the file's name without .ini (NAME-2 for a second of that name) */
	char dir[4300];          /* where its kernels' directories go: DIR, or DIR/NAME with several scenarios */
	struct vm_config cfg;    /* the session's, with vfio when this scenario pins through VFIO */
	struct scenario *sc;
	char initrd[4300];
	struct vm_cell cell[MAX_KERNELS];
};

struct vm_args;

/* Compares the kernels of every scenario from the complete boots and
 * writes the reports into dir (the session's output): 0, or -1 after
 * printing why. */
typedef int (*vm_compare_fn)(const struct vm_args *a, const char *dir);

struct vm_args {
	struct vm_config cfg;
	struct kernel_under_test k[MAX_KERNELS];
	size_t nk;
	struct scenario_under_test s[MAX_SCENARIOS];
	size_t ns;
	unsigned boots;
	const char *accel, *output;
	bool retry_on_tcg;       /* a boot that panics, oopses or hangs under KVM is run again under TCG */
	vm_compare_fn compare;   /* NULL: no comparison */
	char accelerator[600];   /* the session's: which, and why (for the reports) */
};

/* Runs the session a describes; an exit status of exitcode.h. */
int vm_session_run(struct vm_args *a);

/* The scenarios' directory names: their file names without .ini, a
 * second of the same name NAME-2, and a name the output directory uses
 * itself (failed, or one beginning with a dot) prefixed with
 * "scenario-". Fills a->s[i].name from each path. */
void vm_name_scenarios(struct vm_args *a);

#endif
