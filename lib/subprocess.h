/* Subprocesses: posix_spawn with an argv, never a shell. */
#ifndef PB_SUBPROCESS_H
#define PB_SUBPROCESS_H

#include <stddef.h>

/* Runs argv[0] (searched in PATH) and captures its standard output.
 * Returns the exit status (0..255), or -errno when it could not run. */
int spawn_capture(char *const argv[], char **out, size_t *len);

#endif
