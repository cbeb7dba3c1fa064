/* Counting and timing named kernel functions over a run
 * ([global] profile_functions): the kernel's function profiler
 * (trace_stat/function<CPU>: hits, and with the graph tracer the time
 * spent inside, callees included), narrowed by set_ftrace_filter to the
 * functions named. The profiler is global (tracefs instances do not have
 * one), so both files are journalled like knobs and given back. It needs
 * a kernel with CONFIG_FUNCTION_PROFILER (kernel/tracing.config). */
#ifndef PB_FUNC_PROFILE_H
#define PB_FUNC_PROFILE_H

#include <jansson.h>
#include <stddef.h>

/* Whether this kernel can profile every function of the comma-separated
 * list: 0, or -1 with why. */
int func_profile_probe(const char *list, char *why, size_t len);
/* Narrows the filter to the list and turns the profiler on (journalled;
 * each change said in changes). 0, or -1 with why. */
int func_profile_start(const char *list, json_t *changes, char *why, size_t len);
/* So far, per function of the list: {"NAME": {"hits": N, "time_us": T}},
 * summed over the CPUs (NULL when the profile cannot be read). */
json_t *func_profile_read(const char *list);
/* What one run added: after minus before, per function and field. */
json_t *func_profile_delta(json_t *before, json_t *after);
/* Turns the profiler off; what it counted stays readable until the next
 * start. */
void func_profile_stop(void);

#endif
