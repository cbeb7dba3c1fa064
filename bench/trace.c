#include "config.h"
#include "journal.h"
#include "log.h"
#include "trace.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <tracefs.h>
#include <unistd.h>


int trace_parse_reasons(const char *format, char **names, int max)
{
	const char *p = strstr(format, "__print_symbolic(REC->reason,");
	int found = 0;

	if (!p)
		return 0;
	p += strlen("__print_symbolic(REC->reason,");
	for (;;) {
		int num, used = 0;
		char name[64];
		while (*p == ' ' || *p == ',')
			p++;
		if (sscanf(p, "{%d, \"%63[^\"]\"}%n", &num, name, &used) != 2 || !used)
			break;
		if (num >= 0 && num < max) {
			free(names[num]);
			names[num] = xstrdup(name);
			found++;
		}
		p += used;
	}
	return found;
}

int trace_mount(char *why, size_t len)
{
	struct stat st;

	if (stat(TRACE_DIR "/instances", &st) == 0)
		return 0;
	if (journal_umount(TRACE_DIR) || mount("nodev", TRACE_DIR, "tracefs", 0, NULL)) {
		snprintf(why, len, "tracefs is not mounted at %s and mounting it failed: %s", TRACE_DIR, strerror(errno));
		return -errno;
	}
	return 0;
}

static int read_event(struct tep_event *event, struct tep_record *record, int cpu, void *ctx)
{
	struct trace_monitor *tm = ctx;
	struct migrate_event e = { .ts = record->ts, .pid = tep_data_pid(tm->tep, record) };
	unsigned long long v;

	(void)cpu;
	if (event->id != tm->end_id && event->id != tm->start_id)
		return 0;
	e.start = event->id == tm->start_id;
	if (tep_get_field_val(NULL, event, "reason", record, &v, 0) == 0)
		e.reason = (int)v;
#define FIELD(name) if (tep_get_field_val(NULL, event, #name, record, &v, 0) == 0) e.name = v
	if (!e.start) {
		FIELD(succeeded);
		FIELD(failed);
		FIELD(thp_succeeded);
		FIELD(thp_failed);
		FIELD(thp_split);
	}
#undef FIELD
	pthread_mutex_lock(&tm->lock);
	if (tm->n == tm->cap) {
		tm->cap = tm->cap ? tm->cap * 2 : 1024;
		tm->v = xrealloc(tm->v, tm->cap * sizeof(*tm->v));
	}
	tm->v[tm->n++] = e;
	pthread_mutex_unlock(&tm->lock);
	return 0;
}

static void drain(struct trace_monitor *tm)
{
	tracefs_iterate_raw_events(tm->tep, tm->inst, NULL, 0, read_event, tm);
}

static void *reader_main(void *arg)
{
	struct trace_monitor *tm = arg;

	while (!tm->stop) {
		drain(tm);
		sleep_ns_unless(200000000ULL, &tm->stop);
	}
	return NULL;
}

int trace_start(struct trace_monitor *tm, char *why, size_t len)
{
	char name[64], path[256];
	const char *systems[] = { "migrate", NULL };
	int ret;

	memset(tm, 0, sizeof(*tm));
	pthread_mutex_init(&tm->lock, NULL);
	if ((ret = trace_mount(why, len)))
		return ret;
	snprintf(name, sizeof(name), "pinbench-%d", (int)getpid());
	snprintf(path, sizeof(path), TRACE_DIR "/instances/%s", name);
	if ((ret = journal_rmdir(path))) {
		snprintf(why, len, "cannot journal the tracefs instance: %s", strerror(-ret));
		return ret;
	}
	tm->inst = tracefs_instance_create(name);
	if (!tm->inst) {
		snprintf(why, len, "cannot create tracefs instance %s: %s", path, strerror(errno));
		return -errno;
	}
	char *format = tracefs_event_file_read(tm->inst, "migrate", "mm_migrate_pages", "format", NULL);
	if (!format || !trace_parse_reasons(format, tm->reasons, TRACE_MAX_REASONS)) {
		snprintf(why, len, "no migrate:mm_migrate_pages event with reasons (kernel without CONFIG_MIGRATION?)");
		free(format);
		trace_stop(tm);
		return -ENOENT;
	}
	free(format);
	tm->tep = tracefs_local_events_system(NULL, systems);
	struct tep_event *end = tm->tep ? tep_find_event_by_name(tm->tep, "migrate", "mm_migrate_pages") : NULL;
	struct tep_event *start = tm->tep ? tep_find_event_by_name(tm->tep, "migrate", "mm_migrate_pages_start") : NULL;
	tm->end_id = end ? end->id : -1;
	tm->start_id = start ? start->id : -1;
	/* Timestamps comparable with our CLOCK_MONOTONIC; room for bursts. */
	if (!end || tracefs_instance_file_write(tm->inst, "trace_clock", "mono") < 0 ||
	    tracefs_instance_set_buffer_size(tm->inst, 4096, -1) < 0 ||
	    tracefs_event_enable(tm->inst, "migrate", "mm_migrate_pages") ||
	    (start && tracefs_event_enable(tm->inst, "migrate", "mm_migrate_pages_start"))) {
		snprintf(why, len, "cannot set up tracing in %s: %s", path, strerror(errno));
		trace_stop(tm);
		return -EIO;
	}
	tm->active = true;
	if (pthread_create(&tm->thread, NULL, reader_main, tm)) {
		tm->active = false;
		trace_stop(tm);
		snprintf(why, len, "cannot start the trace reader");
		return -EAGAIN;
	}
	return 0;
}

/* Events the ring buffer dropped, from every CPU's stats file. */
static uint64_t overruns(struct trace_monitor *tm)
{
	uint64_t lost = 0;
	char file[64];

	for (long cpu = 0; cpu < sysconf(_SC_NPROCESSORS_CONF); cpu++) {
		snprintf(file, sizeof(file), "per_cpu/cpu%ld/stats", cpu);
		char *stats = tracefs_instance_file_read(tm->inst, file, NULL);
		const char *p = stats ? strstr(stats, "overrun:") : NULL;
		if (p)
			lost += strtoull(p + 8, NULL, 10);
		free(stats);
	}
	return lost;
}

void trace_stop(struct trace_monitor *tm)
{
	if (tm->active) {
		tm->stop = 1;
		pthread_join(tm->thread, NULL);
		tracefs_event_disable(tm->inst, NULL, NULL);
		drain(tm);
		tm->lost = overruns(tm);
	}
	if (tm->inst) {
		char *dir = tracefs_instance_get_dir(tm->inst);
		tracefs_instance_destroy(tm->inst);
		tracefs_instance_free(tm->inst);
		tm->inst = NULL;
		if (dir)
			journal_forget("rmdir", dir);
		free(dir);
	}
	if (tm->tep)
		tep_free(tm->tep);
	tm->tep = NULL;
}

/* Result events ordered by thread, then time: a call's events are then
 * one contiguous run, found by binary search. */
static int by_pid_then_ts(const void *x, const void *y)
{
	const struct migrate_event *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (a->ts > b->ts) - (a->ts < b->ts);
}

void trace_attribute(const struct trace_monitor *tm, struct sample_list *l, uint64_t t0)
{
	struct migrate_event *ev;
	size_t n = 0;

	if (!tm->active && !tm->n)
		return;
	ev = xmalloc((tm->n + 1) * sizeof(*ev));
	for (size_t k = 0; k < tm->n; k++)
		if (!tm->v[k].start)
			ev[n++] = tm->v[k];
	qsort(ev, n, sizeof(*ev), by_pid_then_ts);
	for (size_t i = 0; i < l->n; i++) {
		struct sample *s = &l->v[i];
		uint64_t from = t0 + s->start_ns, to = from + s->call_ns;
		size_t lo = 0, hi = n;
		while (lo < hi) { /* first event of the thread at or after from */
			size_t mid = lo + (hi - lo) / 2;
			if (ev[mid].pid < s->tid || (ev[mid].pid == s->tid && ev[mid].ts < from))
				lo = mid + 1;
			else
				hi = mid;
		}
		s->migrate_succeeded = s->migrate_failed = s->thp_unsplit = 0;
		for (size_t k = lo; k < n && ev[k].pid == s->tid && ev[k].ts <= to; k++) {
			s->migrate_succeeded += (int64_t)ev[k].succeeded;
			s->migrate_failed += (int64_t)ev[k].failed;
			/* A THP that could not be migrated whole counts in
			 * thp_failed, and in thp_split too when its split then
			 * worked: the difference is the THPs neither migrated
			 * nor split (a failed split, the second seed's cause,
			 * or a THP busy through every pass). */
			if (ev[k].thp_failed > ev[k].thp_split)
				s->thp_unsplit += (int64_t)(ev[k].thp_failed - ev[k].thp_split);
		}
	}
	free(ev);
}

static const char *reason_name(const struct trace_monitor *tm, int r, char *buf, size_t len)
{
	if (r >= 0 && r < TRACE_MAX_REASONS && tm->reasons[r])
		return tm->reasons[r];
	snprintf(buf, len, "reason_%d", r);
	return buf;
}

static void add(json_t *obj, const char *key, uint64_t v)
{
	json_t *old = json_object_get(obj, key);

	json_object_set_new(obj, key, json_integer((json_int_t)(v + (old ? (uint64_t)json_integer_value(old) : 0))));
}

/* Adds one event to a {"<reason>": {calls, succeeded, ...}} object. */
static void count_event(const struct trace_monitor *tm, json_t *by_reason, const struct migrate_event *e)
{
	char buf[32];
	const char *name = reason_name(tm, e->reason, buf, sizeof(buf));
	json_t *r = json_object_get(by_reason, name);

	if (!r) {
		r = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "calls", 0, "succeeded", 0, "failed", 0,
			      "thp_succeeded", 0, "thp_failed", 0, "thp_split", 0);
		json_object_set_new(by_reason, name, r);
	}
	if (e->start) {
		add(r, "calls", 1);
		return;
	}
	add(r, "succeeded", e->succeeded);
	add(r, "failed", e->failed);
	add(r, "thp_succeeded", e->thp_succeeded);
	add(r, "thp_failed", e->thp_failed);
	add(r, "thp_split", e->thp_split);
}

json_t *trace_by_reason(const struct trace_monitor *tm)
{
	json_t *out = json_object();

	for (size_t k = 0; k < tm->n; k++)
		count_event(tm, out, &tm->v[k]);
	return out;
}

json_t *trace_by_pid(const struct trace_monitor *tm)
{
	json_t *out = json_object();
	char key[32];

	for (size_t k = 0; k < tm->n; k++) {
		snprintf(key, sizeof(key), "%d", tm->v[k].pid);
		json_t *mine = json_object_get(out, key);
		if (!mine) {
			mine = json_object();
			json_object_set_new(out, key, mine);
		}
		count_event(tm, mine, &tm->v[k]);
	}
	return out;
}

void trace_free(struct trace_monitor *tm)
{
	for (int i = 0; i < TRACE_MAX_REASONS; i++)
		free(tm->reasons[i]);
	free(tm->v);
	memset(tm->reasons, 0, sizeof(tm->reasons));
	tm->v = NULL;
	tm->n = tm->cap = 0;
}
