/* fragment: fills non-movable memory with unmovable pages (pipe buffers
 * are allocated without __GFP_MOVABLE) written round-robin across many
 * pipes, then closes a pattern of the pipes. The freed pages lie between
 * pages still held, so no THP-sized (order 9) block forms from them and a
 * THP migration target cannot be allocated: the kernel has to split the
 * THP instead, as in the second seed report. `keep_every = 512` keeps one
 * page of every 2 MiB and frees the rest, which fragments as much memory
 * while holding almost none. `rings = SIZE` then takes what free order-9
 * blocks remain outside ZONE_MOVABLE with io_uring rings (a 32768-entry
 * ring's SQE array is one unmovable order-9 allocation), so that the
 * rest of the machine still has memory, only none in THP-sized pieces.
 *
 * `size = auto` and `rings = auto` size both from what is free when the
 * stressor starts, so that one scenario provokes in any guest: size is the
 * memory a long-term pin's migration target may come from (free pages of
 * the zones other than Movable, less the free CMA pages: zoneinfo), less
 * a reserve; the rings then take every order-9 block left there. Which
 * blocks count is read from /proc/pagetypeinfo (root), which tells CMA
 * blocks apart: an unmovable allocation never gets one, so counting them
 * (as buddyinfo does) would take rings until memory ran out.
 * Reports the fraction of free memory in order >= 9 blocks of the
 * non-movable zones before and after, where those left lie and why the
 * rings stopped (take_high_order), and the sizes chosen. */
#include "config.h"
#include "harness.h"
#include "stressor.h"
#include "util.h"
#include "files.h"
#include "log.h"
#include "zoneinfo.h"

#include <errno.h>
#include <liburing.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Bytes each pipe holds: with CAP_SYS_RESOURCE beyond fs.pipe-max-size
 * (1 MiB), which keeps the number of pipes (two fds each) low. */
#define PIPE_BYTES_BIG (16 << 20)
#define PIPE_BYTES (1 << 20)
#define FILL_GROUP_MAX 2048 /* pipes filled round-robin at a time */
#define SPARE_FDS 256        /* for everything else the run opens */
#define RING_ENTRIES 32768   /* 64-byte SQEs: a 2 MiB (order-9) array */
#define RING_BYTES (3 << 20) /* the SQE array and the CQ ring */
#define MAX_RINGS 65536
/* size = auto keeps this much (or 1/16 of the free memory, if more) out of
 * the fragmenter, for the rest of the guest while it fills. */
#define AUTO_RESERVE (96ULL << 20)
#define SIZE_AUTO UINT64_MAX /* "auto" in the option table */

struct frag_cfg {
	uint64_t size;
	uint64_t free_every, keep_every;
	uint64_t rings; /* bytes of io_uring rings at most */
};

struct frag_state {
	struct frag_cfg cfg; /* with auto sizes resolved */
	size_t npipes, pipe_bytes, group;
	int *fds; /* 2 per pipe; -1 once closed */
	struct io_uring *rings;
	size_t nrings;
	double before, after;
	uint64_t held, freed;
	int rings_stop;  /* enum rings_stop */
	int rings_errno; /* of a ring that could not be made, but for ENOMEM */
	json_t *left;    /* pagetypeinfo_high_blocks() after the rings, for the report */
};

static const struct scenario_key frag_options[] = {
	OPT_TYPE("fragment"),
	OPT_SIZE_OR_WORD(struct frag_cfg, size, "size", "1G", "auto",
		   "unmovable memory to allocate; auto: what is free outside ZONE_MOVABLE and CMA when it starts, "
		   "less a reserve (96 MiB or 1/16)"),
	OPT_COUNT(struct frag_cfg, free_every, "free_every", "2",
		  "close 1 pipe of every N (N=2: half the memory is freed, interleaved)"),
	OPT_UINT(struct frag_cfg, keep_every, "keep_every", "0", 0, UINT64_MAX,
		 "instead keep 1 pipe of every N and close the rest (512: one page per 2 MiB held; 1 is refused)"),
	OPT_SIZE_OR_WORD(struct frag_cfg, rings, "rings", "0", "auto",
		   "then take free order-9 blocks left outside ZONE_MOVABLE and CMA with io_uring rings, up to this "
		   "much memory (3 MiB a ring); auto: until none is left"),
};

static int frag_check(const void *c, const char **key, char *err, size_t len)
{
	const struct frag_cfg *cfg = c;

	if (!cfg->free_every || cfg->keep_every == 1) {
		*key = cfg->free_every ? "keep_every" : "free_every";
		snprintf(err, len, "must be at least %d", cfg->free_every ? 2 : 1);
		return -1;
	}
	return 0;
}

/* Whether pipe i is closed once filled. */
static bool pipe_freed(const struct frag_cfg *cfg, size_t i)
{
	return cfg->keep_every ? i % cfg->keep_every != 0 : i % cfg->free_every == 0;
}

/* What it holds at most: an auto size is free memory less a reserve by
 * construction, and holds 1/keep_every of it once the pattern is freed. */
static uint64_t frag_memory(const void *c, size_t nnodes)
{
	const struct frag_cfg *cfg = c;

	(void)nnodes;
	return (cfg->size == SIZE_AUTO ? 0 : cfg->size) + (cfg->rings == SIZE_AUTO ? 0 : cfg->rings);
}

/* Adds the free counts per order from q to eol (a line of buddyinfo or
 * pagetypeinfo after its zone, ">100000" read as 100000) to *all, and those
 * of order >= 9 to *high, in pages. */
static void add_orders(const char *q, const char *eol, uint64_t *high, uint64_t *all)
{
	for (int order = 0; q < eol; order++) {
		char *end;
		q += strspn(q, " >");
		unsigned long long n = strtoull(q, &end, 10);
		if (end == q)
			break;
		*all += (uint64_t)n << order;
		if (order >= 9)
			*high += (uint64_t)n << order;
		q = end;
	}
}

/* The free memory of the zones other than Movable, and the part in blocks
 * of order >= 9, in bytes, from /proc/buddyinfo's text. */
static void buddyinfo_free(const char *text, uint64_t *high, uint64_t *all)
{
	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');
		char zone[32];
		int node, used;
		if (sscanf(p, "Node %d, zone %31s%n", &node, zone, &used) == 2 && strcmp(zone, "Movable"))
			add_orders(p + used, eol, high, all);
		p = *eol ? eol + 1 : eol;
	}
	*high *= 4096;
	*all *= 4096;
}

/* Of the free memory of the zones other than Movable, the fraction in
 * blocks of order >= 9 (/proc/buddyinfo's text). */
double buddyinfo_high_order_fraction(const char *text);
double buddyinfo_high_order_fraction(const char *text)
{
	uint64_t all = 0, high = 0;

	buddyinfo_free(text, &high, &all);
	return all > 0 ? (double)high / (double)all : 0;
}

/* Calls fn for each line of /proc/pagetypeinfo's text that counts free
 * blocks of a zone other than Movable and of a type that is not CMA (or
 * isolated), with the zone, the type and the free pages of that line in
 * blocks of order >= 9 and in all. */
typedef void pagetype_fn(const char *zone, const char *type, uint64_t high, uint64_t all, void *arg);
static void pagetypeinfo_walk(const char *text, pagetype_fn *fn, void *arg)
{
	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');
		char zone[32], type[32];
		int node, used;
		if (sscanf(p, "Node %d, zone %31[^,], type %31s%n", &node, zone, type, &used) == 3 &&
		    strcmp(zone, "Movable") && strcmp(type, "CMA") && strcmp(type, "Isolate")) {
			uint64_t high = 0, all = 0;
			add_orders(p + used, eol, &high, &all);
			fn(zone, type, high, all, arg);
		}
		p = *eol ? eol + 1 : eol;
	}
}

struct free_sums {
	uint64_t high, all;
};

static void add_free(const char *zone, const char *type, uint64_t high, uint64_t all, void *arg)
{
	struct free_sums *sum = arg;

	(void)zone, (void)type;
	sum->high += high;
	sum->all += all;
}

/* Of the free memory of the zones other than Movable, in blocks that are
 * not CMA (or isolated), the bytes in blocks of order >= 9, and all of it,
 * from /proc/pagetypeinfo's text. */
void pagetypeinfo_free(const char *text, uint64_t *high, uint64_t *all);
void pagetypeinfo_free(const char *text, uint64_t *high, uint64_t *all)
{
	struct free_sums sum = { 0, 0 };

	pagetypeinfo_walk(text, add_free, &sum);
	*high = sum.high * 4096;
	*all = sum.all * 4096;
}

static void add_high_block(const char *zone, const char *type, uint64_t high, uint64_t all, void *arg)
{
	(void)all;
	if (high) {
		json_t *o = json_pack("{s:s, s:s, s:I}", "zone", zone, "type", type, "bytes", (json_int_t)(high * 4096));
		json_array_append_new(arg, o);
	}
}

/* Where the free blocks of order >= 9 outside Movable and CMA lie: an
 * array of {zone, type, bytes}, from /proc/pagetypeinfo's text. */
json_t *pagetypeinfo_high_blocks(const char *text);
json_t *pagetypeinfo_high_blocks(const char *text)
{
	json_t *arr = json_array();

	pagetypeinfo_walk(text, add_high_block, arr);
	return arr;
}

/* The free memory of the zones other than Movable outside CMA: pagetypeinfo
 * where it can be read, else buddyinfo (which cannot tell CMA apart); high
 * is the part in order >= 9 blocks. With neither, both are 0 and -1 is
 * returned. */
static int free_now(uint64_t *high, uint64_t *all)
{
	char *text = read_file("/proc/pagetypeinfo", NULL);

	*high = *all = 0;
	if (text) {
		pagetypeinfo_free(text, high, all);
		free(text);
		return 0;
	}
	text = read_file("/proc/buddyinfo", NULL);
	if (!text)
		return -1;
	buddyinfo_free(text, high, all);
	free(text);
	return 0;
}

/* The fraction of that free memory in order >= 9 blocks (-1: unreadable). */
static double high_order_now(void)
{
	uint64_t high, all;

	if (free_now(&high, &all))
		return -1;
	return all ? (double)high / (double)all : 0;
}

/* Free bytes of the zones other than Movable, less their free CMA pages:
 * where a long-term pin's migration target can come from. */
uint64_t zoneinfo_pinnable_free(const struct zoneinfo *zi);
uint64_t zoneinfo_pinnable_free(const struct zoneinfo *zi)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < zi->n; i++)
		if (strcmp(zi->zones[i].name, "Movable"))
			pages += zi->zones[i].free - (zi->zones[i].free_cma < zi->zones[i].free ? zi->zones[i].free_cma
												 : zi->zones[i].free);
	return pages * 4096;
}

/* size = auto: the pinnable free memory less the reserve, in whole pages. */
static uint64_t auto_size(void)
{
	struct zoneinfo zi = { 0 };
	uint64_t free_b = zoneinfo_read(&zi) == 0 ? zoneinfo_pinnable_free(&zi) : 0;
	uint64_t reserve = free_b / 16 > AUTO_RESERVE ? free_b / 16 : AUTO_RESERVE;

	zoneinfo_free(&zi);
	return free_b > reserve ? (free_b - reserve) & ~4095ULL : 0;
}

static size_t pipe_bytes_allowed(void)
{
	int fds[2];
	size_t bytes = PIPE_BYTES;

	if (pipe2(fds, O_CLOEXEC) == 0) {
		if (fcntl(fds[1], F_SETPIPE_SZ, PIPE_BYTES_BIG) >= 0)
			bytes = PIPE_BYTES_BIG;
		close(fds[0]);
		close(fds[1]);
	}
	return bytes;
}

/* Fills pipes [first, last) one page per pipe in turn, so neighbouring
 * allocations end up in different pipes and closing every Nth pipe later
 * frees scattered pages. The write ends are closed afterwards: a pipe
 * keeps its pages while its read end is open, so a held pipe costs one fd. */
static int fill_group(struct frag_state *s, size_t first, size_t last, atomic_int *stop)
{
	char page[4096];

	memset(page, 0xa5, sizeof(page));
	for (size_t i = first; i < last; i++) {
		if (pipe2(&s->fds[2 * i], O_CLOEXEC | O_NONBLOCK) ||
		    fcntl(s->fds[2 * i + 1], F_SETPIPE_SZ, (int)s->pipe_bytes) < 0) {
			s->fds[2 * i] = s->fds[2 * i + 1] = -1;
			return -errno;
		}
	}
	for (size_t round = 0; round < s->pipe_bytes / sizeof(page) && !*stop; round++)
		for (size_t i = first; i < last; i++)
			if (write(s->fds[2 * i + 1], page, sizeof(page)) == (ssize_t)sizeof(page))
				s->held += sizeof(page);
	for (size_t i = first; i < last; i++) {
		close(s->fds[2 * i + 1]);
		s->fds[2 * i + 1] = -1;
	}
	return 0;
}

/* Raises the soft RLIMIT_NOFILE to the hard one, and as root the hard one
 * to what is needed (a `pinbench vm` guest's init starts with 4096).
 * Returns the limit in force. */
static uint64_t raise_nofile(uint64_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (want > rl.rlim_max) {
		struct rlimit more = { want, want };
		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return want;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur;
}

/* How the memory is cut into pipes: pages go round-robin over a group of
 * pipes, so the group must span the keep/free pattern, and every pipe
 * costs one fd while held and two while filled. */
static void plan(const struct frag_cfg *cfg, size_t bytes, size_t *npipes, size_t *group)
{
	size_t period = cfg->keep_every ? cfg->keep_every : cfg->free_every;

	*npipes = (cfg->size + bytes - 1) / bytes;
	if (*npipes < 2 * period) /* smaller pipes, so that the pattern repeats */
		*npipes = cfg->size / 4096 < 2 * period ? cfg->size / 4096 : 2 * period;
	*group = *npipes < FILL_GROUP_MAX ? *npipes : FILL_GROUP_MAX;
}

static size_t max_rings(const struct frag_cfg *cfg)
{
	return cfg->rings / RING_BYTES < MAX_RINGS ? cfg->rings / RING_BYTES : MAX_RINGS;
}

static uint64_t fds_needed(const struct frag_cfg *cfg, size_t npipes, size_t group)
{
	size_t held = cfg->keep_every ? npipes / cfg->keep_every + 1 : npipes - npipes / cfg->free_every;

	return (uint64_t)(npipes > held ? npipes : held) + group + SPARE_FDS + max_rings(cfg);
}

/* The configuration with auto sizes made numbers from what is free now;
 * auto rings are bounded by what size = auto would take then. */
static struct frag_cfg resolve(const struct frag_cfg *cfg)
{
	struct frag_cfg r = *cfg;
	uint64_t free_now = r.size == SIZE_AUTO || r.rings == SIZE_AUTO ? auto_size() : 0;

	if (r.size == SIZE_AUTO)
		r.size = free_now;
	if (r.rings == SIZE_AUTO)
		r.rings = free_now;
	return r;
}

/* Whether the open files size and rings need can be had (raising the
 * limit as far as it goes); why says what is missing. */
static int enough_files(const struct frag_cfg *cfg, char *why, size_t len)
{
	size_t bytes = pipe_bytes_allowed(), npipes, group;
	size_t period = cfg->keep_every ? cfg->keep_every : cfg->free_every;

	if (cfg->size < 2 * period * 4096) {
		snprintf(why, len, "size %llu bytes is too small for its pattern of 1 in %zu pages (nothing free "
			 "outside ZONE_MOVABLE and CMA for size = auto?)", (unsigned long long)cfg->size, period);
		return -ENOMEM;
	}
	plan(cfg, bytes, &npipes, &group);
	uint64_t need = fds_needed(cfg, npipes, group), have = raise_nofile(need);
	if (have < need) {
		snprintf(why, len, "size and rings need %llu open files (%zu pipes) but RLIMIT_NOFILE allows %llu; "
			 "raise it (ulimit -n) or lower them", (unsigned long long)need, npipes, (unsigned long long)have);
		return -EMFILE;
	}
	return 0;
}

static int frag_probe(const void *c, char *why, size_t len)
{
	struct frag_cfg cfg = resolve(c);

	return enough_files(&cfg, why, len);
}

/* Why the rings stopped: the words summary.json reports. */
enum rings_stop { RINGS_NONE_LEFT, RINGS_REFUSED, RINGS_LIMIT, RINGS_STOPPED, RINGS_ERROR };
static const char *const rings_stop_words[] = {
	[RINGS_NONE_LEFT] = "none left",
	[RINGS_REFUSED] = "refused",
	[RINGS_LIMIT] = "limit",
	[RINGS_STOPPED] = "stopped",
	[RINGS_ERROR] = "error",
};
/* Rings in a row that take no order-9 block before the kernel is judged to
 * refuse the blocks left: one could meet a block freed meanwhile. */
#define REFUSED_RINGS 3

/* Creates 32768-entry rings while free order-9 blocks remain outside
 * ZONE_MOVABLE and CMA. The kernel may keep some from an unmovable
 * request (a zone at its watermark plus lowmem reserve, a HighAtomic
 * reserve): a ring then fails (6.x allocates its arrays whole) or is
 * made of base pages (7.x falls back to them), and neither would a
 * long-term pin's migration target (the same kind of request) get those
 * blocks. That is "refused", and no more rings are made. */
static enum rings_stop take_high_order(struct frag_state *s, size_t max, atomic_int *stop)
{
	uint64_t high, all, was;
	unsigned missed = 0;

	s->rings = xcalloc(max ? max : 1, sizeof(*s->rings));
	if (free_now(&high, &all))
		return RINGS_ERROR;
	for (;;) {
		if (high == 0)
			return RINGS_NONE_LEFT;
		if (s->nrings >= max)
			return RINGS_LIMIT;
		if (*stop)
			return RINGS_STOPPED;
		struct io_uring_params p = { 0 };
		int ret = io_uring_queue_init_params(RING_ENTRIES, &s->rings[s->nrings], &p);
		if (ret == -ENOMEM)
			return RINGS_REFUSED;
		if (ret) {
			s->rings_errno = -ret;
			return RINGS_ERROR;
		}
		s->nrings++;
		was = high;
		if (free_now(&high, &all))
			return RINGS_ERROR;
		missed = high < was ? 0 : missed + 1;
		if (missed == REFUSED_RINGS)
			return RINGS_REFUSED;
	}
}

/* Fills the pipes, frees the pattern, takes the rings: all before the
 * pins start, so that they meet the fragmented memory. */
static int frag_setup(struct harness *h, char *why, size_t len)
{
	atomic_int *stop = harness_env(h)->stop;
	struct frag_state *s = harness_priv(h);
	const struct frag_cfg *cfg = &s->cfg;

	/* Sized now: the zones exist, the memory of the pins is not yet taken. */
	s->cfg = resolve(harness_cfg(h));
	int ret = enough_files(cfg, why, len);
	if (ret)
		return ret;
	s->before = high_order_now();
	s->pipe_bytes = pipe_bytes_allowed();
	plan(cfg, s->pipe_bytes, &s->npipes, &s->group);
	s->pipe_bytes = (cfg->size + s->npipes - 1) / s->npipes;
	s->fds = xmalloc(2 * s->npipes * sizeof(int));
	for (size_t i = 0; i < 2 * s->npipes; i++)
		s->fds[i] = -1;
	for (size_t first = 0; first < s->npipes && !*stop; first += s->group) {
		size_t last = first + s->group < s->npipes ? first + s->group : s->npipes;
		ret = fill_group(s, first, last, stop);
		if (ret) {
			snprintf(why, len, "pipes %zu-%zu of %zu: %s (RLIMIT_NOFILE, or fs.pipe-max-size below 1 MiB?)",
				 first + 1, last, s->npipes, strerror(-ret));
			return ret;
		}
	}
	for (size_t i = 0; i < s->npipes; i++) {
		if (!pipe_freed(cfg, i))
			continue;
		close(s->fds[2 * i]);
		s->fds[2 * i] = -1;
		s->freed += s->pipe_bytes;
	}
	s->held -= s->freed < s->held ? s->freed : s->held;
	if (cfg->rings)
		s->rings_stop = take_high_order(s, max_rings(cfg), stop);
	s->after = high_order_now();
	char *text = read_file("/proc/pagetypeinfo", NULL);
	s->left = text ? pagetypeinfo_high_blocks(text) : NULL;
	free(text);
	if (s->after > 0 && cfg->rings && s->rings_stop != RINGS_REFUSED)
		pb_warn("fragment: order-9 blocks are still free outside ZONE_MOVABLE and CMA (%.1f%% of free memory) "
			"after %zu rings (%s%s%s): raise rings, or THPs may migrate whole", 100 * s->after, s->nrings,
			rings_stop_words[s->rings_stop], s->rings_errno ? ": " : "",
			s->rings_errno ? strerror(s->rings_errno) : "");
	return 0;
}

static void frag_report(struct harness *h, json_t *j)
{
	struct frag_state *s = harness_priv(h);
	const struct frag_cfg *asked = harness_cfg(h);

	json_object_set_new(j, "size", json_integer((json_int_t)s->cfg.size));
	json_object_set_new(j, "size_auto", json_boolean(asked->size == SIZE_AUTO));
	json_object_set_new(j, "rings_auto", json_boolean(asked->rings == SIZE_AUTO));
	json_object_set_new(j, "order9_free_fraction_before", json_real(s->before));
	json_object_set_new(j, "order9_free_fraction_after", json_real(s->after));
	json_object_set_new(j, "held_bytes", json_integer((json_int_t)s->held));
	json_object_set_new(j, "freed_bytes", json_integer((json_int_t)s->freed));
	json_object_set_new(j, "pipes", json_integer((json_int_t)s->npipes));
	json_object_set_new(j, "rings", json_integer((json_int_t)s->nrings));
	if (asked->rings) {
		json_object_set_new(j, "rings_stop", json_string(rings_stop_words[s->rings_stop]));
		if (s->rings_errno)
			json_object_set_new(j, "rings_error", json_string(strerror(s->rings_errno)));
	}
	if (s->left) { /* the report owns it: it runs after the teardown */
		json_object_set_new(j, "order9_left", s->left);
		s->left = NULL;
	}
}

/* Closes the rings and the pipes still held. */
static void frag_teardown(struct harness *h)
{
	struct frag_state *s = harness_priv(h);

	for (size_t i = 0; i < s->nrings; i++)
		io_uring_queue_exit(&s->rings[i]);
	free(s->rings);
	for (size_t i = 0; s->fds && i < 2 * s->npipes; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s->fds);
}

static const struct harness_ops frag_ops = {
	.priv_size = sizeof(struct frag_state),
	.setup = frag_setup,
	.report = frag_report,
	.teardown = frag_teardown,
};
HARNESS_START(frag_start, frag_ops)

const struct stressor stressor_fragment = {
	.type = "fragment",
	.summary = "fills non-movable zones with pipe buffers and frees a pattern: no order-9 blocks left",
	.options = frag_options,
	.noptions = ARRAY_SIZE(frag_options),
	.config_size = sizeof(struct frag_cfg),
	.check = frag_check,
	.probe = frag_probe,
	.memory = frag_memory,
	.start = frag_start,
	.stop = harness_stop,
};
