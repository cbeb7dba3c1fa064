/* vmsplice: holds pages of the pin range in a pipe nobody reads. A pipe
 * buffer of a vmsplice'd page is a plain page reference, so migrating that
 * page fails until the pipe lets go: a long-term pin of a range in movable
 * memory that contains it fails deterministically (-ENOMEM after the
 * kernel's retries). */
#include "config.h"
#include "harness.h"
#include "stressor.h"
#include "util.h"
#include "units.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

struct vmsplice_cfg {
	uint64_t pages;
	uint64_t offset;
};

enum { C_HOLDS, C_HELD_PAGES, C_SHORT_HOLDS };
static const char *const vmsplice_counters[] = { "holds", "held_pages", "short_holds" };

static const struct scenario_key vmsplice_options[] = {
	OPT_TYPE("vmsplice"),
	OPT_COUNT(struct vmsplice_cfg, pages, "pages", "16", "pages of each pin range to hold in an unread pipe"),
	OPT_SIZE(struct vmsplice_cfg, offset, "offset", "0", 0, UINT64_MAX, 4096,
		 "where in the pin range the held pages start"),
};

/* An offset at or past the end of every pin range would hold nothing. */
static int vmsplice_check_range(const void *c, uint64_t smallest_chunk, const char **key, char *err, size_t len)
{
	const struct vmsplice_cfg *cfg = c;
	char a[32], b[32];

	if (cfg->offset < smallest_chunk)
		return 0;
	*key = "offset";
	format_size(cfg->offset, a, sizeof(a));
	format_size(smallest_chunk, b, sizeof(b));
	snprintf(err, len, "%s is not inside the pin ranges (the smallest chunk is %s): nothing would be held", a, b);
	return -1;
}

/* A pipe holding the range's pages from offset on (t->data: its fds). */
static int vmsplice_begin(struct harness_thread *t)
{
	const struct vmsplice_cfg *cfg = harness_cfg(t->h);
	const struct pin_range *r = &t->range;
	size_t bytes = cfg->pages * 4096;
	int *fds = xmalloc(2 * sizeof(int));

	if (cfg->offset + bytes > r->len)
		bytes = cfg->offset < r->len ? r->len - cfg->offset : 0;
	if (pipe2(fds, O_CLOEXEC)) {
		free(fds);
		return -errno;
	}
	/* room for every page in one pipe (a power of two, at least 64 KiB) */
	size_t cap = 65536;
	while (cap < bytes)
		cap *= 2;
	fcntl(fds[1], F_SETPIPE_SZ, (int)cap);
	struct iovec iov = { (char *)r->addr + cfg->offset, bytes };
	ssize_t n = bytes ? vmsplice(fds[1], &iov, 1, SPLICE_F_NONBLOCK) : 0;
	if (n < 0) {
		int e = -errno;
		close(fds[0]);
		close(fds[1]);
		free(fds);
		return e;
	}
	harness_count(t->h, C_HOLDS, 1);
	harness_count(t->h, C_HELD_PAGES, (uint64_t)n / 4096);
	if ((size_t)n < bytes)
		harness_count(t->h, C_SHORT_HOLDS, 1);
	t->data = fds;
	return 0;
}

static void vmsplice_end(struct harness_thread *t)
{
	int *fds = t->data;

	close(fds[0]);
	close(fds[1]);
	free(fds);
}

static const struct harness_ops vmsplice_ops = {
	.counters = vmsplice_counters,
	.ncounters = ARRAY_SIZE(vmsplice_counters),
	.range_begin = vmsplice_begin,
	.range_end = vmsplice_end,
};
HARNESS_START(vmsplice_start, vmsplice_ops)

const struct stressor stressor_vmsplice = {
	.type = "vmsplice",
	.summary = "holds pages of the pin range in an unread pipe (plain references): pins fail",
	.options = vmsplice_options,
	.noptions = ARRAY_SIZE(vmsplice_options),
	.config_size = sizeof(struct vmsplice_cfg),
	.check_range = vmsplice_check_range,
	.start = vmsplice_start,
	.before_pin = harness_before_pin,
	.after_unpin = harness_after_unpin,
	.stop = harness_stop,
};
