#include "config.h"
#include "summary.h"
#include "stats.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Statistics of pins (and unpins) of one node, or all (node < 0), or one
 * run (run > 0). */
static json_t *latency_json(const struct describe *d)
{
	if (!d->n)
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "min", d->min, "mean", d->mean,
			 "p50", d->p50, "p90", d->p90, "p99", d->p99, "p999", d->p999, "max", d->max);
}

static json_t *group_stats(const struct sample_list *l, int node, unsigned run, unsigned warmup)
{
	double *pin = xmalloc((l->n + 1) * sizeof(double));
	double *unpin = xmalloc((l->n + 1) * sizeof(double));
	size_t npin = 0, nunpin = 0, ops = 0, failures = 0, unpin_failures = 0;
	size_t failures_migration = 0, failures_unattributed = 0, failures_thp = 0;
	uint64_t bytes = 0, pin_ns = 0, bytes_tried = 0;
	int64_t unpinnable = 0, movable_before = 0;
	int unpinnable_known = 0, movable_known = 0;
	json_t *by_errno = json_object(), *by_message = json_object();
	struct describe dp, du;
	char buf[32];

	for (size_t i = 0; i < l->n; i++) {
		const struct sample *s = &l->v[i];
		if ((node >= 0 && s->node != node) || (run && s->run != run) || s->iteration <= warmup)
			continue;
		ops++;
		bytes_tried += s->bytes;
		if (s->movable_before >= 0) {
			movable_before += s->movable_before;
			movable_known = 1;
		}
		if (s->err) {
			failures++;
			/* A failed migration traced inside the call's window is why
			 * it failed; no migration failure means another cause
			 * (RLIMIT_MEMLOCK, a bad address...). */
			if (s->migrate_failed < 0)
				failures_unattributed++;
			else if (s->migrate_failed > 0)
				failures_migration++;
			failures_thp += s->thp_unsplit > 0;
			const char *name = errno_name(s->err, buf, sizeof(buf));
			json_t *c = json_object_get(by_errno, name);
			json_object_set_new(by_errno, name, json_integer(c ? json_integer_value(c) + 1 : 1));
			if (s->message) {
				json_t *m = json_object_get(by_message, s->message);
				json_object_set_new(by_message, s->message, json_integer(m ? json_integer_value(m) + 1 : 1));
			}
			continue;
		}
		pin[npin++] = (double)s->pin_ns;
		bytes += s->bytes;
		pin_ns += s->pin_ns;
		if (s->unpinnable >= 0) {
			unpinnable += s->unpinnable;
			unpinnable_known = 1;
		}
		if (s->unpinned) {
			if (s->unpin_err)
				unpin_failures++;
			else
				unpin[nunpin++] = (double)s->unpin_ns;
		}
	}
	describe(pin, npin, &dp);
	describe(unpin, nunpin, &du);
	free(pin);
	free(unpin);
	json_t *g = json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:f, s:o}, s:{s:I, s:I, s:o}, s:o, s:o, s:o}",
		"pin", "ops", (json_int_t)ops, "failures", (json_int_t)failures,
		"failures_migration", (json_int_t)failures_migration,
		"failures_other", (json_int_t)(failures - failures_migration - failures_unattributed),
		"failures_unattributed", (json_int_t)failures_unattributed,
		"failures_by_errno", by_errno, "bytes", (json_int_t)bytes,
		"gbps", pin_ns ? (double)bytes / (double)pin_ns : 0.0, "latency_ns", latency_json(&dp),
		"unpin", "ops", (json_int_t)(nunpin + unpin_failures), "failures", (json_int_t)unpin_failures,
		"latency_ns", latency_json(&du),
		"unpinnable_pages", unpinnable_known ? json_integer(unpinnable) : json_null(),
		"movable_pages_before", movable_known ? json_integer(movable_before) : json_null(),
		"movable_fraction_before", movable_known && bytes_tried ?
			json_real((double)movable_before * 4096 / (double)bytes_tried) : json_null());
	/* Of the migration failures, those with a THP behind them that was
	 * neither migrated nor split (a failed split, the second seed's
	 * cause, or a THP busy through every pass: the tracepoint cannot
	 * tell the two apart) and those where only base pages failed (split
	 * THPs' pages, or small folios). */
	json_t *p = json_object_get(g, "pin");
	/* what the client (a VMM) said of its failures, when it said anything */
	if (json_object_size(by_message))
		json_object_set(p, "failure_messages", by_message);
	json_decref(by_message);
	json_object_set_new(p, "failures_thp", json_integer((json_int_t)failures_thp));
	json_object_set_new(p, "failures_base_pages", json_integer((json_int_t)(failures_migration - failures_thp)));
	return g;
}

/* Sum over runs of after - before, keeping counters that changed. */
static json_t *delta_json(const struct summary_input *in, long node_idx, size_t only_run)
{
	json_t *d = json_object();

	for (size_t r = 0; r < in->nruns; r++) {
		if (only_run && r + 1 != only_run)
			continue;
		const struct counters *a = node_idx < 0 ? &in->before[r].system : &in->before[r].nodes[node_idx];
		const struct counters *b = node_idx < 0 ? &in->after[r].system : &in->after[r].nodes[node_idx];
		for (size_t i = 0; i < b->n; i++) {
			int64_t v = counters_delta(a, b, i);
			json_t *old = json_object_get(d, b->names[i]);
			if (old)
				v += json_integer_value(old);
			json_object_set_new(d, b->names[i], json_integer(v));
		}
	}
	/* Drop what did not change. */
	const char *key;
	json_t *val;
	void *tmp;
	json_object_foreach_safe(d, tmp, key, val)
		if (json_integer_value(val) == 0)
			json_object_del(d, key);
	return d;
}

json_t *summary_build(const struct summary_input *in)
{
	json_t *all = group_stats(in->samples, -1, 0, in->warmup);
	json_t *nodes = json_object(), *runs = json_array();
	char id[16];

	for (size_t i = 0; i < in->nnodes; i++) {
		json_t *n = group_stats(in->samples, in->nodes[i], 0, in->warmup);
		json_object_set_new(n, "placement", isnan(in->placement_mean[i]) ? json_null() :
			json_pack("{s:f, s:f}", "mean", in->placement_mean[i], "min", in->placement_min[i]));
		json_object_set_new(n, "vmstat_delta", delta_json(in, (long)i, 0));
		snprintf(id, sizeof(id), "%d", in->nodes[i]);
		json_object_set_new(nodes, id, n);
	}
	for (size_t r = 1; r <= in->nruns; r++) {
		json_t *g = group_stats(in->samples, -1, (unsigned)r, in->warmup);
		json_object_set_new(g, "run", json_integer((json_int_t)r));
		json_object_set_new(g, "vmstat_delta", delta_json(in, -1, r));
		json_array_append_new(runs, g);
	}
	json_object_set_new(all, "schema_version", json_integer(PB_SCHEMA_VERSION));
	json_object_set_new(all, "complete", json_boolean(in->complete));
	json_object_set_new(all, "interrupted_by", in->interrupted_by ? json_string(in->interrupted_by) : json_null());
	json_object_set_new(all, "pinnable_checked", json_boolean(in->pinnable_checked));
	json_object_set_new(all, "warmup", json_integer(in->warmup));
	json_object_set_new(all, "nodes", nodes);
	json_object_set_new(all, "runs", runs);
	json_object_set_new(all, "vmstat_delta", delta_json(in, -1, 0));
	/* Without CONFIG_VM_EVENT_COUNTERS /proc/vmstat has no pgmigrate_*
	 * at all: a missing delta then says nothing about migration. */
	bool event_counters = in->nruns && counters_find(&in->after[0].system, "pgmigrate_success", 0) >= 0;
	json_object_set_new(all, "event_counters", json_boolean(event_counters));
	return all;
}

/* ---- the table ---- */

static void fmt_ns(double ns, char *buf, size_t len)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

static double lat(const json_t *group, const char *q)
{
	json_t *l = json_object_get(json_object_get(group, "pin"), "latency_ns");
	json_t *v = json_object_get(l, q);
	return v ? json_number_value(v) : NAN;
}

static void fmt_failures(const json_t *group, char *buf, size_t len)
{
	json_t *by = json_object_get(json_object_get(group, "pin"), "failures_by_errno");
	const char *key;
	json_t *val;
	size_t o = 0;

	buf[0] = '\0';
	json_object_foreach(by, key, val)
		o += (size_t)snprintf(buf + o, len > o ? len - o : 0, "%s%s x%" JSON_INTEGER_FORMAT,
				      o ? " " : "", key, json_integer_value(val));
	if (!o)
		snprintf(buf, len, "-");
}

static void print_row(FILE *f, const char *label, const json_t *g)
{
	json_t *pin = json_object_get(g, "pin"), *pl = json_object_get(g, "placement");
	json_t *unp = json_object_get(g, "unpinnable_pages"), *mov = json_object_get(g, "movable_fraction_before");
	char p50[16], p99[16], max[16], fails[128], place[16], unpinnable[24], movable[16] = "-";

	fmt_ns(lat(g, "p50"), p50, sizeof(p50));
	fmt_ns(lat(g, "p99"), p99, sizeof(p99));
	fmt_ns(lat(g, "max"), max, sizeof(max));
	fmt_failures(g, fails, sizeof(fails));
	if (json_is_object(pl))
		snprintf(place, sizeof(place), "%.1f%%", 100 * json_number_value(json_object_get(pl, "mean")));
	else
		snprintf(place, sizeof(place), "-");
	if (json_is_integer(unp))
		snprintf(unpinnable, sizeof(unpinnable), "%" JSON_INTEGER_FORMAT, json_integer_value(unp));
	else
		snprintf(unpinnable, sizeof(unpinnable), "-");
	if (json_is_number(mov))
		snprintf(movable, sizeof(movable), "%.1f%%", 100 * json_number_value(mov));
	fprintf(f, "%5s %7" JSON_INTEGER_FORMAT " %6" JSON_INTEGER_FORMAT "  %-18s %10s %10s %10s %7.2f %8s %10s %11s\n",
		label, json_integer_value(json_object_get(pin, "ops")),
		json_integer_value(json_object_get(pin, "failures")), fails, p50, p99, max,
		json_number_value(json_object_get(pin, "gbps")), place, movable, unpinnable);
}

static void print_deltas(FILE *f, const char *title, const json_t *d, int migration_only)
{
	const char *key;
	json_t *val;
	int any = 0;

	json_object_foreach((json_t *)d, key, val) {
		if (migration_only && !counter_is_migration_related(key))
			continue;
		if (!any++)
			fprintf(f, "\n%s\n", title);
		fprintf(f, "  %-32s %+" JSON_INTEGER_FORMAT "\n", key, json_integer_value(val));
	}
}

static json_int_t pin_int(const json_t *s, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(s, "pin"), key));
}

static void print_failure_classes(FILE *f, const json_t *s)
{
	char split[160] = "";

	if (!pin_int(s, "failures"))
		return;
	/* summary.json files written before the causes were told apart lack them */
	if (json_object_get(json_object_get(s, "pin"), "failures_thp"))
		snprintf(split, sizeof(split), ": %" JSON_INTEGER_FORMAT " with a THP neither migrated nor split, %" JSON_INTEGER_FORMAT
			 " base pages only", pin_int(s, "failures_thp"), pin_int(s, "failures_base_pages"));
	fprintf(f, "\nfailed pins: %" JSON_INTEGER_FORMAT " where a migration failed (traced%s), %"
		JSON_INTEGER_FORMAT " other (e.g. RLIMIT_MEMLOCK), %" JSON_INTEGER_FORMAT " unattributed (no tracing)\n",
		pin_int(s, "failures_migration"), split, pin_int(s, "failures_other"), pin_int(s, "failures_unattributed"));
}

/* What [global] profile_functions counted, over all runs. */
static void print_functions(FILE *f, const json_t *s)
{
	json_t *fns = json_object_get(s, "functions"), *fn;
	const char *name;

	if (!json_object_size(fns))
		return;
	fprintf(f, "\nfunction profile  %-28s %10s %14s %12s\n", "function", "calls", "per pin call", "time");
	json_object_foreach(fns, name, fn) {
		double per = json_number_value(json_object_get(fn, "per_pin_call"));
		fprintf(f, "                  %-28s %10" JSON_INTEGER_FORMAT " %14.2f %9.1f ms\n", name,
			json_integer_value(json_object_get(fn, "hits")), per,
			json_number_value(json_object_get(fn, "time_us")) / 1000);
	}
}

static void print_trace(FILE *f, const json_t *s)
{
	json_t *t = json_object_get(s, "trace"), *v;
	const char *reason;

	if (!json_is_object(t)) {
		const char *why = json_string_value(json_object_get(s, "trace_unavailable"));
		if (why)
			fprintf(f, "\nno tracepoint attribution: %s\n", why);
		return;
	}
	if (json_object_size(t))
		fprintf(f, "\nmigrate:mm_migrate_pages  %-22s %8s %10s %8s %8s %8s %8s\n", "reason", "calls",
			"succeeded", "failed", "thp_ok", "thp_fail", "thp_split");
	json_object_foreach(t, reason, v)
		fprintf(f, "%25s  %-22s %8" JSON_INTEGER_FORMAT " %10" JSON_INTEGER_FORMAT " %8" JSON_INTEGER_FORMAT
			" %8" JSON_INTEGER_FORMAT " %8" JSON_INTEGER_FORMAT " %8" JSON_INTEGER_FORMAT "\n", "", reason,
			json_integer_value(json_object_get(v, "calls")), json_integer_value(json_object_get(v, "succeeded")),
			json_integer_value(json_object_get(v, "failed")), json_integer_value(json_object_get(v, "thp_succeeded")),
			json_integer_value(json_object_get(v, "thp_failed")), json_integer_value(json_object_get(v, "thp_split")));
}

static void print_stressors(FILE *f, const json_t *s)
{
	json_t *st = json_object_get(s, "stressors"), *v;
	const char *name;

	if (json_object_size(st))
		fprintf(f, "\nstressors\n");
	json_object_foreach(st, name, v) {
		/* Lists (e.g. timestamps) can be long: they stay in summary.json. */
		json_t *copy = json_deep_copy(v), *field;
		const char *key;
		void *tmp;
		json_object_foreach_safe(copy, tmp, key, field)
			if (json_is_array(field))
				json_object_del(copy, key);
		char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
		fprintf(f, "  %-12s %s\n", name, text ? text : "null");
		free(text);
		json_decref(copy);
	}
}

/* Loud: such a run measured two setups, and analysis refuses it. */
static void print_env_changed(FILE *f, const json_t *changed)
{
	size_t i;
	json_t *c;

	if (!json_array_size(changed))
		return;
	fprintf(f, "\n!!! THE ENVIRONMENT CHANGED UNDER THIS RUN: its numbers do not describe one setup, and "
		   "compare and gate refuse it !!!\n");
	json_array_foreach(changed, i, c)
		fprintf(f, "  %s\n", json_string_value(c));
}

void summary_print(FILE *f, const json_t *s)
{
	json_t *nodes = json_object_get(s, "nodes"), *val;
	const char *key;
	char title[64];

	fprintf(f, "\n%5s %7s %6s  %-18s %10s %10s %10s %7s %8s %10s %11s\n", "node", "pins", "failed",
		"failures", "p50 pin", "p99 pin", "max pin", "GB/s", "on node", "in movable", "unpinnable");
	json_object_foreach(nodes, key, val)
		print_row(f, key, val);
	if (json_object_size(nodes) > 1)
		print_row(f, "all", s);
	json_int_t warmup = json_integer_value(json_object_get(s, "warmup"));
	if (warmup)
		fprintf(f, "(the first %" JSON_INTEGER_FORMAT " iteration(s) of each run are a warm-up: in samples.csv, "
			"not in these numbers; kernel counters cover whole runs)\n", warmup);
	print_deltas(f, "kernel counters that changed (delta, /proc/vmstat):",
		     json_object_get(s, "vmstat_delta"), 1);
	json_object_foreach(nodes, key, val) {
		snprintf(title, sizeof(title), "node %s counters that changed (delta):", key);
		print_deltas(f, title, json_object_get(val, "vmstat_delta"), 1);
	}
	json_int_t pinned = json_integer_value(json_object_get(json_object_get(s, "pin"), "ops")) -
			    json_integer_value(json_object_get(json_object_get(s, "pin"), "failures"));
	if (json_is_false(json_object_get(s, "event_counters")))
		fprintf(f, "\nthis kernel has no vmstat event counters (CONFIG_VM_EVENT_COUNTERS is off): "
			"pgmigrate_*, thp_* and compact_* cannot be read; the tracepoint below still counts "
			"migrations\n");
	else if (pinned > 0 && !json_object_get(json_object_get(s, "vmstat_delta"), "pgmigrate_success"))
		fprintf(f, "\nno page was migrated: the pinned memory was already pinnable "
			"(set movable = in [global] to make pins migrate)\n");
	print_failure_classes(f, s);
	print_trace(f, s);
	print_functions(f, s);
	print_stressors(f, s);
	json_t *unp = json_object_get(s, "unpinnable_pages");
	if (json_is_integer(unp) && json_integer_value(unp) > 0)
		fprintf(f, "\n!!! %" JSON_INTEGER_FORMAT " pinned pages were found in ZONE_MOVABLE or CMA: "
			"the kernel long-term pinned memory that must stay movable. This is a kernel bug. !!!\n",
			json_integer_value(unp));
	const char *why = json_string_value(json_object_get(s, "interrupted_by"));
	if (why && !strcmp(why, "hang"))
		fprintf(f, "\nINCOMPLETE: a pin call did not return within pin_timeout (hang.txt has its kernel "
			"stack); the results cover what finished.\n");
	else if (!json_is_true(json_object_get(s, "complete")))
		fprintf(f, "\nINCOMPLETE: %s %s; the results cover what finished.\n",
			strcmp(why ? why : "error", "error") ? "interrupted by" : "stopped on an",
			why ? why : "error");
	print_env_changed(f, json_object_get(s, "environment_changed"));
}
