/* The plan of a run: nodes resolved, what the machine must offer, the
 * host's memory guarded, the system prepared, the run directory named. */
#include "config.h"
#include "plan.h"
#include "func_profile.h"
#include "env.h"
#include "exitcode.h"
#include "journal.h"
#include "log.h"
#include "options.h"
#include "rundir.h"
#include "summary.h"
#include "util.h"
#include "units.h"
#include "paths.h"

#include <errno.h>
#include <inttypes.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int plan_node_index(const struct plan *p, int node)
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

	for (size_t j = 0; j < p->sc->njobs; j++) {
		struct pin_job *job = &p->sc->jobs[j];
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
				       "on this machine (%zu node(s) with memory)", p->sc->path, job->nodes_line,
				       job->name, job->nodes[i], nhave);
				return -1;
			}
			if (plan_node_index(p, job->nodes[i]) < 0)
				p->nodes[p->nnodes++] = job->nodes[i];
		}
	}
	qsort(p->nodes, p->nnodes, sizeof(int), cmp_int);
	/* More ZONE_MOVABLE than a node has memory cannot be had: refused
	 * here rather than offlining what can be offlined with a warning. */
	char why[256];
	if (p->sc->global.movable && env_movable_possible(p->sc->global.movable, p->nodes, p->nnodes, why, sizeof(why))) {
		pb_err("%s:%u: [global] key 'movable': %s", p->sc->path, p->sc->global.movable_line, why);
		return -1;
	}
	return 0;
}

/* A whole-client backend (a VM start) holds its device for as long as
 * the VM runs: one worker of one job at a time, unless the jobs take
 * turns; every other starts a second VM on the same device, whose VFIO
 * group refuses it, and that would be counted as a failed pin. */
static int check_clients(const struct plan *p)
{
	for (size_t j = 0; j < p->sc->njobs; j++) {
		const struct pin_job *job = &p->sc->jobs[j];
		if (!job->backend->whole_client)
			continue;
		if (job->nnodes > 1) {
			pb_err("%s:%u: [%s] key 'nodes': backend %s starts one VM per node at once on one device, "
			       "which VFIO refuses: name one node", p->sc->path, job->nodes_line, job->name,
			       job->backend->name);
			return -1;
		}
		for (size_t k = 0; k < p->sc->njobs && !p->sc->global.sequential; k++)
			if (k != j && p->sc->jobs[k].backend->needs_vfio_device) {
				pb_err("%s: [%s] and [%s] would use one device at once (backend %s holds it for "
				       "the VM's life): set [global] sequential = yes", p->sc->path, job->name,
				       p->sc->jobs[k].name, job->backend->name);
				return -1;
			}
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
		/* Jobs that take turns hold their memory one at a time (a
		 * worker unmaps before the next job starts): the largest
		 * counts, not the sum. */
		for (size_t j = 0; j < p->sc->njobs; j++)
			for (unsigned k = 0; k < p->sc->jobs[j].nnodes; k++) {
				uint64_t size = p->sc->jobs[j].size;
				if (p->sc->jobs[j].nodes[k] != p->nodes[i])
					continue;
				if (!p->sc->global.sequential)
					node_total += size;
				else if (size > node_total)
					node_total = size;
			}
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
	for (size_t i = 0; i < p->sc->nstressors; i++) {
		const struct stressor_job *sj = &p->sc->stressors[i];
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
	for (size_t j = 0; j < p->sc->njobs; j++) /* every job's workers pin at once */
		pinned += p->sc->jobs[j].size * p->sc->jobs[j].nnodes;
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
	const struct scenario_global *g = &p->sc->global;
	int needs_root = g->movable || g->thp[0] || g->shmem_thp[0] || g->mthp[0] || g->mthp_shmem[0];

	for (size_t j = 0; j < p->sc->njobs; j++) {
		const struct pin_backend *b = p->sc->jobs[j].backend;
		if (b->probe(p->sc->jobs[j].backend_cfg, why, sizeof(why))) {
			pb_err("[%s] backend %s cannot run here: %s", p->sc->jobs[j].name, b->name, why);
			return -1;
		}
		needs_root |= p->sc->jobs[j].memory->reserve != NULL;
	}
	for (size_t i = 0; i < p->sc->nstressors; i++) {
		const struct stressor_job *sj = &p->sc->stressors[i];
		if (sj->stressor->probe && sj->stressor->probe(sj->cfg, why, sizeof(why))) {
			pb_err("[%s] %s cannot run here: %s", sj->name, sj->stressor->type, why);
			return -1;
		}
	}
	if (g->profile_functions[0] && func_profile_probe(g->profile_functions, why, sizeof(why))) {
		pb_err("[global] profile_functions cannot run here: %s", why);
		return -1;
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

int plan_prepare_system(struct plan *p, json_t *changes)
{
	char report[4096], why[256];
	int ret;

	const struct scenario_global *g = &p->sc->global;
	if ((g->thp[0] && set_knob("thp", THP_ENABLED, g->thp, changes)) ||
	    (g->shmem_thp[0] && set_knob("shmem_thp", THP_SHMEM_ENABLED, g->shmem_thp, changes)) ||
	    (g->mthp[0] && set_mthp("mthp", g->mthp, "enabled", changes)) ||
	    (g->mthp_shmem[0] && set_mthp("mthp_shmem", g->mthp_shmem, "shmem_enabled", changes)))
		return -1;
	if (g->profile_functions[0] && func_profile_start(g->profile_functions, changes, why, sizeof(why))) {
		pb_err("[global] profile_functions: %s", why);
		return -1;
	}
	if (p->sc->global.movable) {
		ret = env_movable(p->sc->global.movable, p->nodes, p->nnodes, report, sizeof(report));
		if (ret < 0)
			return -1;
		fputs(report, stderr);
		for (char *save, *l = strtok_r(report, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			json_array_append_new(changes, json_string(l));
		if (ret > 0)
			pb_warn("less ZONE_MOVABLE than asked: pins of memory outside it do not migrate");
	}
	for (size_t j = 0; j < p->sc->njobs; j++) {
		const struct pin_job *job = &p->sc->jobs[j];
		if (job->backend->setup && (ret = job->backend->setup(job->backend_cfg, changes, why, sizeof(why)))) {
			pb_err("[%s] backend %s: %s", job->name, job->backend->name, why);
			return -1;
		}
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
		default_results_dir(p->sc->name, p->dir, sizeof(p->dir));
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

/* What is about to run, one line per job, so the table has its context. */
void plan_print(const struct plan *p)
{
	printf("%s: %s%" PRIu64 " run(s)%s -> %s\n", p->sc->name, p->sc->global.runs_auto ? "up to " : "",
	       p->sc->global.runs, p->sc->global.runs_auto ? " until decided against the baseline (runs = auto)" : "",
	       p->dir);
	for (size_t j = 0; j < p->sc->njobs; j++) {
		const struct pin_job *job = &p->sc->jobs[j];
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

json_t *plan_jobs_json(const struct plan *p)
{
	json_t *jobs = json_array();

	for (size_t j = 0; j < p->sc->njobs; j++) {
		const struct pin_job *job = &p->sc->jobs[j];
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

/* What [global] asks that changes what a run measures (not how often).
 * The profiler slows what it counts: profile_functions is part of it, when
 * given (runs made before the key keep their identity). */
json_t *plan_global_json(const struct scenario_global *g)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "movable", (json_int_t)g->movable, "thp", g->thp,
			      "shmem_thp", g->shmem_thp, "mthp", g->mthp, "mthp_shmem", g->mthp_shmem);
	if (g->profile_functions[0])
		json_object_set_new(o, "profile_functions", json_string(g->profile_functions));
	return o;
}

/* What this plan will run, as run.json says it: for runs = auto to check
 * the baseline ran the same. */
static json_t *plan_identity(const struct plan *p)
{
	json_t *nodes = json_array();
	int n = numa_available() < 0 ? 1 : numa_num_configured_nodes();

	for (int i = 0; i < n; i++)
		json_array_append_new(nodes, json_object());
	return json_pack("{s:i, s:o, s:o, s:{s:s}, s:I, s:{s:o}}", "schema_version", PB_SCHEMA_VERSION, "jobs",
			 plan_jobs_json(p), "scenario_global", plan_global_json(&p->sc->global), "scenario", "text",
			 p->sc->text, "warmup", (json_int_t)p->sc->global.warmup, "topology", "numa_nodes", nodes);
}

int plan_make(struct plan *p, const char *out)
{
	if (resolve_nodes(p) || check_clients(p))
		return EXIT_BAD_INPUT;
	if (check_machine(p) || check_memory(p))
		return EXIT_CANNOT;
	if (p->stop) {
		json_t *identity = plan_identity(p);
		int bad = p->stop->check(p->stop->ctx, identity);
		json_decref(identity);
		if (bad)
			return EXIT_BAD_INPUT;
	}
	if (p->dry_run) {
		if (check_output(p, out))
			return EXIT_BAD_INPUT;
		plan_print(p);
		printf("dry run: the scenario is valid and this machine can run it; nothing was changed\n");
		return EXIT_SUCCESS;
	}
	return make_dirs(p, out) ? EXIT_BAD_INPUT : -1;
}
