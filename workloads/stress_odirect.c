/* odirect: O_DIRECT reads from a file into the pin range while it is being
 * pinned. Direct I/O holds short-term pins (FOLL_PIN) on the destination
 * pages for the duration of each read: temporary references that the
 * long-term pin's migration has to wait out or fail on. */
#include "config.h"
#include "harness.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct odirect_cfg {
	uint64_t file_size;
	uint64_t block;
};

/* The file every range's reader reads from. */
struct odirect_file {
	char path[4200];
	int fd;
};

enum { C_READS, C_BYTES, C_ERRORS };
static const char *const odirect_counters[] = { "reads", "bytes", "errors" };

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

/* Reads block after block of the file into the range, until its unpin. */
static void reader_run(struct harness_thread *t)
{
	const struct odirect_cfg *cfg = harness_cfg(t->h);
	const struct odirect_file *file = harness_priv(t->h);
	size_t block = cfg->block, nfile = cfg->file_size / block, nrange = t->range.len / block;

	for (uint64_t i = 0; nrange && !harness_stopping(t); i++) {
		char *dst = (char *)t->range.addr + (i % nrange) * block;
		ssize_t n = pread(file->fd, dst, block, (off_t)((i % nfile) * block));
		if (n < 0)
			t->counts[C_ERRORS]++;
		else
			t->counts[C_BYTES] += (uint64_t)n;
		t->counts[C_READS]++;
	}
}

/* Writes the file, then opens it for O_DIRECT reads. */
static int odirect_setup(struct harness *h, char *why, size_t len)
{
	const struct odirect_cfg *cfg = harness_cfg(h);
	const struct stressor_env *env = harness_env(h);
	struct odirect_file *file = harness_priv(h);
	char *buf = xmalloc(1 << 20);
	int wfd;

	file->fd = -1;
	snprintf(file->path, sizeof(file->path), "%s/odirect-%s.data", env->workdir, env->name);
	wfd = open(file->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	memset(buf, 0x5a, 1 << 20);
	for (uint64_t done = 0; wfd >= 0 && done < cfg->file_size; done += 1 << 20)
		if (write(wfd, buf, cfg->file_size - done < (1 << 20) ? cfg->file_size - done : 1 << 20) < 0)
			break;
	free(buf);
	if (wfd >= 0) {
		fsync(wfd);
		close(wfd);
	}
	file->fd = open(file->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (file->fd < 0) {
		int e = -errno;
		snprintf(why, len, "cannot open %s with O_DIRECT: %s (a file system without direct I/O?)",
			 file->path, strerror(-e));
		return e;
	}
	return 0;
}

static void odirect_teardown(struct harness *h)
{
	struct odirect_file *file = harness_priv(h);

	if (file->fd >= 0)
		close(file->fd);
	unlink(file->path);
}

static const struct harness_ops odirect_ops = {
	.counters = odirect_counters,
	.ncounters = ARRAY_SIZE(odirect_counters),
	.priv_size = sizeof(struct odirect_file),
	.setup = odirect_setup,
	.range_run = reader_run,
	.teardown = odirect_teardown,
};
HARNESS_START(odirect_start, odirect_ops)

const struct stressor stressor_odirect = {
	.type = "odirect",
	.summary = "O_DIRECT reads into the pin range while it is pinned (short-term pins)",
	.options = odirect_options,
	.noptions = ARRAY_SIZE(odirect_options),
	.config_size = sizeof(struct odirect_cfg),
	.check = odirect_check,
	.start = odirect_start,
	.before_pin = harness_before_pin,
	.after_unpin = harness_after_unpin,
	.stop = harness_stop,
};
