/* A `pinbench vm` session: checks what can be found wrong before the
 * first boot, boots every kernel the boots asked (interleaved), files each
 * boot's run directory by kernel, writes vm.json and compares the kernels.
 * cli/cmd_vm.c fills struct vm_args from the command line. */
#ifndef PB_VM_SESSION_H
#define PB_VM_SESSION_H

#include "boot.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum { MAX_KERNELS = 16 };

struct kernel_under_test {
	const char *path;
	char release[128];
	char dir[4300];          /* DIR/NAME: its successful boots */
	unsigned ok;
	json_t *boots;
};

struct vm_args {
	struct vm_config cfg;
	struct kernel_under_test k[MAX_KERNELS];
	size_t nk;
	unsigned boots;
	const char *accel, *output, *scenario;
	bool retry_on_tcg;       /* a boot that panics, oopses or hangs under KVM is run again under TCG */
};

/* Runs the session a describes; an exit status of exitcode.h. */
int vm_session_run(struct vm_args *a);

#endif
