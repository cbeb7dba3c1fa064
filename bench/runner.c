/* A run from its plan to its run directory: the system prepared and
 * given back, the repetitions measured with the stressors around them,
 * and the files written in the order that makes a finished directory
 * trustworthy. */
#include "config.h"
#include "env.h"
#include "exitcode.h"
#include "func_profile.h"
#include "journal.h"
#include "log.h"
#include "plan.h"
#include "run_output.h"
#include "runner.h"
#include "sampler.h"
#include "summary.h"
#include "sysinfo.h"
#include "trace.h"
#include "util.h"
#include "paths.h"
#include "clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static json_t *run_json(const struct plan *p, const struct run_context *ctx, uint64_t start_rt,
			json_t *changes, json_t *knobs, json_t *zones)
{
	char started[40], ended[40], host[256] = "";

	format_iso8601(start_rt, started, sizeof(started));
	format_iso8601(realtime_ns(), ended, sizeof(ended));
	gethostname(host, sizeof(host) - 1);
	json_t *notes = json_array();
	for (size_t j = 0; j < p->sc->njobs; j++)
		if (p->sc->jobs[j].backend->note)
			json_array_append_new(notes, json_string(p->sc->jobs[j].backend->note));
	json_t *run = json_pack("{s:i, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:I, s:s, s:s, s:I, s:o, s:o, s:o, "
			 "s:o, s:o, s:o, s:o, s:s, s:i, s:b, s:o}",
		"schema_version", PB_SCHEMA_VERSION, "run_id", path_base(p->dir),
		"tool", "name", PACKAGE_NAME, "version", PACKAGE_VERSION,
		"scenario", "path", p->sc->path, "name", p->sc->name, "text", p->sc->text,
		"seed", (json_int_t)ctx->seed, "started", started, "ended", ended,
		"t0_realtime_ns", (json_int_t)start_rt,
		"kernel", sysinfo_kernel(), "knobs", knobs, "memory", zones,
		"meminfo", sysinfo_meminfo(), "topology", sysinfo_topology(ctx->topo),
		"environment_changes", changes, "jobs", plan_jobs_json(p), "hostname", host,
		"uid", (int)geteuid(), "pinnable_checked", ctx->check_pinnable, "notes", notes);
	json_object_set_new(run, "warmup", json_integer((json_int_t)p->sc->global.warmup));
	json_object_set_new(run, "scenario_global", plan_global_json(&p->sc->global));
	return run;
}

/* Starts every stressor section. On failure, those already started stay in
 * ctx->active for stop_stressors. */
static int start_stressors(const struct plan *p, struct run_context *ctx, struct stressor_env *envs)
{
	char why[512];

	ctx->active = xcalloc(p->sc->nstressors + 1, sizeof(*ctx->active));
	for (size_t i = 0; i < p->sc->nstressors; i++) {
		const struct stressor_job *sj = &p->sc->stressors[i];
		envs[i] = (struct stressor_env){
			.name = sj->name, .workdir = p->tmpdir, .nodes = p->nodes, .nnodes = p->nnodes,
			.topo = ctx->topo, .seed = ctx->seed ^ (i + 1), .t0 = ctx->t0, .stop = &env_stop,
		};
		why[0] = '\0';
		if (sj->stressor->start(sj->cfg, &envs[i], &ctx->active[ctx->nactive].state, why, sizeof(why))) {
			pb_err("[%s] %s: %s", sj->name, sj->stressor->type, why);
			return -1;
		}
		ctx->active[ctx->nactive++].job = sj;
	}
	return 0;
}

/* Stops the started stressors, newest first, collecting their reports. */
static void stop_stressors(struct run_context *ctx, json_t *reports)
{
	while (ctx->nactive > 0) {
		struct active_stressor *a = &ctx->active[--ctx->nactive];
		json_t *r = a->job->stressor->stop(a->state);
		json_object_set_new(reports, a->job->name, r ? r : json_null());
	}
	free(ctx->active);
	ctx->active = NULL;
}



/* What a run measures, from its first sample to its files. */
struct measurement {
	struct sample_list samples;
	struct sampler sampler;
	struct sample_sink sink;
	struct trace_monitor trace;
	char trace_why[256];
	json_t *changes, *knobs, *zones, *reports;
	json_t *functions;                      /* per run, what profile_functions counted */
	uint64_t start_rt;
	size_t done_runs;
	struct vmstat_snapshot *before, *after; /* per run */
	double *place_sum, *place_min;          /* per node */
	unsigned *place_n;
	int failed;
};

/* Everything a run needs before its first pin; the system is prepared.
 * 0, or -1 with nothing measured (the run directory is dropped). */
static int start_measuring(struct plan *p, struct run_context *ctx, struct measurement *m)
{
	char path[4300];

	/* What the run saw, after our own changes. */
	m->knobs = sysinfo_knobs();
	m->zones = sysinfo_zones();
	if (hwloc_topology_init(&ctx->topo) || hwloc_topology_load(ctx->topo)) {
		pb_err("cannot read the machine's topology (hwloc): %s", strerror(errno));
		return -1;
	}
	ctx->sc = p->sc;
	ctx->seed = p->sc->global.seed_given ? p->sc->global.seed : realtime_ns();
	ctx->check_pinnable = geteuid() == 0 && unpinnable_ranges_build(&ctx->unpinnable) == 0;
	m->start_rt = realtime_ns();
	ctx->t0 = now_ns();
	if (sample_sink_open(&m->sink, p->tmpdir, p->sc))
		return -1;
	ctx->sink = &m->sink;
	snprintf(path, sizeof(path), "%s/vmstat.csv", p->tmpdir);
	if (sampler_start(&m->sampler, path, ctx->t0, p->sc->global.vmstat_interval_ns, p->nodes, p->nnodes)) {
		pb_err("cannot start the vmstat sampler");
		sample_sink_close(&m->sink);
		return -1;
	}
	env_watch_start(&p->watch, ctx->t0);
	if (geteuid() != 0)
		snprintf(m->trace_why, sizeof(m->trace_why), "tracing needs root");
	else if (trace_start(&m->trace, m->trace_why, sizeof(m->trace_why)))
		pb_warn("no tracepoint attribution: %s", m->trace_why);
	return 0;
}

/* The runs, with the stressors around them; then every writer is closed. */
static void measure(struct plan *p, struct run_context *ctx, struct measurement *m)
{
	struct stressor_env *senv = xcalloc(p->sc->nstressors + 1, sizeof(*senv));
	size_t runs = p->sc->global.runs;
	char when[32];

	m->reports = json_object();
	m->before = xcalloc(runs, sizeof(*m->before));
	m->after = xcalloc(runs, sizeof(*m->after));
	m->place_sum = xcalloc(p->nnodes, sizeof(double));
	m->place_min = xcalloc(p->nnodes, sizeof(double));
	m->place_n = xcalloc(p->nnodes, sizeof(unsigned));
	m->failed = start_stressors(p, ctx, senv);
	const char *fns = p->sc->global.profile_functions;
	json_t *profiled = fns[0] ? func_profile_read(fns) : NULL;
	m->functions = json_array();
	uint64_t begin = now_ns();
	for (unsigned r = 1; r <= runs && !env_stop && !m->failed; r++) {
		vmstat_snapshot_take(&m->before[r - 1], p->nodes, p->nnodes);
		m->failed = run_workers(p, ctx, r, &m->samples, m->place_sum, m->place_min, m->place_n, ctx->t0);
		vmstat_snapshot_take(&m->after[r - 1], p->nodes, p->nnodes);
		if (profiled) {
			json_t *now = func_profile_read(fns);
			json_array_append_new(m->functions, now ? func_profile_delta(profiled, now) : json_null());
			json_decref(profiled);
			profiled = now;
		}
		m->done_runs = r;
		snprintf(when, sizeof(when), "after run %u", r);
		env_watch_check(&p->watch, when);
		if (!m->failed && !env_stop && p->stop && p->stop->enough(p->stop->ctx, &m->samples, r, now_ns() - begin))
			break;
	}
	stop_stressors(ctx, m->reports);
	free(senv);
	json_decref(profiled);
	if (fns[0])
		func_profile_stop();
	trace_stop(&m->trace);
	sampler_stop(&m->sampler);
	sample_sink_close(&m->sink);
	env_watch_check(&p->watch, "at the end"); /* before the run undoes its own changes */
}

/* Why the run did not finish, or NULL. */
static const char *stopped_by(const struct measurement *m, char *signame, size_t len)
{
	if (env_stop_signal) {
		snprintf(signame, len, "SIG%s", sigabbrev_np(env_stop_signal) ?: "?");
		return signame;
	}
	if (run_write_error())
		return "error";
	return m->failed == RUN_HUNG ? "hang" : m->failed ? "error" : NULL;
}

/* Each run's profile_functions counts into its entry of "runs", and
 * their sums, with hits per pin call, as "functions". */
static void add_functions(json_t *summary, json_t *per_run)
{
	json_t *total = json_object(), *run, *fn;
	json_int_t ops = json_integer_value(json_object_get(json_object_get(summary, "pin"), "ops"));
	const char *name;
	size_t i;

	json_array_foreach(json_object_get(summary, "runs"), i, run) {
		json_t *counted = json_array_get(per_run, i);
		json_object_set(run, "functions", counted ? counted : json_null());
		json_object_foreach(counted, name, fn) {
			json_t *t = json_object_get(total, name);
			if (!t)
				json_object_set_new(total, name, t = json_pack("{s:I, s:f}", "hits", (json_int_t)0,
									       "time_us", 0.0));
			json_object_set_new(t, "hits", json_integer(json_integer_value(json_object_get(t, "hits")) +
								    json_integer_value(json_object_get(fn, "hits"))));
			json_object_set_new(t, "time_us", json_real(json_number_value(json_object_get(t, "time_us")) +
								    json_number_value(json_object_get(fn, "time_us"))));
		}
	}
	json_object_foreach(total, name, fn)
		json_object_set_new(fn, "per_pin_call",
				    ops ? json_real((double)json_integer_value(json_object_get(fn, "hits")) / (double)ops)
					: json_null());
	json_object_set_new(summary, "functions", total);
}

static json_t *build_summary(struct plan *p, struct run_context *ctx, struct measurement *m, const char *why)
{
	for (size_t i = 0; i < p->nnodes; i++) {
		m->place_sum[i] = m->place_n[i] ? m->place_sum[i] / m->place_n[i] : NAN;
		if (!m->place_n[i])
			m->place_min[i] = NAN;
	}
	struct summary_input in = {
		.samples = &m->samples, .nodes = p->nodes, .nnodes = p->nnodes,
		.placement_mean = m->place_sum, .placement_min = m->place_min,
		.nruns = m->done_runs, .before = m->before, .after = m->after,
		.complete = !why, .interrupted_by = why, .pinnable_checked = ctx->check_pinnable,
		.warmup = (unsigned)p->sc->global.warmup,
	};
	trace_attribute(&m->trace, &m->samples, ctx->t0);
	json_t *summary = summary_build(&in);
	json_object_set_new(summary, "stressors", m->reports);
	m->reports = NULL;
	json_object_set_new(summary, "hangs", json_incref(p->hangs));
	json_object_set_new(summary, "environment_changed", json_incref(p->watch.changed));
	json_t *stop = p->stop ? p->stop->report(p->stop->ctx, why != NULL) : NULL;
	if (stop)
		json_object_set_new(summary, "runs_auto", stop);
	if (p->sc->global.profile_functions[0])
		add_functions(summary, m->functions);
	json_decref(m->functions);
	m->functions = NULL;
	if (m->trace.active) {
		json_object_set_new(summary, "trace", trace_by_reason(&m->trace));
		json_object_set_new(summary, "trace_by_pid", trace_by_pid(&m->trace));
		json_object_set_new(summary, "trace_lost_events", json_integer((json_int_t)m->trace.lost));
	} else {
		json_object_set_new(summary, "trace", json_null());
		json_object_set_new(summary, "trace_unavailable", json_string(m->trace_why));
	}
	trace_free(&m->trace);
	return summary;
}

/* Writes the run directory and prints the summary; the exit status. */
static int finish(struct plan *p, struct run_context *ctx, struct measurement *m)
{
	char signame[16];
	const char *why = stopped_by(m, signame, sizeof(signame));
	json_t *summary = build_summary(p, ctx, m, why);
	json_t *runj = run_json(p, ctx, m->start_rt, m->changes, m->knobs, m->zones);
	int ret;

	m->changes = m->knobs = m->zones = NULL; /* runj has them */
	json_object_set_new(runj, "complete", json_boolean(!why));
	json_object_set_new(runj, "vmstat_samples", json_integer((json_int_t)m->sampler.samples));
	json_object_set_new(runj, "vmstat_rows", json_integer((json_int_t)m->sampler.rows));
	json_object_set_new(runj, "environment_changed", json_incref(p->watch.changed));
	if (run_output_finish(p->tmpdir, p->dir, p->sc, &m->samples, runj, summary)) {
		pb_err("cannot finish the run directory %s (what was written stays there, without summary.json)",
		       p->tmpdir);
		ret = EXIT_FAILURE;
	} else {
		summary_print(stdout, summary);
		printf("\nresults: %s\n", p->dir);
		ret = env_stop_signal ? 128 + env_stop_signal
		      : why || json_array_size(p->watch.changed) ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	json_decref(summary);
	json_decref(runj);
	return ret;
}

static void measurement_free(struct measurement *m)
{
	for (size_t r = 0; r < m->done_runs; r++) {
		vmstat_snapshot_free(&m->before[r]);
		vmstat_snapshot_free(&m->after[r]);
	}
	free(m->before);
	free(m->after);
	free(m->place_sum);
	free(m->place_min);
	free(m->place_n);
	free(m->samples.v);
	json_decref(m->changes);
	json_decref(m->knobs);
	json_decref(m->zones);
	json_decref(m->reports);
}




static void raise_fd_limit(void)
{
	struct rlimit rl;

	/* io_uring pins one ring (one fd) per chunk. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Once the system is prepared: the measurement, the machine given back
 * before anything is written or printed, then the run directory. */
static int prepared_run(struct plan *p, struct run_context *ctx, struct measurement *m, int *journal,
			bool *measuring)
{
	if (plan_prepare_system(p, m->changes) || start_measuring(p, ctx, m))
		return EXIT_FAILURE;
	*measuring = true;
	measure(p, ctx, m);
	if (*journal) {
		int left = env_end();
		*journal = 0;
		if (left)
			pb_err("%d change(s) could not be undone: run 'pinbench env restore'", left);
	}
	return finish(p, ctx, m);
}

int runner_run(struct scenario *sc, const struct run_options *o)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	struct run_context ctx = { 0 };
	struct measurement m = { .changes = json_array() };
	int ret, journal = 0;
	bool measuring = false; /* once set, the run directory is kept whatever happens */

	*p = (struct plan){ .sc = sc, .quiet = o->quiet, .dry_run = o->dry_run, .stop = o->stop,
			    .hangs = json_array() };
	if ((ret = plan_make(p, o->output)) >= 0)
		goto out;
	ret = EXIT_FAILURE;
	env_catch_signals();
	raise_fd_limit();
	/* Root always takes the system's pinbench lock: two runs at once
	 * would disturb each other's measurements and changes. */
	if (geteuid() == 0 && env_begin())
		goto out;
	journal = geteuid() == 0;
	plan_print(p);
	ret = prepared_run(p, &ctx, &m, &journal, &measuring);
out:
	if (ret != EXIT_BAD_INPUT && p->tmpdir[0] && !measuring)
		remove_tree(p->tmpdir); /* nothing was measured: leave no trace */
	if (journal && env_end())
		pb_err("some changes could not be undone: run 'pinbench env restore'");
	if (ctx.topo)
		hwloc_topology_destroy(ctx.topo);
	pfn_ranges_free(&ctx.unpinnable);
	measurement_free(&m);
	env_watch_free(&p->watch);
	json_decref(p->hangs);
	free(p);
	return ret;
}
