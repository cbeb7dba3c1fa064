#include "config.h"
#include "scenario.h"
#include "ini_doc.h"
#include "nodelist.h"
#include "options.h"
#include "util.h"
#include "units.h"
#include "paths.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsers of this file's own keys (the rest are typed, lib/options.c) ---- */

/* "64kB=always, 2048kB=inherit": per-size THP controls. */
static int check_mthp_list(const char *v, const char *modes, char *err, size_t len)
{
	char copy[OPT_STRING_MAX];

	if (strlen(v) >= sizeof(copy)) {
		snprintf(err, len, "is longer than %zu characters", sizeof(copy) - 1);
		return -1;
	}
	snprintf(copy, sizeof(copy), "%s", v);
	for (char *save, *item = strtok_r(copy, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '=');
		unsigned long kb;
		char unit[4] = "";
		if (!eq || sscanf(item, "%lu%2[kB]=", &kb, unit) != 2 || strcmp(unit, "kB") || !kb) {
			snprintf(err, len, "'%s' is not SIZEkB=MODE (e.g. 64kB=always)", item);
			return -1;
		}
		if (option_check_choice(modes, eq + 1, err, len))
			return -1;
	}
	return 0;
}

static int check_mthp(const char *v, char *err, size_t len)
{
	return check_mthp_list(v, "always|inherit|madvise|never", err, len);
}

static int check_mthp_shmem(const char *v, char *err, size_t len)
{
	return check_mthp_list(v, "always|inherit|within_size|advise|never", err, len);
}

/* "lru_add_drain_all, lru_add_drain": C identifiers (a kernel symbol may
 * carry a ".isra.0"-like suffix), whether this kernel has them is the
 * run's to say. */
static int check_function_names(const char *v, char *err, size_t len)
{
	char copy[OPT_STRING_MAX];

	snprintf(copy, sizeof(copy), "%s", v);
	for (char *save, *n = strtok_r(copy, ", ", &save); n; n = strtok_r(NULL, ", ", &save))
		if (strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != strlen(n) ||
		    (*n >= '0' && *n <= '9')) {
			snprintf(err, len, "'%s' is not a kernel function name", n);
			return -1;
		}
	return 0;
}

static int opt_backend(const char *v, void *f, char *err, size_t len)
{
	const struct pin_backend *b = pin_backend_find(v);

	if (!b) {
		snprintf(err, len, "unknown backend '%s' (known: %s)", v, pin_backend_names());
		return -1;
	}
	*(const struct pin_backend **)f = b;
	return 0;
}

static int opt_memory(const char *v, void *f, char *err, size_t len)
{
	const struct memory_type *m = memory_type_find(v);

	if (!m) {
		snprintf(err, len, "unknown memory type '%s' (known: %s)", v, memory_type_names());
		return -1;
	}
	*(const struct memory_type **)f = m;
	return 0;
}

/* "all", or a list such as "0,2-3" */
static int opt_nodes(const char *v, void *f, char *err, size_t len)
{
	struct pin_job *job = f;

	job->nnodes = 0;
	job->all_nodes = !strcmp(v, "all");
	return job->all_nodes ? 0 : node_list_parse(v, job->nodes, &job->nnodes, err, len);
}

/* ---- option tables ---- */

/* A count (read as any count key is), or "auto": until the verdict
 * against baseline is decided. */
static int opt_runs(const char *v, void *f, char *err, size_t len)
{
	static const struct scenario_key count = OPT_COUNT(struct scenario_global, runs, "runs", "1", "");
	struct scenario_global *g = f;

	g->runs_auto = !strcmp(v, "auto");
	return g->runs_auto ? 0 : option_parse(&count, v, g, err, len);
}

#define G struct scenario_global
static const struct scenario_key global_options[] = {
	OPT_WHOLE(G, "runs", "1", opt_runs,
		  "repetitions of the whole scenario, or auto: runs until the median pin latency is decided "
		  "against baseline, at most max_runs and max_time"),
	OPT_COUNT(G, max_runs, "max_runs", "20", "runs = auto: the most runs"),
	OPT_DURATION(G, max_time_ns, "max_time", "30m", "runs = auto: no run starts after this"),
	OPT_STRING(G, baseline, "baseline", "", NULL,
		   "runs = auto: the run directory (or directory of them) of the same scenario to decide against"),
	OPT_UINT(G, seed, "seed", NULL, 0, UINT64_MAX,
		 "seed of the page contents written at populate (default: from the clock; recorded)"),
	OPT_ANY_SIZE(G, movable, "movable", "0",
		     "ZONE_MOVABLE to have per node for the run, the stand-in for CMA (0: leave as is)"),
	OPT_CHOICE(G, thp, "thp", "", "|always|madvise|never", "transparent_hugepage/enabled for the run"),
	OPT_CHOICE(G, shmem_thp, "shmem_thp", "", "|always|within_size|advise|never|deny|force",
		   "transparent_hugepage/shmem_enabled for the run (memfd THP needs advise or always)"),
	OPT_STRING(G, mthp, "mthp", "", check_mthp,
		   "per-size THP for the run, e.g. 64kB=always,2048kB=inherit (hugepages-*/enabled)"),
	OPT_STRING(G, mthp_shmem, "mthp_shmem", "", check_mthp_shmem,
		   "per-size shmem THP for the run, e.g. 2048kB=advise (hugepages-*/shmem_enabled)"),
	OPT_DURATION(G, vmstat_interval_ns, "vmstat_interval", "100ms", "period of the background /proc/vmstat sampler"),
	OPT_DURATION(G, pin_timeout_ns, "pin_timeout", "2m",
		     "a pin call still running after this is reported as a hang, with its kernel stack, and ends "
		     "the run (0: wait forever)"),
	OPT_UINT(G, warmup, "warmup", "0", 0, UINT64_MAX,
		 "the first N iterations of every pin job in each run are a warm-up: kept in samples.csv, left out of "
		 "the statistics"),
	OPT_STRING(G, profile_functions, "profile_functions", "", check_function_names,
		   "kernel functions to count and time over each run, e.g. lru_add_drain_all,lru_add_drain (the "
		   "function profiler: a kernel built with kernel/tracing.config)"),
	OPT_BOOL(G, sequential, "sequential", "no",
		 "yes: the pin jobs of each run take turns in the order written, each alone (a side-by-side of "
		 "backends); no: they all pin at once"),
};
#undef G

#define J struct pin_job
static const struct scenario_key pin_options[] = {
	OPT_TYPE("pin"),
	OPT_CUSTOM(J, backend, "backend", "io_uring", opt_backend, pin_backend_names,
		   "how to pin (the backend's own keys follow below)"),
	OPT_CUSTOM(J, memory, "memory", "anon", opt_memory, memory_type_names, "the memory pinned"),
	OPT_WHOLE(J, "nodes", "all", opt_nodes, "NUMA nodes to pin on, 'all' or a list such as 0,2-3"),
	OPT_ANY_SIZE(J, size, "size", NULL, "bytes to pin per node (required)"),
	OPT_ANY_SIZE(J, chunk, "chunk", NULL, "bytes per pin call (default: size, at most the backend's limit)"),
	OPT_COUNT(J, iterations, "iterations", "1", "pin/hold/unpin cycles per run"),
	OPT_BOOL(J, reuse, "reuse", "no",
		 "no: map and populate fresh memory every iteration; yes: pin the same memory again"),
	OPT_DURATION(J, hold_ns, "hold", "0", "how long to keep the pins before unpinning"),
	OPT_BOOL(J, dirty, "dirty", "yes",
		 "yes: write every page before pinning; no: populate by reading (memfd types only: clean shmem pages)"),
};
#undef J

/* ---- interpretation of the entries ini_doc read ---- */

#define JOB_ERROR(key, ...)                                                              \
	do {                                                                             \
		const struct ini_entry *e_ = ini_doc_find(r, job->name, key);                  \
		size_t o_ = 0;                                                           \
		appendf(r->err, r->errlen, &o_, "%s:%u: [%s] key '%s': ", r->name,       \
			e_ ? e_->line : ini_doc_section_line(r, job->name), job->name, key); \
		appendf(r->err, r->errlen, &o_, __VA_ARGS__);                            \
		return -1;                                                               \
	} while (0)

/* Checks that need several keys of a pin job. */
static int check_pin_job(struct ini_doc *r, struct pin_job *job)
{
	char a[32], b[32];
	uint64_t page = job->memory->page_size, max = job->backend->max_chunk;

	if (!ini_doc_find(r, job->name, "size"))
		JOB_ERROR("size", "is required (bytes to pin per node, e.g. size = 256M)");
	if (job->size == 0 || job->size % page) {
		format_size(page, a, sizeof(a));
		JOB_ERROR("size", "must be a non-zero multiple of %s for memory = %s", a, job->memory->name);
	}
	if (!ini_doc_find(r, job->name, "chunk"))
		job->chunk = max && job->size > max ? max : job->size;
	if (job->chunk == 0 || job->chunk % page) {
		format_size(page, a, sizeof(a));
		JOB_ERROR("chunk", "must be a non-zero multiple of %s for memory = %s", a, job->memory->name);
	}
	if (max && job->chunk > max) {
		format_size(max, a, sizeof(a));
		JOB_ERROR("chunk", "is larger than %s, the most backend %s pins in one call", a,
			  job->backend->name);
	}
	if (job->chunk > job->size || job->size % job->chunk) {
		format_size(job->chunk, a, sizeof(a));
		format_size(job->size, b, sizeof(b));
		JOB_ERROR("chunk", "%s does not divide size (%s) into whole chunks", a, b);
	}
	if (job->size / job->chunk > PB_MAX_CHUNKS)
		JOB_ERROR("chunk", "makes %" PRIu64 " chunks per node; at most %d are supported",
			  job->size / job->chunk, PB_MAX_CHUNKS);
	if (job->backend->whole_client && job->chunk != job->size)
		JOB_ERROR("chunk", "backend %s starts one client a pin, holding the device, so a worker pins one "
			  "chunk: make chunk = size", job->backend->name);
	if (job->backend->whole_client && !job->memory->shared_file)
		JOB_ERROR("memory", "backend %s maps the memory in another process: memory = memfd or memfd-thp",
			  job->backend->name);
	if (!job->dirty && !job->memory->shared_file)
		JOB_ERROR("dirty", "= no needs memory = memfd or memfd-thp (anonymous memory read-faults "
			  "to the shared zero page, which is never migrated)");
	const struct ini_entry *nodes = ini_doc_find(r, job->name, "nodes");
	job->nodes_line = nodes ? nodes->line : ini_doc_section_line(r, job->name);
	return 0;
}

/* "pin, pagecache, drop-caches, ..." */
static void type_names(char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "pin");

	for (size_t i = 0; stressor_at(i) && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, ", %s", stressor_at(i)->type);
}

/* "FILE:LINE: [section] key 'k': why", the line the key's, or the
 * section's when the key is not given. Returns -1. */
static int key_error(struct ini_doc *r, const char *section, const char *key, const char *why)
{
	const struct ini_entry *e = ini_doc_find(r, section, key);

	snprintf(r->err, r->errlen, "%s:%u: [%s] key '%s': %s", r->name,
		 e ? e->line : ini_doc_section_line(r, section), section, key, why);
	return -1;
}

/* The section's keys go to the job's table and to its backend's, which
 * the backend key names: that one is read first. */
static int add_pin_job(struct ini_doc *r, struct scenario *sc, const char *section)
{
	const struct ini_entry *backend = ini_doc_find(r, section, "backend");
	char why[256];

	sc->jobs = xrealloc(sc->jobs, (sc->njobs + 1) * sizeof(*sc->jobs));
	struct pin_job *job = &sc->jobs[sc->njobs++];
	memset(job, 0, sizeof(*job));
	snprintf(job->name, sizeof(job->name), "%s", section);
	if (option_defaults(pin_options, ARRAY_SIZE(pin_options), job, r->err, r->errlen))
		return -1;
	if (backend && opt_backend(backend->value, &job->backend, why, sizeof(why)))
		return key_error(r, section, "backend", why);
	job->backend_cfg = pin_backend_defaults(job->backend);
	struct option_set sets[] = {
		{ pin_options, ARRAY_SIZE(pin_options), job },
		{ job->backend->options, job->backend->noptions, job->backend_cfg },
	};
	if (ini_doc_apply_sets(r, section, sets, ARRAY_SIZE(sets)))
		return -1;
	return check_pin_job(r, job);
}

static int add_stressor(struct ini_doc *r, struct scenario *sc, const char *section,
			const struct stressor *st)
{
	const char *key = NULL;
	char why[256];

	sc->stressors = xrealloc(sc->stressors, (sc->nstressors + 1) * sizeof(*sc->stressors));
	struct stressor_job *sj = &sc->stressors[sc->nstressors++];
	memset(sj, 0, sizeof(*sj));
	snprintf(sj->name, sizeof(sj->name), "%s", section);
	sj->stressor = st;
	sj->cfg = xcalloc(1, st->config_size);
	if (ini_doc_apply_with_defaults(r, section, st->options, st->noptions, sj->cfg))
		return -1;
	if (st->check && st->check(sj->cfg, &key, why, sizeof(why)))
		return key_error(r, section, key, why);
	return 0;
}

/* A range stressor's keys against the jobs' pin ranges. */
static int check_range(struct ini_doc *r, const struct scenario *sc, const struct stressor_job *sj)
{
	uint64_t smallest = UINT64_MAX;
	const char *key = NULL;
	char why[256];

	if (!sj->stressor->check_range)
		return 0;
	for (size_t j = 0; j < sc->njobs; j++)
		if (sc->jobs[j].chunk < smallest)
			smallest = sc->jobs[j].chunk;
	if (!sj->stressor->check_range(sj->cfg, smallest, &key, why, sizeof(why)))
		return 0;
	return key_error(r, sj->name, key, why);
}

static int interpret(struct ini_doc *r, struct scenario *sc)
{
	char known[512];
	size_t nsections;
	const char **sections;
	int ret = 0;

	if (ini_doc_apply_with_defaults(r, "global", global_options, ARRAY_SIZE(global_options), &sc->global))
		return -1;
	sc->global.seed_given = ini_doc_find(r, "global", "seed") != NULL;
	const struct ini_entry *movable = ini_doc_find(r, "global", "movable");
	sc->global.movable_line = movable ? movable->line : 0;

	/* Job sections, in the order they first appear. */
	sections = ini_doc_sections(r, &nsections);
	for (size_t i = 0; i < nsections && !ret; i++) {
		const char *section = sections[i];
		if (!strcmp(section, "global"))
			continue;
		if (!strcmp(section, "sweep")) {
			snprintf(r->err, r->errlen, "%s:%u: [sweep] describes a capacity sweep: run this file with "
				 "'pinbench capacity'", r->name, ini_doc_section_line(r, section));
			ret = -1;
			break;
		}
		/* Section names are the job's field in samples.csv. */
		bool bad = strpbrk(section, ",\"") != NULL;
		for (const char *c = section; *c; c++)
			bad |= (unsigned char)*c < 0x20 || *c == 0x7f;
		if (bad) {
			snprintf(r->err, r->errlen, "%s:%u: [%s]: a section name may not hold a comma, a double "
				 "quote or a control character (it names the job in samples.csv)", r->name,
				 ini_doc_section_line(r, section), section);
			ret = -1;
			break;
		}
		const struct ini_entry *type = ini_doc_find(r, section, "type");
		type_names(known, sizeof(known));
		if (!type) {
			snprintf(r->err, r->errlen, "%s:%u: [%s] has no 'type =' key (known types: %s)",
				 r->name, ini_doc_section_line(r, section), section, known);
			ret = -1;
			break;
		}
		const struct stressor *st = stressor_find(type->value);
		if (strcmp(type->value, "pin") && !st) {
			snprintf(r->err, r->errlen, "%s:%u: [%s] key 'type': unknown type '%s' (known: %s)",
				 r->name, type->line, section, type->value, known);
			ret = -1;
			break;
		}
		ret = st ? add_stressor(r, sc, section, st) : add_pin_job(r, sc, section);
	}
	free(sections);
	if (!ret && !sc->njobs) {
		snprintf(r->err, r->errlen, "%s: no pin job (add e.g. [pin] with type = pin)", r->name);
		ret = -1;
	}
	for (size_t i = 0; !ret && i < sc->nstressors; i++)
		ret = check_range(r, sc, &sc->stressors[i]);
	if (!ret && sc->global.runs_auto && !sc->global.baseline[0])
		ret = key_error(r, "global", "runs", "auto needs baseline = DIR: the runs its verdict is against");
	if (!ret && !sc->global.runs_auto && sc->global.baseline[0])
		ret = key_error(r, "global", "baseline", "is for runs = auto");
	if (!ret && sc->global.runs_auto && sc->global.max_runs < 2)
		ret = key_error(r, "global", "max_runs", "must be at least 2: a look needs two runs");
	if (sc->global.runs_auto)
		sc->global.runs = sc->global.max_runs;
	for (size_t i = 0; !ret && i < sc->njobs; i++)
		if (sc->global.warmup >= sc->jobs[i].iterations) {
			snprintf(known, sizeof(known), "leaves no iteration of [%s] (iterations = %" PRIu64 ") to measure",
				 sc->jobs[i].name, sc->jobs[i].iterations);
			ret = key_error(r, "global", "warmup", known);
		}
	return ret;
}

int scenario_parse(const char *name, const char *text, struct scenario *sc, char *err, size_t errlen)
{
	struct ini_doc d = { .name = name, .hint = " (start with [global])", .err = err, .errlen = errlen };
	int ret;

	memset(sc, 0, sizeof(*sc));
	ret = ini_doc_parse(&d, text);
	if (ret == 0)
		ret = interpret(&d, sc);
	ini_doc_free(&d);
	if (ret) {
		scenario_free(sc);
		return -1;
	}
	return 0;
}

int scenario_load(const char *path, struct scenario *sc, char *err, size_t errlen)
{
	char *text;
	const char *base;

	/* The path is recorded in run.json, which must be UTF-8. */
	if (!utf8_valid(path, strlen(path))) {
		snprintf(err, errlen, "%s: the file name is not UTF-8 (rename the file)", path);
		return -1;
	}
	text = ini_doc_read(path, err, errlen);
	if (!text)
		return -1;
	if (scenario_parse(path, text, sc, err, errlen)) {
		free(text);
		return -1;
	}
	sc->path = xstrdup(path);
	sc->text = text;
	base = path_base(path);
	size_t n = strlen(base);
	sc->name = n >= 4 && !strcmp(base + n - 4, ".ini") ? xstrndup(base, n - 4) : xstrdup(base);
	return 0;
}

int scenario_parse_nodes(const char *text, struct pin_job *job, char *err, size_t errlen)
{
	return opt_nodes(text, job, err, errlen);
}

void scenario_free(struct scenario *sc)
{
	free(sc->path);
	free(sc->name);
	free(sc->text);
	for (size_t i = 0; i < sc->njobs; i++)
		free(sc->jobs[i].backend_cfg);
	free(sc->jobs);
	for (size_t i = 0; i < sc->nstressors; i++)
		free(sc->stressors[i].cfg);
	free(sc->stressors);
	memset(sc, 0, sizeof(*sc));
}

static void print_table(const char *title, const struct scenario_key *opts, size_t n)
{
	char takes[320];

	if (!n)
		return;
	printf("%s\n", title);
	for (size_t i = 0; i < n; i++) {
		option_describe(&opts[i], takes, sizeof(takes));
		printf("  %-16s %-10s %s%s%s%s\n", opts[i].key, opts[i].def && *opts[i].def ? opts[i].def : "-",
		       opts[i].help, *takes ? " [" : "", takes, *takes ? "]" : "");
	}
}

/* The tables in the order they are listed: global, pin, each backend's,
 * each stressor's. */
const struct scenario_key *scenario_table_at(size_t i, size_t *n, const char **title, size_t *struct_size)
{
	static char buf[256];
	size_t nb = 0;

	while (pin_backend_at(nb))
		nb++;
	if (i == 0) {
		*n = ARRAY_SIZE(global_options), *struct_size = sizeof(struct scenario_global);
		*title = "[global]";
		return global_options;
	}
	if (i == 1) {
		*n = ARRAY_SIZE(pin_options), *struct_size = sizeof(struct pin_job);
		*title = "\n[any name]  type = pin: pins memory on each node";
		return pin_options;
	}
	if (i - 2 < nb) {
		const struct pin_backend *b = pin_backend_at(i - 2);
		snprintf(buf, sizeof(buf), "\n  type = pin, backend = %s: %s", b->name, b->summary);
		*n = b->noptions, *struct_size = b->config_size, *title = buf;
		return b->options ? b->options : pin_options; /* n = 0: nothing listed */
	}
	const struct stressor *st = stressor_at(i - 2 - nb);
	if (!st)
		return NULL;
	snprintf(buf, sizeof(buf), "\n[any name]  type = %s: %s", st->type, st->summary);
	*n = st->noptions, *struct_size = st->config_size, *title = buf;
	return st->options;
}

void scenario_print_keys(void)
{
	const struct scenario_key *t;
	const char *title;
	size_t n, size;

	for (size_t i = 0; (t = scenario_table_at(i, &n, &title, &size)); i++)
		print_table(title, t, n);
}
