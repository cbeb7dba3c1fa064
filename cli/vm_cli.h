/* `pinbench vm` in the command layer: its options (from the command
 * line and from a matrix file alike), the matrix file, and the
 * comparison of the kernels the session hands back (cli/vm_report.c:
 * analysis' models and views, which vm/ may not include). */
#ifndef PB_VM_CLI_H
#define PB_VM_CLI_H

#include "cli_options.h"
#include "session.h"

#include <stddef.h>

/* getopt values of vm's options without a short form. */
enum {
	VM_OPT_MOVABLECORE = CLI_LONG, VM_OPT_CMA, VM_OPT_APPEND, VM_OPT_VFIO, VM_OPT_ACCEL,
	VM_OPT_RETRY_ON_TCG, VM_OPT_MATRIX,
	VM_OPT_SCENARIO, /* not an option: a SCENARIO operand, or a matrix file's scenarios */
};

/* Applies one option (its getopt value c) to a. 0, or EXIT_BAD_INPUT
 * with "'VALUE': reason" in why. */
int vm_apply_option(struct vm_args *a, int c, const char *arg, char *why, size_t len);

/* The strings a matrix file gave (paths resolved against its
 * directory): owned here, pointed to by vm_args. */
struct vm_file_paths {
	char **p;
	size_t n;
};

/* Reads a matrix file into a: [matrix] kernels and scenarios (lists
 * separated by blanks or continued on indented lines; relative paths are
 * the file's directory's), [vm] keys named as vm's long options. 0, or
 * EXIT_BAD_INPUT with "FILE:LINE: [section] key 'k': reason" in err. */
int vm_file_read(const char *path, struct vm_args *a, struct vm_file_paths *owned, char *err, size_t errlen);
void vm_file_paths_free(struct vm_file_paths *owned);

/* The session's comparison (vm_compare_fn): per scenario, compare.txt
 * and compare.json of the kernels with complete boots (the first as the
 * base, as `pinbench compare` writes them); with several scenarios,
 * DIR/matrix.txt, .json, .md and .html. */
int vm_report(const struct vm_args *a, const char *dir);

#endif
