/* Subprocesses: posix_spawn with an argv, never a shell. */
#ifndef PB_SUBPROCESS_H
#define PB_SUBPROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <wordexp.h>

/* Runs argv[0] (searched in PATH) and captures its standard output.
 * Returns the exit status (0..255), or -errno when it could not run. */
int spawn_capture(char *const argv[], char **out, size_t *len);
/* The same, run in directory dir (NULL: ours), standard error captured
 * too when with_stderr. */
int spawn_capture_in(const char *dir, bool with_stderr, char *const argv[], char **out, size_t *len);

/* Starts argv[0] (searched in PATH) in the background with standard
 * output and error going to log (NULL: /dev/null) and standard input from
 * /dev/null. Returns 0 with *pid set, or -errno. */
int spawn_background(char *const argv[], const char *log, pid_t *pid);
/* The same in a process group of its own, for a child pinbench ends
 * itself (a VMM quit over QMP): the terminal's Ctrl-C is not its, so an
 * interrupted run does not record the child's death as a failure. */
int spawn_own_group(char *const argv[], const char *log, pid_t *pid);
/* Sends sig (0: none), waits up to timeout_ms (a multiple of 10), then
 * SIGKILL. Returns the exit status (0..255, or 128 + signal), or -errno
 * when pid cannot be waited for. */
int stop_process(pid_t pid, int sig, unsigned timeout_ms);
/* Splits args into at most SPLIT_WORDS_MAX words as a shell would split
 * them, quotes included, but with nothing a shell would run or expand:
 * wordexp(3) without command substitution, and no variables, globs or ~
 * (refused before it sees them). 0 (wordfree() it), or -1 with a reason
 * in err. The argv of a program a scenario's `args` key extends. */
#define SPLIT_WORDS_MAX 64
int split_words(const char *args, wordexp_t *w, char *err, size_t len);
/* The same as an option's syntax check: 0, or -1 with why. */
int check_words(const char *args, char *err, size_t len);

/* Whether a program is found in PATH. */
int program_in_path(const char *name);
/* The same, leaving its path in buf. */
int find_in_path(const char *name, char *buf, size_t len);

#endif
