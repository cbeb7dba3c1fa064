/* pagecache: threads on each node's CPUs churning the page cache of their
 * own files: write, fsync, read, mmap read, posix_fadvise(DONTNEED) and
 * readahead in a weighted mix. Page cache folios pass through the per-CPU
 * LRU batches and are what drop_caches and reclaim walk: the background of
 * both seed reports. The files are removed at the end. */
#include "config.h"
#include "harness.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { OP_WRITE, OP_FSYNC, OP_READ, OP_MMAP, OP_FADVISE, OP_READAHEAD, NOPS, C_BYTES = NOPS };
static const char *const op_names[NOPS] = { "write", "fsync", "read", "mmap", "fadvise", "readahead" };

struct pc_cfg {
	uint64_t threads;
	uint64_t size;
	uint64_t block;
	char mix[OPT_STRING_MAX];
};

/* The operations' weights, shared by the threads. */
struct pc_mix {
	unsigned weights[NOPS], total;
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

static uint64_t pc_threads(const void *c)
{
	return ((const struct pc_cfg *)c)->threads;
}

static int pick(const struct pc_mix *mix, uint64_t *seed)
{
	unsigned x = (unsigned)(splitmix64(seed) % mix->total);

	for (int i = 0; i < NOPS; i++) {
		if (x < mix->weights[i])
			return i;
		x -= mix->weights[i];
	}
	return OP_READ;
}

/* One operation at off; the bytes it moved. */
static ssize_t do_op(int op, int fd, char *buf, const char *map, size_t block, off_t off)
{
	ssize_t n = 0;

	switch (op) {
	case OP_WRITE: return pwrite(fd, buf, block, off);
	case OP_FSYNC: fdatasync(fd); break;
	case OP_READ: return pread(fd, buf, block, off);
	case OP_MMAP:
		for (size_t i = 0; map != MAP_FAILED && i < block; i += 4096)
			n += *(volatile const char *)(map + off + i) ? 0 : 4096;
		break;
	case OP_FADVISE: posix_fadvise(fd, off, (off_t)block, POSIX_FADV_DONTNEED); break;
	case OP_READAHEAD: readahead(fd, off, block); break;
	}
	return n;
}

/* Churns its own file until stopped, then removes it. */
static void pc_run(struct harness_thread *t)
{
	const struct pc_cfg *cfg = harness_cfg(t->h);
	const struct stressor_env *env = harness_env(t->h);
	const struct pc_mix *mix = harness_priv(t->h);
	size_t block = cfg->block, nblocks = cfg->size / block;
	char *buf = xmalloc(block), *map, path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/pagecache-%s-%d-%llu.data", env->workdir, env->name, t->node,
		 (unsigned long long)(t->index % cfg->threads));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)cfg->size)) {
		t->err = -errno;
		if (fd >= 0)
			close(fd);
		unlink(path);
		free(buf);
		return;
	}
	map = mmap(NULL, cfg->size, PROT_READ, MAP_SHARED, fd, 0);
	memset(buf, (int)t->seed, block);
	while (!harness_stopping(t)) {
		int op = pick(mix, &t->seed);
		off_t off = (off_t)((splitmix64(&t->seed) % nblocks) * block);
		ssize_t n = do_op(op, fd, buf, map, block, off);
		t->counts[op]++;
		if (n > 0)
			t->counts[C_BYTES] += (uint64_t)n;
	}
	if (map != MAP_FAILED)
		munmap(map, cfg->size);
	close(fd);
	unlink(path);
	free(buf);
}

static int pc_setup(struct harness *h, char *why, size_t len)
{
	const struct pc_cfg *cfg = harness_cfg(h);
	struct pc_mix *mix = harness_priv(h);
	int total = parse_mix(cfg->mix, mix->weights, why, len); /* checked when the scenario was read */

	mix->total = total > 0 ? (unsigned)total : 0;
	return total > 0 ? 0 : -EINVAL;
}

/* The operation counts go under "ops". */
static void pc_report(struct harness *h, json_t *j)
{
	json_t *ops = json_object();

	for (int op = 0; op < NOPS; op++) {
		json_object_set(ops, op_names[op], json_object_get(j, op_names[op]));
		json_object_del(j, op_names[op]);
	}
	json_object_set_new(j, "ops", ops);
	json_object_set_new(j, "threads", json_integer((json_int_t)harness_nthreads(h)));
	json_object_set_new(j, "error", harness_error(h) ? json_string(strerror(-harness_error(h))) : json_null());
}

static const char *const pc_counters[] = { "write", "fsync", "read", "mmap", "fadvise", "readahead", "bytes" };

static const struct harness_ops pc_ops = {
	.counters = pc_counters,
	.ncounters = ARRAY_SIZE(pc_counters),
	.priv_size = sizeof(struct pc_mix),
	.setup = pc_setup,
	.run = pc_run,
	.threads_per_node = pc_threads,
	.report = pc_report,
};
HARNESS_START(pc_start, pc_ops)

const struct stressor stressor_pagecache = {
	.type = "pagecache",
	.summary = "threads per node churning the page cache (write, fsync, read, mmap, fadvise, readahead)",
	.options = pc_options,
	.noptions = ARRAY_SIZE(pc_options),
	.config_size = sizeof(struct pc_cfg),
	.check = pc_check,
	.memory = pc_memory,
	.start = pc_start,
	.stop = harness_stop,
};
