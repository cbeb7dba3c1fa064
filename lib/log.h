/* Messages to stderr, prefixed with the program name. */
#ifndef PB_LOG_H
#define PB_LOG_H

#include <stdbool.h>

extern int pb_verbose;

void pb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pb_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when stderr is a terminal: progress lines and colour go there. */
bool pb_stderr_is_tty(void);

#endif
