/* fragment: fills non-movable memory with unmovable pages (pipe buffers
 * are allocated without __GFP_MOVABLE) written round-robin across many
 * pipes, then closes a pattern of the pipes. The freed pages lie between
 * pages still held, so no THP-sized (order 9) block forms from them and a
 * THP migration target cannot be allocated: the kernel has to split the
 * THP instead, as in the second seed report. Reports the fraction of free
 * memory in order >= 9 blocks of the non-movable zones (/proc/buddyinfo)
 * before and after. */
#include "config.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
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
#define FILL_GROUP 2048 /* pipes filled round-robin at a time */

struct frag_cfg {
	uint64_t size;
	uint64_t free_every;
};

struct frag_state {
	size_t npipes, pipe_bytes;
	int *fds; /* 2 per pipe; -1 once closed */
	double before, after;
	uint64_t held, freed;
};

static const struct scenario_key frag_options[] = {
	{ "type", NULL, NULL, 0, "fragment" },
	{ "size", "1G", opt_size, offsetof(struct frag_cfg, size), "unmovable memory to allocate" },
	{ "free_every", "2", opt_count, offsetof(struct frag_cfg, free_every), "close 1 pipe of every N (N=2: half the memory is freed, interleaved)" },
};

static uint64_t frag_memory(const void *c, size_t nnodes)
{
	(void)nnodes;
	return ((const struct frag_cfg *)c)->size;
}

/* Of the free memory of the zones other than Movable, the fraction in
 * blocks of order >= 9 (/proc/buddyinfo's text). */
double buddyinfo_high_order_fraction(const char *text);
double buddyinfo_high_order_fraction(const char *text)
{
	double all = 0, high = 0;

	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');
		char zone[32];
		int node, used;
		if (sscanf(p, "Node %d, zone %31s%n", &node, zone, &used) == 2 && strcmp(zone, "Movable")) {
			const char *q = p + used;
			for (int order = 0; q < eol; order++) {
				char *end;
				unsigned long long n = strtoull(q, &end, 10);
				if (end == q)
					break;
				all += (double)n * (double)(1ULL << order);
				if (order >= 9)
					high += (double)n * (double)(1ULL << order);
				q = end;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	return all > 0 ? high / all : 0;
}

static double high_order_now(void)
{
	char *text = read_file("/proc/buddyinfo", NULL);
	double f = text ? buddyinfo_high_order_fraction(text) : -1;

	free(text);
	return f;
}

static json_t *frag_stop(void *state);

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

/* One fd per held pipe, two per pipe of the group being filled. */
static int frag_probe(const void *c, char *why, size_t len)
{
	const struct frag_cfg *cfg = c;
	struct rlimit rl;
	size_t bytes = pipe_bytes_allowed(), pipes = (cfg->size + bytes - 1) / bytes;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (pipes + 2 * FILL_GROUP + 256 > rl.rlim_max) {
		snprintf(why, len, "size needs %zu pipes of %zu MiB but RLIMIT_NOFILE allows %llu open files; "
			 "at most about %llu MiB here", pipes, bytes >> 20, (unsigned long long)rl.rlim_max,
			 (unsigned long long)(rl.rlim_max - 2 * FILL_GROUP - 256) * (bytes >> 20));
		return -EMFILE;
	}
	return 0;
}

static int frag_start(const void *c, const struct stressor_env *env, void **state, char *why, size_t len)
{
	const struct frag_cfg *cfg = c;
	struct frag_state *s = xcalloc(1, sizeof(*s));

	s->before = high_order_now();
	s->pipe_bytes = pipe_bytes_allowed();
	s->npipes = (cfg->size + s->pipe_bytes - 1) / s->pipe_bytes;
	s->fds = xmalloc(2 * s->npipes * sizeof(int));
	for (size_t i = 0; i < 2 * s->npipes; i++)
		s->fds[i] = -1;
	for (size_t first = 0; first < s->npipes && !*env->stop; first += FILL_GROUP) {
		size_t last = first + FILL_GROUP < s->npipes ? first + FILL_GROUP : s->npipes;
		int ret = fill_group(s, first, last, env->stop);
		if (ret) {
			snprintf(why, len, "pipes %zu-%zu of %zu: %s (RLIMIT_NOFILE, or fs.pipe-max-size below 1 MiB?)",
				 first + 1, last, s->npipes, strerror(-ret));
			json_decref(frag_stop(s));
			return ret;
		}
	}
	for (size_t i = 0; i < s->npipes; i += cfg->free_every) {
		close(s->fds[2 * i]);
		s->fds[2 * i] = -1;
		s->freed += s->pipe_bytes;
	}
	s->held -= s->freed < s->held ? s->freed : s->held;
	s->after = high_order_now();
	*state = s;
	return 0;
}

/* Closes the pipes still held, frees the state, and reports. */
static json_t *frag_stop(void *state)
{
	struct frag_state *s = state;
	json_t *j = json_pack("{s:f, s:f, s:I, s:I, s:I}", "order9_free_fraction_before", s->before,
			      "order9_free_fraction_after", s->after, "held_bytes", (json_int_t)s->held,
			      "freed_bytes", (json_int_t)s->freed, "pipes", (json_int_t)s->npipes);

	for (size_t i = 0; i < 2 * s->npipes; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s->fds);
	free(s);
	return j;
}

const struct stressor stressor_fragment = {
	.type = "fragment",
	.summary = "fills non-movable zones with pipe buffers and frees a pattern: no order-9 blocks left",
	.options = frag_options,
	.noptions = ARRAY_SIZE(frag_options),
	.config_size = sizeof(struct frag_cfg),
	.probe = frag_probe,
	.memory = frag_memory,
	.start = frag_start,
	.stop = frag_stop,
};
