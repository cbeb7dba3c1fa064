/* Attribution through the migrate:mm_migrate_pages tracepoint, read with
 * libtracefs from a tracefs instance of the run's own (never the global
 * buffer). The event fires in the migrating task's context, so events of
 * a pin worker's thread inside a pin call's time window are that call's
 * migrations. */
#ifndef PB_TRACE_H
#define PB_TRACE_H

#include <stdatomic.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "runner.h"

#define TRACE_MAX_REASONS 32
#define TRACE_DIR "/sys/kernel/tracing"

struct migrate_event {
	uint64_t ts;     /* CLOCK_MONOTONIC (the instance's clock is "mono") */
	int pid;         /* thread id */
	int reason;
	bool start;      /* mm_migrate_pages_start (a call) or mm_migrate_pages (its result) */
	uint64_t succeeded, failed, thp_succeeded, thp_failed, thp_split;
};

struct trace_monitor {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	int end_id, start_id;     /* event ids */
	char *reasons[TRACE_MAX_REASONS]; /* from the event's format file */
	pthread_t thread;
	atomic_int stop;
	pthread_mutex_t lock;
	struct migrate_event *v;
	size_t n, cap;
	uint64_t lost;            /* events the buffer dropped */
	bool active;
};

/* tracefs may not be mounted on a minimal system: mounts it at TRACE_DIR,
 * journalled. 0, or -errno with why. */
int trace_mount(char *why, size_t len);
/* Starts tracing; on failure says why (tracing is then simply off). */
int trace_start(struct trace_monitor *tm, char *why, size_t len);
/* Reads what is left, removes the instance. */
void trace_stop(struct trace_monitor *tm);
/* Fills each sample's migrate_* from the events of its thread and window. */
void trace_attribute(const struct trace_monitor *tm, struct sample_list *samples, uint64_t t0);
/* trace.<reason>.{calls,succeeded,failed,thp_succeeded,thp_failed,thp_split} */
json_t *trace_by_reason(const struct trace_monitor *tm);
/* The same per thread: {"<tid>": {"<reason>": {...}}} */
json_t *trace_by_pid(const struct trace_monitor *tm);
void trace_free(struct trace_monitor *tm);

/* Parses the reason names of a format file's __print_symbolic(REC->reason,
 * ...). Returns how many were found. */
int trace_parse_reasons(const char *format, char **names, int max);

#endif
