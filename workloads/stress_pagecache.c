/* pagecache: threads on each node's CPUs churning the page cache of their
 * own files: write, fsync, read, mmap read, posix_fadvise(DONTNEED) and
 * readahead in a weighted mix. Page cache folios pass through the per-CPU
 * LRU batches and are what drop_caches and reclaim walk: the background of
 * both seed reports. The files are removed at the end. */
#include "config.h"
#include "affinity.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { OP_WRITE, OP_FSYNC, OP_READ, OP_MMAP, OP_FADVISE, OP_READAHEAD, NOPS };
static const char *const op_names[NOPS] = { "write", "fsync", "read", "mmap", "fadvise", "readahead" };

struct pc_cfg {
	uint64_t threads;
	uint64_t size;
	uint64_t block;
	char mix[OPT_STRING_MAX];
};

struct pc_thread {
	struct pc_state *s;
	int node;
	char path[4200];
	pthread_t thread;
	uint64_t seed, ops[NOPS], bytes;
	int err;
};

struct pc_state {
	const struct pc_cfg *cfg;
	const struct stressor_env *env;
	unsigned weights[NOPS], total;
	atomic_int stop;
	size_t n;
	struct pc_thread *t;
};

/* "write=30,read=30,..." -> weights; unknown names and zero totals refused. */
static int parse_mix(const char *text, unsigned *w, char *err, size_t len)
{
	char copy[OPT_STRING_MAX];
	unsigned total = 0;

	memset(w, 0, NOPS * sizeof(*w));
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *save, *item = strtok_r(copy, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '=');
		int op = -1;
		unsigned v;
		if (eq)
			*eq = '\0';
		for (int i = 0; i < NOPS; i++)
			if (!strcmp(item, op_names[i]))
				op = i;
		if (op < 0 || !eq || sscanf(eq + 1, "%u", &v) != 1 || v > 1000) {
			snprintf(err, len, "'%s' is not NAME=WEIGHT with NAME one of write, fsync, read, mmap, "
				 "fadvise, readahead and WEIGHT 0..1000", item);
			return -1;
		}
		w[op] = v;
		total += v;
	}
	if (!total) {
		snprintf(err, len, "gives every operation weight 0");
		return -1;
	}
	return (int)total;
}

static int check_mix(const char *v, char *err, size_t len)
{
	unsigned w[NOPS];

	return parse_mix(v, w, err, len) < 0 ? -1 : 0;
}

#define C struct pc_cfg
static const struct scenario_key pc_options[] = {
	OPT_TYPE("pagecache"),
	OPT_COUNT(C, threads, "threads", "1", "threads per node"),
	OPT_ANY_SIZE(C, size, "size", "64M", "working set (file size) per thread"),
	OPT_ANY_SIZE(C, block, "block", "64K", "bytes per operation"),
	OPT_STRING(C, mix, "mix", "write=30,read=30,mmap=20,fadvise=10,readahead=5,fsync=5", check_mix,
		   "weights of the operations, NAME=WEIGHT (0..1000) with NAME write, fsync, read, mmap, fadvise or readahead"),
};
#undef C

static int pc_check(const void *c, const char **key, char *err, size_t len)
{
	const struct pc_cfg *cfg = c;

	*key = "block";
	if (!cfg->block || cfg->block % 4096 || cfg->size < cfg->block) {
		snprintf(err, len, "must be a non-zero multiple of 4 KiB, at most size");
		return -1;
	}
	return 0;
}

static uint64_t pc_memory(const void *c, size_t nnodes)
{
	const struct pc_cfg *cfg = c;

	return cfg->threads * cfg->size * nnodes;
}

static int pick(struct pc_thread *t)
{
	unsigned x = (unsigned)(splitmix64(&t->seed) % t->s->total);

	for (int i = 0; i < NOPS; i++) {
		if (x < t->s->weights[i])
			return i;
		x -= t->s->weights[i];
	}
	return OP_READ;
}

static void *pc_main(void *arg)
{
	struct pc_thread *t = arg;
	const struct pc_cfg *cfg = t->s->cfg;
	size_t block = cfg->block, nblocks = cfg->size / block;
	char *buf = xmalloc(block), *map;
	int fd;

	bind_thread_to_node(t->s->env->topo, t->node);
	fd = open(t->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)cfg->size)) {
		t->err = -errno;
		free(buf);
		return NULL;
	}
	map = mmap(NULL, cfg->size, PROT_READ, MAP_SHARED, fd, 0);
	memset(buf, (int)t->seed, block);
	while (!t->s->stop && !*t->s->env->stop) {
		int op = pick(t);
		off_t off = (off_t)((splitmix64(&t->seed) % nblocks) * block);
		ssize_t n = 0;
		switch (op) {
		case OP_WRITE: n = pwrite(fd, buf, block, off); break;
		case OP_FSYNC: fdatasync(fd); break;
		case OP_READ: n = pread(fd, buf, block, off); break;
		case OP_MMAP:
			for (size_t i = 0; map != MAP_FAILED && i < block; i += 4096)
				n += *(volatile char *)(map + off + i) ? 0 : 4096;
			break;
		case OP_FADVISE: posix_fadvise(fd, off, (off_t)block, POSIX_FADV_DONTNEED); break;
		case OP_READAHEAD: readahead(fd, off, block); break;
		}
		t->ops[op]++;
		if (n > 0)
			t->bytes += (uint64_t)n;
	}
	if (map != MAP_FAILED)
		munmap(map, cfg->size);
	close(fd);
	free(buf);
	return NULL;
}

static json_t *pc_stop(void *state);

static int pc_start(const void *c, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct pc_state *s = xcalloc(1, sizeof(*s));

	s->cfg = c;
	s->env = env;
	s->total = (unsigned)parse_mix(s->cfg->mix, s->weights, why, len);
	s->n = env->nnodes * s->cfg->threads;
	s->t = xcalloc(s->n, sizeof(*s->t));
	for (size_t i = 0; i < s->n; i++) {
		struct pc_thread *t = &s->t[i];
		t->s = s;
		t->node = env->nodes[i / s->cfg->threads];
		t->seed = env->seed ^ (i * 0x9e3779b97f4a7c15ULL);
		snprintf(t->path, sizeof(t->path), "%s/pagecache-%s-%d-%zu.data", env->workdir, env->name,
			 t->node, i % s->cfg->threads);
		int ret = -pthread_create(&t->thread, NULL, pc_main, t);
		if (ret) {
			snprintf(why, len, "cannot start a thread: %s", strerror(-ret));
			s->n = i;
			json_decref(pc_stop(s));
			return ret;
		}
	}
	*state = s;
	return 0;
}

/* Stops the threads, removes the files, frees the state, and reports. */
static json_t *pc_stop(void *state)
{
	struct pc_state *s = state;
	json_t *ops = json_object();
	uint64_t totals[NOPS] = { 0 }, bytes = 0;
	int err = 0;

	s->stop = 1;
	for (size_t i = 0; i < s->n; i++) {
		pthread_join(s->t[i].thread, NULL);
		unlink(s->t[i].path);
		for (int op = 0; op < NOPS; op++)
			totals[op] += s->t[i].ops[op];
		bytes += s->t[i].bytes;
		err = err ? err : s->t[i].err;
	}
	for (int op = 0; op < NOPS; op++)
		json_object_set_new(ops, op_names[op], json_integer((json_int_t)totals[op]));
	json_t *j = json_pack("{s:I, s:o, s:I, s:s?}", "threads", (json_int_t)s->n, "ops", ops,
			      "bytes", (json_int_t)bytes, "error", err ? strerror(-err) : NULL);
	free(s->t);
	free(s);
	return j;
}

const struct stressor stressor_pagecache = {
	.type = "pagecache",
	.summary = "threads per node churning the page cache (write, fsync, read, mmap, fadvise, readahead)",
	.options = pc_options,
	.noptions = ARRAY_SIZE(pc_options),
	.config_size = sizeof(struct pc_cfg),
	.check = pc_check,
	.memory = pc_memory,
	.start = pc_start,
	.stop = pc_stop,
};
