#include "config.h"
#include "scenario.h"
#include "ini_doc.h"
#include "options.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsers of this file's own keys (the rest are in lib/options.c) ---- */

static int opt_thp(const char *v, void *f, char *err, size_t len)
{
	static const char *const modes[] = { "", "always", "madvise", "never" };

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(v, modes[i])) {
			snprintf(f, 16, "%s", v);
			return 0;
		}
	}
	snprintf(err, len, "'%s' is not always, madvise or never", v);
	return -1;
}

static int opt_shmem_thp(const char *v, void *f, char *err, size_t len)
{
	return *v ? opt_choice(v, "always|within_size|advise|never|deny|force", f, err, len) : opt_string(v, f, err, len);
}

/* "64kB=always, 2048kB=inherit": per-size THP controls. */
static int opt_mthp_list(const char *v, void *f, const char *modes, char *err, size_t len)
{
	char copy[OPT_STRING_MAX], mode[OPT_STRING_MAX];

	if (opt_string(v, copy, err, len))
		return -1;
	for (char *save, *item = strtok_r(copy, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '=');
		unsigned long kb;
		char unit[4] = "";
		if (!eq || sscanf(item, "%lu%2[kB]=", &kb, unit) != 2 || strcmp(unit, "kB") || !kb) {
			snprintf(err, len, "'%s' is not SIZEkB=MODE (e.g. 64kB=always)", item);
			return -1;
		}
		if (opt_choice(eq + 1, modes, mode, err, len))
			return -1;
	}
	return opt_string(v, f, err, len);
}

static int opt_mthp(const char *v, void *f, char *err, size_t len)
{
	return opt_mthp_list(v, f, "always|inherit|madvise|never", err, len);
}

static int opt_mthp_shmem(const char *v, void *f, char *err, size_t len)
{
	return opt_mthp_list(v, f, "always|inherit|within_size|advise|never", err, len);
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
	const char *p = v;

	job->nnodes = 0;
	job->all_nodes = !strcmp(v, "all");
	if (job->all_nodes)
		return 0;
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi;
		if (end == p || lo < 0 || lo >= PB_MAX_NODES)
			goto bad;
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi >= PB_MAX_NODES)
				goto bad;
		}
		for (long n = lo; n <= hi; n++) {
			for (unsigned i = 0; i < job->nnodes; i++) {
				if (job->nodes[i] == n) {
					snprintf(err, len, "node %ld is listed twice", n);
					return -1;
				}
			}
			job->nodes[job->nnodes++] = (int)n;
		}
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (job->nnodes)
		return 0;
bad:
	snprintf(err, len, "'%s' is not 'all' or a node list such as 0,2-3", v);
	return -1;
}

/* ---- option tables ---- */

#define G(field) offsetof(struct scenario_global, field)
static const struct scenario_key global_options[] = {
	{ "runs", "1", opt_count, G(runs), "repetitions of the whole scenario" },
	{ "seed", NULL, opt_u64, G(seed), "seed of the page contents written at populate (default: from the clock; recorded)" },
	{ "movable", "0", opt_size, G(movable), "ZONE_MOVABLE to have per node for the run, the stand-in for CMA (0: leave as is)" },
	{ "thp", "", opt_thp, G(thp), "transparent_hugepage/enabled for the run: always, madvise or never" },
	{ "shmem_thp", "", opt_shmem_thp, G(shmem_thp), "transparent_hugepage/shmem_enabled for the run (memfd THP needs advise or always)" },
	{ "mthp", "", opt_mthp, G(mthp), "per-size THP for the run, e.g. 64kB=always,2048kB=inherit (hugepages-*/enabled)" },
	{ "mthp_shmem", "", opt_mthp_shmem, G(mthp_shmem), "per-size shmem THP for the run, e.g. 2048kB=advise (hugepages-*/shmem_enabled)" },
	{ "vmstat_interval", "100ms", opt_duration, G(vmstat_interval_ns), "period of the background /proc/vmstat sampler" },
	{ "pin_timeout", "2m", opt_duration, G(pin_timeout_ns), "a pin call still running after this is reported as a hang, with its kernel stack, and ends the run (0: wait forever)" },
	{ "warmup", "0", opt_u64, G(warmup), "the first N iterations of every pin job in each run are a warm-up: kept in samples.csv, left out of the statistics" },
};
#undef G

#define J(field) offsetof(struct pin_job, field)
static const struct scenario_key pin_options[] = {
	{ "type", NULL, NULL, 0, "pin" },
	{ "backend", "io_uring", opt_backend, J(backend), "how to pin: io_uring, af_xdp, vfio" },
	{ "memory", "anon", opt_memory, J(memory), "anon, anon-thp, memfd, memfd-thp, hugetlb" },
	{ "nodes", "all", opt_nodes, 0 /* the whole job */, "NUMA nodes to pin on, 'all' or a list such as 0,2-3" },
	{ "size", NULL, opt_size, J(size), "bytes to pin per node (required)" },
	{ "chunk", NULL, opt_size, J(chunk), "bytes per pin call (default: size, at most the backend's limit)" },
	{ "iterations", "1", opt_count, J(iterations), "pin/hold/unpin cycles per run" },
	{ "reuse", "no", opt_bool, J(reuse), "no: map and populate fresh memory every iteration; yes: pin the same memory again" },
	{ "hold", "0", opt_duration, J(hold_ns), "how long to keep the pins before unpinning" },
	{ "dirty", "yes", opt_bool, J(dirty), "yes: write every page before pinning; no: populate by reading (memfd types only: clean shmem pages)" },
	{ "device", "auto", opt_string, J(device), "vfio: the PCI device (DOMAIN:BUS:DEV.FN) bound to vfio-pci to map for; auto: the first one" },
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
	if (!job->dirty && strncmp(job->memory->name, "memfd", 5))
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

static int add_pin_job(struct ini_doc *r, struct scenario *sc, const char *section)
{
	sc->jobs = xrealloc(sc->jobs, (sc->njobs + 1) * sizeof(*sc->jobs));
	struct pin_job *job = &sc->jobs[sc->njobs++];
	memset(job, 0, sizeof(*job));
	snprintf(job->name, sizeof(job->name), "%s", section);
	if (ini_doc_apply_with_defaults(r, section, pin_options, ARRAY_SIZE(pin_options), job))
		return -1;
	return check_pin_job(r, job);
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
	char *text, *copy, *base;

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
	copy = xstrdup(path);
	base = basename(copy);
	char *dot = strrchr(base, '.');
	if (dot && !strcmp(dot, ".ini"))
		*dot = '\0';
	sc->name = xstrdup(base);
	free(copy);
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
	free(sc->jobs);
	for (size_t i = 0; i < sc->nstressors; i++)
		free(sc->stressors[i].cfg);
	free(sc->stressors);
	memset(sc, 0, sizeof(*sc));
}

static void print_table(const char *title, const struct scenario_key *opts, size_t n)
{
	printf("%s\n", title);
	for (size_t i = 0; i < n; i++)
		printf("  %-16s %-10s %s\n", opts[i].key, opts[i].def && *opts[i].def ? opts[i].def : "-",
		       opts[i].help);
}

void scenario_print_keys(void)
{
	print_table("[global]", global_options, ARRAY_SIZE(global_options));
	print_table("\n[any name]  type = pin: pins memory on each node", pin_options, ARRAY_SIZE(pin_options));
	for (size_t i = 0; stressor_at(i); i++) {
		const struct stressor *st = stressor_at(i);
		char title[256];
		snprintf(title, sizeof(title), "\n[any name]  type = %s: %s", st->type, st->summary);
		print_table(title, st->options, st->noptions);
	}
}
