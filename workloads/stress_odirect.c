/* odirect: O_DIRECT reads from a file into the pin range while it is being
 * pinned. Direct I/O holds short-term pins (FOLL_PIN) on the destination
 * pages for the duration of each read: temporary references that the
 * long-term pin's migration has to wait out or fail on. */
#include "config.h"
#include "range_state.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct odirect_cfg {
	uint64_t file_size;
	uint64_t block;
};

struct odirect_state {
	const struct odirect_cfg *cfg;
	char path[4200];
	int fd;
	struct range_state readers;
	atomic_uint_fast64_t reads, bytes, errors;
};

struct reader {
	struct odirect_state *s;
	struct pin_range r;
	pthread_t thread;
	atomic_int stop;
};

static const struct scenario_key odirect_options[] = {
	OPT_TYPE("odirect"),
	OPT_ANY_SIZE(struct odirect_cfg, file_size, "file_size", "64M", "size of the file read from (in the run directory)"),
	OPT_ANY_SIZE(struct odirect_cfg, block, "block", "64K", "bytes per read"),
};

static int odirect_check(const void *c, const char **key, char *err, size_t len)
{
	const struct odirect_cfg *cfg = c;

	*key = cfg->block % 4096 || !cfg->block ? "block" : "file_size";
	if (!cfg->block || cfg->block % 4096 || cfg->file_size < cfg->block || cfg->file_size % cfg->block) {
		snprintf(err, len, "block must be a multiple of 4 KiB dividing file_size");
		return -1;
	}
	return 0;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct odirect_state *s = rd->s;
	size_t block = s->cfg->block, nfile = s->cfg->file_size / block, nrange = rd->r.len / block;
	uint64_t i = 0;

	if (!nrange)
		return NULL;
	while (!rd->stop) {
		char *dst = (char *)rd->r.addr + (i % nrange) * block;
		ssize_t n = pread(s->fd, dst, block, (off_t)((i % nfile) * block));
		if (n < 0)
			atomic_fetch_add(&s->errors, 1);
		else
			atomic_fetch_add(&s->bytes, (uint64_t)n);
		atomic_fetch_add(&s->reads, 1);
		i++;
	}
	return NULL;
}

static int odirect_start(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct odirect_state *s = xcalloc(1, sizeof(*s));
	char *buf = xmalloc(1 << 20);
	int wfd;

	s->cfg = cfg;
	range_state_init(&s->readers);
	snprintf(s->path, sizeof(s->path), "%s/odirect-%s.data", env->workdir, env->name);
	wfd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	memset(buf, 0x5a, 1 << 20);
	for (uint64_t done = 0; wfd >= 0 && done < s->cfg->file_size; done += 1 << 20)
		if (write(wfd, buf, s->cfg->file_size - done < (1 << 20) ? s->cfg->file_size - done : 1 << 20) < 0)
			break;
	free(buf);
	if (wfd >= 0) {
		fsync(wfd);
		close(wfd);
	}
	s->fd = open(s->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (s->fd < 0) {
		int e = -errno;
		snprintf(why, len, "cannot open %s with O_DIRECT: %s (a file system without direct I/O?)",
			 s->path, strerror(-e));
		unlink(s->path);
		free(s);
		return e;
	}
	*state = s;
	return 0;
}

static int odirect_before_pin(void *state, const struct pin_range *r)
{
	struct odirect_state *s = state;
	struct reader *rd = xcalloc(1, sizeof(*rd));
	int ret;

	rd->s = s;
	rd->r = *r;
	ret = -pthread_create(&rd->thread, NULL, reader_main, rd);
	if (ret) {
		free(rd);
		return ret;
	}
	range_state_put(&s->readers, r->addr, rd);
	return 0;
}

static void odirect_after_unpin(void *state, const struct pin_range *r)
{
	struct odirect_state *s = state;
	struct reader *rd = range_state_take(&s->readers, r->addr);

	if (!rd)
		return;
	rd->stop = 1;
	pthread_join(rd->thread, NULL);
	free(rd);
}

static json_t *odirect_stop(void *state)
{
	struct odirect_state *s = state;
	json_t *j = json_pack("{s:I, s:I, s:I}", "reads", (json_int_t)s->reads, "bytes", (json_int_t)s->bytes,
			      "errors", (json_int_t)s->errors);

	close(s->fd);
	unlink(s->path);
	range_state_free(&s->readers);
	free(s);
	return j;
}

const struct stressor stressor_odirect = {
	.type = "odirect",
	.summary = "O_DIRECT reads into the pin range while it is pinned (short-term pins)",
	.options = odirect_options,
	.noptions = ARRAY_SIZE(odirect_options),
	.config_size = sizeof(struct odirect_cfg),
	.check = odirect_check,
	.start = odirect_start,
	.before_pin = odirect_before_pin,
	.after_unpin = odirect_after_unpin,
	.stop = odirect_stop,
};
