/* `pinbench run SCENARIO [-o DIR]` */
#include "config.h"
#include "auto_runs.h"
#include "cmd.h"
#include "env.h"
#include "env_watch.h"
#include "journal.h"
#include "log.h"
#include "options.h"
#include "run_output.h"
#include "runner.h"
#include "sampler.h"
#include "summary.h"
#include "sysinfo.h"
#include "trace.h"
#include "util.h"
#include "exitcode.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <numa.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

struct plan {
	struct scenario sc;
	int nodes[PB_MAX_NODES]; /* union of every job's nodes */
	size_t nnodes;
	char dir[4096], tmpdir[4200];
	int quiet;
	json_t *hangs; /* pin calls given up on */
	int dry_run;
	struct env_watch watch; /* what nobody else may change while the run goes */
	struct auto_runs autoruns; /* runs = auto */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pinbench run SCENARIO [-o DIR] [-q] [-n]\n"
		   "       pinbench run --help-keys\n\n"
		   "Runs a scenario file and writes a run directory (default results/NAME-TIME/).\n"
		   "  -o, --output DIR  where to write the run directory (must not exist)\n"
		   "  -q, --quiet       no progress line\n"
		   "  -n, --dry-run     check everything a run would check and print the plan;\n"
		   "                    change nothing (exit 0, 2 bad input, 3 the machine cannot)\n"
		   "      --help-keys   list every scenario key with its default\n");
}

static int node_index(const struct plan *p, int node)
{
	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i] == node)
			return (int)i;
	return -1;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Turns `nodes = all` into the nodes with memory, checks listed nodes
 * exist, and builds the union. */
static int resolve_nodes(struct plan *p)
{
	int have[PB_MAX_NODES];
	size_t nhave = env_memory_nodes(have, PB_MAX_NODES);

	for (size_t j = 0; j < p->sc.njobs; j++) {
		struct pin_job *job = &p->sc.jobs[j];
		if (job->all_nodes) {
			memcpy(job->nodes, have, nhave * sizeof(int));
			job->nnodes = (unsigned)nhave;
		}
		for (unsigned i = 0; i < job->nnodes; i++) {
			int ok = 0;
			for (size_t h = 0; h < nhave; h++)
				ok |= have[h] == job->nodes[i];
			if (!ok) {
				pb_err("%s:%u: [%s] key 'nodes': node %d does not exist or has no memory "
				       "on this machine (%zu node(s) with memory)", p->sc.path, job->nodes_line,
				       job->name, job->nodes[i], nhave);
				return -1;
			}
			if (node_index(p, job->nodes[i]) < 0)
				p->nodes[p->nnodes++] = job->nodes[i];
		}
	}
	qsort(p->nodes, p->nnodes, sizeof(int), cmp_int);
	/* More ZONE_MOVABLE than a node has memory cannot be had: refused
	 * here rather than offlining what can be offlined with a warning. */
	char why[256];
	if (p->sc.global.movable && env_movable_possible(p->sc.global.movable, p->nodes, p->nnodes, why, sizeof(why))) {
		pb_err("%s:%u: [global] key 'movable': %s", p->sc.path, p->sc.global.movable_line, why);
		return -1;
	}
	return 0;
}

/* Never risk the host: refuse what would leave less than the margin. */
static int check_memory(const struct plan *p)
{
	uint64_t total = 0, avail, margin, safe = env_safe_bytes(&avail, &margin);
	char a[32], b[32], c[32];

	for (size_t i = 0; i < p->nnodes; i++) {
		uint64_t node_total = 0;
		for (size_t j = 0; j < p->sc.njobs; j++)
			for (unsigned k = 0; k < p->sc.jobs[j].nnodes; k++)
				if (p->sc.jobs[j].nodes[k] == p->nodes[i])
					node_total += p->sc.jobs[j].size;
		uint64_t node_safe = env_node_safe_bytes(p->nodes[i]);
		if (node_total > node_safe) {
			format_size(node_total, a, sizeof(a));
			format_size(node_safe, b, sizeof(b));
			pb_err("refusing to pin %s on node %d: only %s can be used there without risk "
			       "to the host (free memory less a safety margin); lower size", a, p->nodes[i], b);
			return -1;
		}
		total += node_total;
	}
	for (size_t i = 0; i < p->sc.nstressors; i++) {
		const struct stressor_job *sj = &p->sc.stressors[i];
		if (sj->stressor->memory)
			total += sj->stressor->memory(sj->cfg, p->nnodes);
	}
	if (total > safe) {
		format_size(total, a, sizeof(a));
		format_size(avail, b, sizeof(b));
		format_size(margin, c, sizeof(c));
		pb_err("refusing to pin and allocate %s: MemAvailable is %s and %s stays free as a safety "
		       "margin; lower the sizes or the number of nodes", a, b, c);
		return -1;
	}
	return 0;
}

/* Pinned memory counts against RLIMIT_MEMLOCK unless the process has
 * CAP_IPC_LOCK (root): raise the soft limit to the hard one where that is
 * enough, refuse the run where it is not (every pin would fail ENOMEM,
 * which looks like a failed migration). */
static int check_memlock(const struct plan *p)
{
	struct rlimit rl;
	uint64_t pinned = 0;
	char a[32], b[32];

	if (geteuid() == 0 || getrlimit(RLIMIT_MEMLOCK, &rl))
		return 0;
	for (size_t j = 0; j < p->sc.njobs; j++) /* every job's workers pin at once */
		pinned += p->sc.jobs[j].size * p->sc.jobs[j].nnodes;
	if (rl.rlim_cur == RLIM_INFINITY || pinned <= rl.rlim_cur)
		return 0;
	if (rl.rlim_max == RLIM_INFINITY || pinned <= rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (!p->dry_run && setrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
			format_size(pinned, a, sizeof(a));
			pb_info("raised RLIMIT_MEMLOCK to its hard limit for %s of pins", a);
		}
		return 0;
	}
	format_size(pinned, a, sizeof(a));
	format_size(rl.rlim_max, b, sizeof(b));
	pb_err("the scenario pins %s at once but RLIMIT_MEMLOCK allows %s (ulimit -l; the hard limit): "
	       "every pin beyond it would fail ENOMEM. Raise the limit (limits.conf, systemd LimitMEMLOCK) "
	       "or run as root", a, b);
	return -1;
}

/* Everything the machine must offer; EXIT_CANNOT when it cannot. */
static int check_machine(const struct plan *p)
{
	char why[256];
	const struct scenario_global *g = &p->sc.global;
	int needs_root = g->movable || g->thp[0] || g->shmem_thp[0] || g->mthp[0] || g->mthp_shmem[0];

	for (size_t j = 0; j < p->sc.njobs; j++) {
		const struct pin_backend *b = p->sc.jobs[j].backend;
		if (b->probe(p->sc.jobs[j].backend_cfg, why, sizeof(why))) {
			pb_err("[%s] backend %s cannot run here: %s", p->sc.jobs[j].name, b->name, why);
			return -1;
		}
		needs_root |= p->sc.jobs[j].memory->reserve != NULL;
	}
	for (size_t i = 0; i < p->sc.nstressors; i++) {
		const struct stressor_job *sj = &p->sc.stressors[i];
		if (sj->stressor->probe && sj->stressor->probe(sj->cfg, why, sizeof(why))) {
			pb_err("[%s] %s cannot run here: %s", sj->name, sj->stressor->type, why);
			return -1;
		}
	}
	if (needs_root && geteuid() != 0) {
		pb_err("this scenario changes system settings (movable, THP knobs or hugetlb pages) and needs root");
		return -1;
	}
	return check_memlock(p);
}

/* Sets a knob for the run (journalled) and says so in run.json. */
static int set_knob(const char *key, const char *path, const char *value, json_t *changes)
{
	int ret = knob_set(path, value);

	if (ret) {
		pb_err("[global] %s: cannot set %s to %s: %s%s", key, path, value, strerror(-ret),
		       ret == -ENOENT ? " (this kernel does not have it)" : "");
		return -1;
	}
	json_array_append_new(changes, json_sprintf("%s = %s", path, value));
	return 0;
}

/* "64kB=always,2048kB=inherit" -> hugepages-64kB/<file> = always, ... */
static int set_mthp(const char *key, const char *list, const char *file, json_t *changes)
{
	char copy[OPT_STRING_MAX], path[256];

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *save, *item = strtok_r(copy, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '=');
		*eq = '\0';
		snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/hugepages-%s/%s", item, file);
		if (set_knob(key, path, eq + 1, changes))
			return -1;
	}
	return 0;
}

static int prepare_system(struct plan *p, json_t *changes)
{
	char report[4096], why[256];
	int ret;

	const struct scenario_global *g = &p->sc.global;
	if ((g->thp[0] && set_knob("thp", THP_ENABLED, g->thp, changes)) ||
	    (g->shmem_thp[0] && set_knob("shmem_thp", THP_SHMEM_ENABLED, g->shmem_thp, changes)) ||
	    (g->mthp[0] && set_mthp("mthp", g->mthp, "enabled", changes)) ||
	    (g->mthp_shmem[0] && set_mthp("mthp_shmem", g->mthp_shmem, "shmem_enabled", changes)))
		return -1;
	if (p->sc.global.movable) {
		ret = env_movable(p->sc.global.movable, p->nodes, p->nnodes, report, sizeof(report));
		if (ret < 0)
			return -1;
		fputs(report, stderr);
		for (char *save, *l = strtok_r(report, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			json_array_append_new(changes, json_string(l));
		if (ret > 0)
			pb_warn("less ZONE_MOVABLE than asked: pins of memory outside it do not migrate");
	}
	for (size_t j = 0; j < p->sc.njobs; j++) {
		const struct pin_job *job = &p->sc.jobs[j];
		for (unsigned k = 0; job->memory->reserve && k < job->nnodes; k++) {
			if (job->memory->reserve(job->nodes[k], job->size, why, sizeof(why))) {
				pb_err("[%s] %s", job->name, why);
				return -1;
			}
		}
	}
	return 0;
}

/* Names the run directory and checks it can be written there. */
static int check_output(struct plan *p, const char *out)
{
	struct stat st;

	if (out && (strlen(out) >= sizeof(p->dir) - 32 || !utf8_valid(out, strlen(out)))) {
		pb_err("-o %s: %s", out, strlen(out) >= sizeof(p->dir) - 32 ? "the path is too long"
			: "the path is not UTF-8 (run.json records it)");
		return -1;
	}
	if (out)
		snprintf(p->dir, sizeof(p->dir), "%s", out);
	else
		default_results_dir(p->sc.name, p->dir, sizeof(p->dir));
	if (stat(p->dir, &st) == 0) {
		pb_err("%s exists: results are never overwritten; choose another -o", p->dir);
		return -1;
	}
	return 0;
}

static int make_dirs(struct plan *p, const char *out)
{
	if (check_output(p, out))
		return -1;
	snprintf(p->tmpdir, sizeof(p->tmpdir), "%s.partial-%d", p->dir, (int)getpid());
	int ret = mkdir_p(p->tmpdir, 0755);
	if (ret) {
		pb_err("cannot create %s: %s", p->tmpdir, strerror(-ret));
		return -1;
	}
	return 0;
}

/* "run 1/3  iteration 2/5  calls 12/40  30%  elapsed 3s  ETA 7s" */
static void progress(const struct plan *p, unsigned run, const struct worker *w, size_t nw,
		     uint64_t per_run, uint64_t started)
{
	uint64_t done = 0, iterations = 0;
	unsigned it = UINT_MAX;

	for (size_t k = 0; k < nw; k++) {
		done += atomic_load(&w[k].calls_done);
		unsigned wi = atomic_load(&w[k].iteration);
		it = wi < it ? wi : it; /* the slowest worker's */
		if (w[k].job->iterations > iterations)
			iterations = w[k].job->iterations;
	}
	double total = (double)per_run * (double)p->sc.global.runs;
	double frac = ((double)(run - 1) * (double)per_run + (double)done) / total;
	double el = (double)(now_ns() - started) / 1e9;
	char eta[32] = "-";

	if (frac > 0.02)
		snprintf(eta, sizeof(eta), "%.0fs", el / frac - el);
	fprintf(stderr, "\r  run %u/%" PRIu64 "  iteration %u/%" PRIu64 "  calls %" PRIu64 "/%" PRIu64
		"  %3.0f%%  elapsed %.0fs  ETA %s   ", run, p->sc.global.runs, it ? it : 1, iterations,
		done, per_run, frac * 100, el, eta);
	fflush(stderr);
}

enum { RUN_HUNG = -2 }; /* run_once: a pin call outlived pin_timeout */

/* A task's kernel stack reads empty while it runs on a CPU: a call busy
 * retrying a migration is caught between two sleeps by sampling. */
static char *kernel_stack(int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	for (int i = 0; i < 100; i++) {
		char *stack = read_file(path, NULL);
		if (!stack || *stack)
			return stack;
		free(stack);
		usleep(10000);
	}
	return NULL;
}

/* A pin call that does not return: what the kernel is doing in it, for
 * the terminal and summary.json's "hang". */
static void report_hang(const struct plan *p, struct worker *w, uint64_t t0)
{
	char *stack = kernel_stack(w->tid);
	double s = (double)(now_ns() - t0) / 1e9;

	pb_err("HANG: [%s] node %d: the pin call of chunk %u (iteration %u, %s) has not returned after %.3f s "
	       "(pin_timeout); thread %d's kernel stack:\n%s", w->job->name, w->node, atomic_load(&w->call_chunk),
	       atomic_load(&w->iteration), w->job->backend->name, s, w->tid,
	       stack ? stack : "(not readable: needs root and CONFIG_STACKTRACE, or the task never slept)\n");
	json_t *h = json_pack("{s:s, s:i, s:i, s:i, s:s, s:i, s:f, s:s?}", "job", w->job->name, "node", w->node,
			      "chunk", (int)atomic_load(&w->call_chunk), "iteration", (int)atomic_load(&w->iteration),
			      "backend", w->job->backend->name, "tid", w->tid, "seconds", s, "kernel_stack", stack);
	if (h)
		json_array_append_new(p->hangs, h);
	free(stack);
	atomic_store(&w->hung, true);
}

/* Joins the workers, drawing the progress line and watching the
 * environment, and gives up on one whose pin call outlives pin_timeout:
 * its thread is left to the kernel, and the run ends once the others have
 * finished theirs. */
static void wait_workers(struct plan *p, struct worker *w, pthread_t *t, size_t nw, unsigned run,
			 uint64_t per_run, uint64_t started)
{
	bool show = !p->quiet && pb_stderr_is_tty();
	size_t left = nw;
	char when[32];

	snprintf(when, sizeof(when), "during run %u", run);
	bool *joined = calloc(nw, sizeof(*joined));

	while (left && joined) {
		for (size_t i = 0; i < nw; i++) {
			if (joined[i] || w[i].hung)
				continue;
			if (pthread_tryjoin_np(t[i], NULL) == 0) {
				joined[i] = true;
				left--;
				continue;
			}
			uint64_t t0 = atomic_load(&w[i].call_t0);
			if (p->sc.global.pin_timeout_ns && t0 && now_ns() - t0 > p->sc.global.pin_timeout_ns) {
				report_hang(p, &w[i], t0);
				pthread_detach(t[i]);
				left--;
			}
		}
		if (left && show)
			progress(p, run, w, nw, per_run, started);
		if (left)
			env_watch_poll(&p->watch, when);
		if (left)
			usleep(100000);
	}
	for (size_t i = 0; !joined && i < nw; i++) /* no memory to watch with: just wait */
		pthread_join(t[i], NULL);
	free(joined);
}

/* One repetition: a worker per (job, node), all pinning at once. */
static int run_once(struct plan *p, struct run_context *ctx, unsigned run, struct sample_list *all,
		    double *place_sum, double *place_min, unsigned *place_n, uint64_t started)
{
	size_t nw = 0;
	uint64_t per_run = 0;
	int fatal = 0;

	for (size_t j = 0; j < p->sc.njobs; j++)
		nw += p->sc.jobs[j].nnodes;
	struct worker *w = xcalloc(nw, sizeof(*w));
	pthread_t *t = xcalloc(nw, sizeof(*t));

	/* Workers start in order; after one that cannot, none does, and
	 * only the started ones are joined. */
	size_t started_n = 0;
	int create_err = 0;
	nw = 0;
	for (size_t j = 0; j < p->sc.njobs; j++) {
		for (unsigned k = 0; k < p->sc.jobs[j].nnodes; k++, nw++) {
			w[nw].ctx = ctx;
			w[nw].job = &p->sc.jobs[j];
			w[nw].job_idx = (unsigned)j;
			w[nw].node = p->sc.jobs[j].nodes[k];
			w[nw].run = run;
			per_run += pin_worker_calls(&p->sc.jobs[j]);
			if (!create_err && !(create_err = pthread_create(&t[nw], NULL, pin_worker_run, &w[nw])))
				started_n++;
		}
	}
	if (create_err) {
		pb_err("cannot start a pin worker thread (%zu of %zu started): %s", started_n, nw,
		       strerror(create_err));
		fatal = -1;
	}
	wait_workers(p, w, t, started_n, run, per_run, started);
	if (!p->quiet && pb_stderr_is_tty())
		fprintf(stderr, "\r%*s\r", 100, "");
	for (size_t i = 0; i < nw; i++) {
		int ni = node_index(p, w[i].node);
		if (w[i].placement_n) {
			place_sum[ni] += w[i].placement_sum;
			if (!place_n[ni] || w[i].placement_min < place_min[ni])
				place_min[ni] = w[i].placement_min;
			place_n[ni] += w[i].placement_n;
		}
		if (atomic_load(&w[i].hung)) { /* its thread still owns them */
			fatal = RUN_HUNG;
			continue;
		}
		sample_list_append(all, &w[i].samples);
		if (w[i].fatal) {
			pb_err("%s", w[i].why);
			fatal = fatal ? fatal : -1;
		}
	}
	if (fatal != RUN_HUNG) /* a hung thread still points into them */
		free(w);
	free(t);
	return fatal;
}

/* What is about to run, one line per job, so the table has its context. */
static void print_plan(const struct plan *p)
{
	printf("%s: %s%" PRIu64 " run(s)%s -> %s\n", p->sc.name, p->sc.global.runs_auto ? "up to " : "",
	       p->sc.global.runs, p->sc.global.runs_auto ? " until decided against the baseline (runs = auto)" : "",
	       p->dir);
	for (size_t j = 0; j < p->sc.njobs; j++) {
		const struct pin_job *job = &p->sc.jobs[j];
		char size[32], chunk[32], nodes[256];
		size_t o = 0;
		format_size(job->size, size, sizeof(size));
		format_size(job->chunk, chunk, sizeof(chunk));
		for (unsigned k = 0; k < job->nnodes && o < sizeof(nodes); k++)
			o += (size_t)snprintf(nodes + o, sizeof(nodes) - o, "%s%d", k ? "," : "", job->nodes[k]);
		printf("  [%s] %s pins of %s memory: %s per node (%s) in %s chunks, %" PRIu64
		       " iteration(s), %s\n", job->name, job->backend->name, job->memory->name, size,
		       nodes, chunk, job->iterations, job->reuse ? "same memory each time" : "fresh memory each iteration");
	}
	fflush(stdout);
}

static json_t *plan_json(const struct plan *p)
{
	json_t *jobs = json_array();

	for (size_t j = 0; j < p->sc.njobs; j++) {
		const struct pin_job *job = &p->sc.jobs[j];
		json_t *nodes = json_array();
		for (unsigned k = 0; k < job->nnodes; k++)
			json_array_append_new(nodes, json_integer(job->nodes[k]));
		json_array_append_new(jobs, json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:b, s:I}",
			"name", job->name, "type", "pin", "backend", job->backend->name,
			"memory", job->memory->name, "nodes", nodes, "size", (json_int_t)job->size,
			"chunk", (json_int_t)job->chunk, "iterations", (json_int_t)job->iterations,
			"reuse", job->reuse, "hold_ns", (json_int_t)job->hold_ns));
	}
	return jobs;
}

/* What [global] asks that changes what a run measures (not how often). */
static json_t *scenario_global_json(const struct scenario_global *g)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s}", "movable", (json_int_t)g->movable, "thp", g->thp,
			 "shmem_thp", g->shmem_thp, "mthp", g->mthp, "mthp_shmem", g->mthp_shmem);
}

static json_t *run_json(const struct plan *p, const struct run_context *ctx, uint64_t start_rt,
			json_t *changes, json_t *knobs, json_t *zones)
{
	char started[40], ended[40], host[256] = "";
	const char *base = strrchr(p->dir, '/');

	format_iso8601(start_rt, started, sizeof(started));
	format_iso8601(realtime_ns(), ended, sizeof(ended));
	gethostname(host, sizeof(host) - 1);
	json_t *notes = json_array();
	for (size_t j = 0; j < p->sc.njobs; j++)
		if (p->sc.jobs[j].backend->note)
			json_array_append_new(notes, json_string(p->sc.jobs[j].backend->note));
	json_t *run = json_pack("{s:i, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:I, s:s, s:s, s:I, s:o, s:o, s:o, "
			 "s:o, s:o, s:o, s:o, s:s, s:i, s:b, s:o}",
		"schema_version", PB_SCHEMA_VERSION, "run_id", base ? base + 1 : p->dir,
		"tool", "name", PACKAGE_NAME, "version", PACKAGE_VERSION,
		"scenario", "path", p->sc.path, "name", p->sc.name, "text", p->sc.text,
		"seed", (json_int_t)ctx->seed, "started", started, "ended", ended,
		"t0_realtime_ns", (json_int_t)start_rt,
		"kernel", sysinfo_kernel(), "knobs", knobs, "memory", zones,
		"meminfo", sysinfo_meminfo(), "topology", sysinfo_topology(ctx->topo),
		"environment_changes", changes, "jobs", plan_json(p), "hostname", host,
		"uid", (int)geteuid(), "pinnable_checked", ctx->check_pinnable, "notes", notes);
	json_object_set_new(run, "warmup", json_integer((json_int_t)p->sc.global.warmup));
	json_object_set_new(run, "scenario_global", scenario_global_json(&p->sc.global));
	return run;
}

/* Starts every stressor section. On failure, those already started stay in
 * ctx->active for stop_stressors. */
static int start_stressors(const struct plan *p, struct run_context *ctx, struct stressor_env *envs)
{
	char why[512];

	ctx->active = xcalloc(p->sc.nstressors + 1, sizeof(*ctx->active));
	for (size_t i = 0; i < p->sc.nstressors; i++) {
		const struct stressor_job *sj = &p->sc.stressors[i];
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

static void raise_fd_limit(void)
{
	struct rlimit rl;

	/* io_uring pins one ring (one fd) per chunk. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int parse_args(int argc, char **argv, struct plan *p, const char **out)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "help-keys", no_argument, NULL, 'k' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qnh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': *out = optarg; break;
		case 'q': p->quiet = 1; break;
		case 'n': p->dry_run = 1; break;
		case 'h': usage(stdout); return 0;
		case 'k': scenario_print_keys(); return 0;
		default: usage(stderr); return EXIT_BAD_INPUT;
		}
	}
	if (optind != argc - 1) {
		pb_err("run: expected one SCENARIO file, got %d argument(s)", argc - optind);
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	return -1; /* go on */
}

/* What a run measures, from its first sample to its files. */
struct measurement {
	struct sample_list samples;
	struct sampler sampler;
	struct sample_sink sink;
	struct trace_monitor trace;
	char trace_why[256];
	json_t *changes, *knobs, *zones, *reports;
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
	ctx->sc = &p->sc;
	ctx->seed = p->sc.global.seed_given ? p->sc.global.seed : realtime_ns();
	ctx->check_pinnable = geteuid() == 0 && unpinnable_ranges_build(&ctx->unpinnable) == 0;
	m->start_rt = realtime_ns();
	ctx->t0 = now_ns();
	if (sample_sink_open(&m->sink, p->tmpdir, &p->sc))
		return -1;
	ctx->sink = &m->sink;
	snprintf(path, sizeof(path), "%s/vmstat.csv", p->tmpdir);
	if (sampler_start(&m->sampler, path, ctx->t0, p->sc.global.vmstat_interval_ns, p->nodes, p->nnodes)) {
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
	struct stressor_env *senv = xcalloc(p->sc.nstressors + 1, sizeof(*senv));
	size_t runs = p->sc.global.runs;
	char when[32];

	m->reports = json_object();
	m->before = xcalloc(runs, sizeof(*m->before));
	m->after = xcalloc(runs, sizeof(*m->after));
	m->place_sum = xcalloc(p->nnodes, sizeof(double));
	m->place_min = xcalloc(p->nnodes, sizeof(double));
	m->place_n = xcalloc(p->nnodes, sizeof(unsigned));
	m->failed = start_stressors(p, ctx, senv);
	auto_runs_start(&p->autoruns, now_ns(), p->sc.global.max_time_ns);
	for (unsigned r = 1; r <= runs && !env_stop && !m->failed; r++) {
		vmstat_snapshot_take(&m->before[r - 1], p->nodes, p->nnodes);
		m->failed = run_once(p, ctx, r, &m->samples, m->place_sum, m->place_min, m->place_n, ctx->t0);
		vmstat_snapshot_take(&m->after[r - 1], p->nodes, p->nnodes);
		m->done_runs = r;
		snprintf(when, sizeof(when), "after run %u", r);
		env_watch_check(&p->watch, when);
		if (!m->failed && !env_stop &&
		    auto_runs_enough(&p->autoruns, &m->samples, r, (unsigned)p->sc.global.warmup, (unsigned)runs, now_ns()))
			break;
	}
	stop_stressors(ctx, m->reports);
	free(senv);
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
		.warmup = (unsigned)p->sc.global.warmup,
	};
	trace_attribute(&m->trace, &m->samples, ctx->t0);
	json_t *summary = summary_build(&in);
	json_object_set_new(summary, "stressors", m->reports);
	m->reports = NULL;
	json_object_set_new(summary, "hangs", json_incref(p->hangs));
	json_object_set_new(summary, "environment_changed", json_incref(p->watch.changed));
	json_t *autoruns = auto_runs_json(&p->autoruns, why != NULL);
	if (autoruns)
		json_object_set_new(summary, "runs_auto", autoruns);
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
	json_object_set_new(runj, "environment_changed", json_incref(p->watch.changed));
	if (run_output_finish(p->tmpdir, p->dir, &p->sc, &m->samples, runj, summary)) {
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

/* Plans and checks; EXIT_* when the run ends here (a dry run included),
 * -1 to go on. */
/* What this plan will run, as run.json says it: for runs = auto to check
 * the baseline ran the same. */
static json_t *plan_identity(const struct plan *p)
{
	json_t *nodes = json_array();
	int n = numa_available() < 0 ? 1 : numa_num_configured_nodes();

	for (int i = 0; i < n; i++)
		json_array_append_new(nodes, json_object());
	return json_pack("{s:i, s:o, s:o, s:{s:s}, s:I, s:{s:o}}", "schema_version", PB_SCHEMA_VERSION, "jobs",
			 plan_json(p), "scenario_global", scenario_global_json(&p->sc.global), "scenario", "text",
			 p->sc.text, "warmup", (json_int_t)p->sc.global.warmup, "topology", "numa_nodes", nodes);
}

static int plan_run(struct plan *p, const char *out)
{
	if (resolve_nodes(p))
		return EXIT_BAD_INPUT;
	if (check_machine(p) || check_memory(p))
		return EXIT_CANNOT;
	json_t *identity = plan_identity(p);
	int bad = auto_runs_open(&p->autoruns, &p->sc, identity);
	json_decref(identity);
	if (bad)
		return EXIT_BAD_INPUT;
	if (p->dry_run) {
		if (check_output(p, out))
			return EXIT_BAD_INPUT;
		print_plan(p);
		printf("dry run: the scenario is valid and this machine can run it; nothing was changed\n");
		return EXIT_SUCCESS;
	}
	return make_dirs(p, out) ? EXIT_BAD_INPUT : -1;
}

int cmd_run(int argc, char **argv)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	struct run_context ctx = { 0 };
	struct measurement m = { .changes = json_array() };
	const char *out = NULL;
	char err[1024];
	int ret = parse_args(argc, argv, p, &out), journal = 0;
	int measuring = 0; /* once set, the run directory is kept whatever happens */

	p->hangs = json_array();
	if (ret >= 0)
		goto out;
	if (scenario_load(argv[optind], &p->sc, err, sizeof(err))) {
		pb_err("%s", err);
		ret = EXIT_BAD_INPUT;
		goto out;
	}
	if ((ret = plan_run(p, out)) >= 0)
		goto out;
	ret = EXIT_FAILURE;
	env_catch_signals();
	raise_fd_limit();
	if (geteuid() == 0) {
		/* Root always takes the system's pinbench lock: two runs at
		 * once would disturb each other's measurements and changes. */
		if (env_begin())
			goto out;
		journal = 1;
	}
	print_plan(p);
	if (prepare_system(p, m.changes) || start_measuring(p, &ctx, &m))
		goto out;
	measuring = 1;
	measure(p, &ctx, &m);
	/* Give the machine back before writing and printing. */
	if (journal) {
		int left = env_end();
		journal = 0;
		if (left)
			pb_err("%d change(s) could not be undone: run 'pinbench env restore'", left);
	}
	ret = finish(p, &ctx, &m);
out:
	if (ret != EXIT_BAD_INPUT && p->tmpdir[0] && !measuring)
		remove_tree(p->tmpdir); /* nothing was measured: leave no trace */
	if (journal && env_end())
		pb_err("some changes could not be undone: run 'pinbench env restore'");
	if (ctx.topo)
		hwloc_topology_destroy(ctx.topo);
	pfn_ranges_free(&ctx.unpinnable);
	measurement_free(&m);
	auto_runs_close(&p->autoruns);
	env_watch_free(&p->watch);
	scenario_free(&p->sc);
	json_decref(p->hangs);
	free(p);
	return ret;
}
