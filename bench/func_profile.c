#include "config.h"
#include "func_profile.h"
#include "files.h"
#include "journal.h"
#include "kconfig.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILTER TRACE_DIR "/set_ftrace_filter"
#define ENABLED TRACE_DIR "/function_profile_enabled"
/* What set_ftrace_filter reads when nothing narrows it. */
#define FILTER_EMPTY "#### all functions enabled ####"

/* Calls f on each name of the comma- or space-separated list; stops at
 * the first non-zero return and returns it. */
static int each_name(const char *list, int (*f)(const char *name, void *ctx), void *ctx)
{
	char copy[1024];
	int ret = 0;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *save, *n = strtok_r(copy, ", ", &save); n && !ret; n = strtok_r(NULL, ", ", &save))
		ret = f(n, ctx);
	return ret;
}

struct probe_ctx {
	const char *available; /* available_filter_functions */
	char *why;
	size_t len;
};

/* Whether name is a whole line (maybe followed by " [module]") of text. */
static bool listed(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; (p = strstr(p, name)); p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Up to a few lines of text holding name, ", "-separated, into buf. */
static void similar(const char *text, const char *name, char *buf, size_t len)
{
	size_t o = 0, found = 0;

	buf[0] = '\0';
	for (const char *p = text; found < 6 && (p = strstr(p, name)); found++) {
		const char *start = p, *end = strchrnul(p, '\n');
		while (start > text && start[-1] != '\n')
			start--;
		appendf(buf, len, &o, "%s%.*s", found ? ", " : "", (int)(end - start), start);
		p = end;
	}
}

static int probe_name(const char *name, void *ctx)
{
	struct probe_ctx *c = ctx;
	char near[512];

	if (listed(c->available, name))
		return 0;
	similar(c->available, name, near, sizeof(near));
	snprintf(c->why, c->len, "'%s' is not a function this kernel can trace (not in "
		 "available_filter_functions: inlined, notrace or misspelt%s%s)", name, near[0] ? "; it has " : "",
		 near);
	return -1;
}

/* With tracefs mounted: the profiler and every function of the list. */
static int check_profiler(const char *list, char *why, size_t len)
{
	if (access(ENABLED, F_OK)) {
		snprintf(why, len, "this kernel has no function profiler (%s: CONFIG_FUNCTION_PROFILER; "
			 "pinbench kernel build --config kernel/tracing.config)", ENABLED);
		return -1;
	}
	struct probe_ctx c = { read_file(TRACE_DIR "/available_filter_functions", NULL), why, len };
	if (!c.available) {
		snprintf(why, len, "cannot read %s/available_filter_functions: %s", TRACE_DIR, strerror(errno));
		return -1;
	}
	int ret = each_name(list, probe_name, &c);
	free((char *)c.available);
	return ret;
}

int func_profile_probe(const char *list, char *why, size_t len)
{
	if (geteuid() != 0) {
		snprintf(why, len, "profile_functions needs root (the kernel's function profiler)");
		return -1;
	}
	if (!access(TRACE_DIR "/README", F_OK))
		return check_profiler(list, why, len);
	/* tracefs unmounted (a probe changes nothing): the configuration
	 * tells, where it can be read; the start checks the rest */
	if (kconfig_has("CONFIG_FUNCTION_PROFILER") == 0) {
		snprintf(why, len, "this kernel has no function profiler (built without CONFIG_FUNCTION_PROFILER; "
			 "pinbench kernel build --config kernel/tracing.config)");
		return -1;
	}
	return 0;
}

static int add_to_filter(const char *name, void *ctx)
{
	FILE *f = ctx;

	return fprintf(f, "%s\n", name) < 0 ? -1 : 0;
}

int func_profile_start(const char *list, json_t *changes, char *why, size_t len)
{
	if (trace_mount(why, len) || check_profiler(list, why, len))
		return -1;
	char *cur = read_line_file(FILTER);
	int ret = 0;

	if (!cur) {
		snprintf(why, len, "cannot read %s: %s", FILTER, strerror(errno));
		return -1;
	}
	/* Another tracer's filter is not ours to replace, even journalled. */
	if (strcmp(cur, FILTER_EMPTY)) {
		snprintf(why, len, "%s already holds '%s': something else is tracing functions", FILTER, cur);
		free(cur);
		return -1;
	}
	free(cur);
	FILE *f = journal_knob(FILTER, "") ? NULL : fopen(FILTER, "w");
	if (!f || each_name(list, add_to_filter, f) || fclose(f)) {
		snprintf(why, len, "cannot set %s to %s: %s", FILTER, list, strerror(errno));
		return -1;
	}
	json_array_append_new(changes, json_sprintf("%s = %s", FILTER, list));
	/* 0 first: turning it on resets what it counted */
	if ((ret = knob_set(ENABLED, "0")) || (ret = knob_set(ENABLED, "1"))) {
		snprintf(why, len, "cannot turn on %s: %s", ENABLED, strerror(-ret));
		return -1;
	}
	json_array_append_new(changes, json_sprintf("%s = 1", ENABLED));
	return 0;
}

/* Adds one CPU's trace_stat/functionN rows of the list's functions:
 * "  NAME   HITS   TIME us   AVG us   S^2 us" (no time without the graph
 * tracer). */
static void add_cpu(json_t *out, const char *stat)
{
	for (const char *p = stat; p && *p;) {
		char name[256];
		unsigned long long hits;
		double time_us = 0;
		int n = sscanf(p, " %255s %llu %lf", name, &hits, &time_us);
		json_t *fn = n >= 2 ? json_object_get(out, name) : NULL;
		if (fn) {
			json_object_set_new(fn, "hits", json_integer(json_integer_value(json_object_get(fn, "hits")) +
								     (json_int_t)hits));
			json_object_set_new(fn, "time_us",
					    json_real(json_number_value(json_object_get(fn, "time_us")) + time_us));
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

static int zero_entry(const char *name, void *ctx)
{
	json_object_set_new(ctx, name, json_pack("{s:i, s:f}", "hits", 0, "time_us", 0.0));
	return 0;
}

json_t *func_profile_read(const char *list)
{
	json_t *out = json_object();
	char path[256];
	long cpus = sysconf(_SC_NPROCESSORS_CONF);

	each_name(list, zero_entry, out);
	for (long cpu = 0; cpu < cpus; cpu++) {
		snprintf(path, sizeof(path), "%s/trace_stat/function%ld", TRACE_DIR, cpu);
		char *stat = read_file(path, NULL);
		if (!stat && errno != ENOENT) { /* a CPU that never ran one has no file */
			json_decref(out);
			return NULL;
		}
		add_cpu(out, stat);
		free(stat);
	}
	return out;
}

json_t *func_profile_delta(json_t *before, json_t *after)
{
	json_t *out = json_object(), *a;
	const char *name;

	json_object_foreach(after, name, a) {
		json_t *b = json_object_get(before, name);
		json_object_set_new(
			out, name,
			json_pack("{s:I, s:f}", "hits",
				  json_integer_value(json_object_get(a, "hits")) -
					  json_integer_value(json_object_get(b, "hits")),
				  "time_us",
				  json_number_value(json_object_get(a, "time_us")) -
					  json_number_value(json_object_get(b, "time_us"))));
	}
	return out;
}

void func_profile_stop(void)
{
	write_knob(ENABLED, "0");
}
