/* Clocks: monotonic time for measuring, real time for timestamps, and an
 * interruptible sleep. */
#ifndef PB_CLOCK_H
#define PB_CLOCK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

uint64_t now_ns(void);      /* CLOCK_MONOTONIC */
uint64_t realtime_ns(void); /* CLOCK_REALTIME, for timestamps in results */
void format_iso8601(uint64_t realtime, char *buf, size_t len);
/* Sleeps up to ns, waking early when *stop becomes true. */
void sleep_ns_unless(uint64_t ns, atomic_int *stop);

#endif
