/* The system environment a run needs: the changes (journalled, undone at
 * the end and by `pinbench env restore`), the memory safety check, and
 * signal handling. `pinbench env` and `pinbench run` share all of it. */
#ifndef PB_ENV_H
#define PB_ENV_H

#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
#define THP_SHMEM_ENABLED "/sys/kernel/mm/transparent_hugepage/shmem_enabled"
#define MEMORY_SYSFS "/sys/devices/system/memory"

/* Set by SIGINT/SIGTERM/SIGHUP; every loop of a run watches it. */
extern atomic_int env_stop;
extern volatile sig_atomic_t env_stop_signal;
void env_catch_signals(void);
/* Stops the run as SIGTERM would, without a signal (a write error):
 * env_stop is set, env_stop_signal stays 0. */
void env_stop_run(void);

/* Opens the journal, first undoing what a killed run left behind.
 * Prints why and returns -1 when another pinbench holds it. */
int env_begin(void);
/* Undoes every journalled change; returns the number left undone. */
int env_end(void);

/* Makes sure each node in nodes has at least bytes of ZONE_MOVABLE,
 * onlining memory blocks with online_movable. Reports what it got into
 * report (one line per node). Returns 0 when every node got enough,
 * 1 when some got less (still usable), -errno on failure. */
int env_movable(uint64_t bytes, const int *nodes, size_t nnodes, char *report, size_t len);

/* Whether bytes of ZONE_MOVABLE can be asked of each node: the node has
 * memory, and more than bytes of it. 0, or -1 with a sentence in why. */
int env_movable_possible(uint64_t bytes, const int *nodes, size_t nnodes, char *why, size_t len);

/* Bytes the host can give without risk: MemAvailable minus a margin of
 * max(256 MiB, 5 % of MemTotal): a 24 GiB host keeps 1.2 GiB, a 2 GiB
 * guest 256 MiB (the kernel itself reserves tens of MiB). */
uint64_t env_safe_bytes(uint64_t *mem_available, uint64_t *margin);
/* The same for one node (MemFree + file pages of the node, less its share
 * of the margin). */
uint64_t env_node_safe_bytes(int node);

/* Nodes that have memory, ascending. Returns the count. */
size_t env_memory_nodes(int *nodes, size_t max);

#endif
