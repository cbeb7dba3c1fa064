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
#include <unistd.h>

#define PIPE_BYTES (1 << 20)

struct frag_cfg {
	uint64_t size;
	uint64_t free_every;
};

struct frag_state {
	size_t npipes;
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

/* Free memory of the zones other than Movable, and the part of it in
 * blocks of order >= 9. */
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

static json_t *frag_report(struct frag_state *s);

static int frag_start(const void *c, const struct stressor_env *env, void **state, char *why, size_t len)
{
	const struct frag_cfg *cfg = c;
	struct frag_state *s = calloc(1, sizeof(*s));
	char page[4096];

	memset(page, 0xa5, sizeof(page));
	s->before = high_order_now();
	s->npipes = (cfg->size + PIPE_BYTES - 1) / PIPE_BYTES;
	s->fds = malloc(2 * s->npipes * sizeof(int));
	for (size_t i = 0; i < s->npipes; i++) {
		if (pipe2(&s->fds[2 * i], O_CLOEXEC | O_NONBLOCK) || fcntl(s->fds[2 * i + 1], F_SETPIPE_SZ, PIPE_BYTES) < 0) {
			int e = -errno;
			snprintf(why, len, "pipe %zu of %zu: %s (RLIMIT_NOFILE, or fs.pipe-max-size below 1 MiB?)",
				 i + 1, s->npipes, strerror(-e));
			s->npipes = i;
			json_decref(frag_report(s));
			return e;
		}
	}
	/* One page per pipe in turn: neighbouring allocations end up in
	 * different pipes, so closing every Nth pipe frees scattered pages. */
	for (size_t round = 0; round < PIPE_BYTES / sizeof(page) && !*env->stop; round++)
		for (size_t i = 0; i < s->npipes; i++)
			if (write(s->fds[2 * i + 1], page, sizeof(page)) == (ssize_t)sizeof(page))
				s->held += sizeof(page);
	for (size_t i = 0; i < s->npipes; i += cfg->free_every) {
		close(s->fds[2 * i]);
		close(s->fds[2 * i + 1]);
		s->fds[2 * i] = s->fds[2 * i + 1] = -1;
		s->freed += PIPE_BYTES;
	}
	s->held -= s->freed < s->held ? s->freed : s->held;
	s->after = high_order_now();
	*state = s;
	return 0;
}

static json_t *frag_report(struct frag_state *s)
{
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

static json_t *frag_stop(void *state)
{
	return frag_report(state);
}

const struct stressor stressor_fragment = {
	.type = "fragment",
	.summary = "fills non-movable zones with pipe buffers and frees a pattern: no order-9 blocks left",
	.options = frag_options,
	.noptions = ARRAY_SIZE(frag_options),
	.config_size = sizeof(struct frag_cfg),
	.memory = frag_memory,
	.start = frag_start,
	.stop = frag_stop,
};
