/* vmsplice: holds pages of the pin range in a pipe nobody reads. A pipe
 * buffer of a vmsplice'd page is a plain page reference, so migrating that
 * page fails until the pipe lets go: a long-term pin of a range in movable
 * memory that contains it fails deterministically (-ENOMEM after the
 * kernel's retries). */
#include "config.h"
#include "range_state.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

struct vmsplice_cfg {
	uint64_t pages;
	uint64_t offset;
};

struct vmsplice_state {
	const struct vmsplice_cfg *cfg;
	struct range_state pipes; /* range -> int[2] */
	atomic_uint_fast64_t holds, held_pages, short_holds;
};

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

static int vmsplice_start(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct vmsplice_state *s = xcalloc(1, sizeof(*s));

	(void)env;
	(void)why;
	(void)len;
	s->cfg = cfg;
	range_state_init(&s->pipes);
	*state = s;
	return 0;
}

static int vmsplice_before_pin(void *state, const struct pin_range *r)
{
	struct vmsplice_state *s = state;
	size_t bytes = s->cfg->pages * 4096;
	int *fds = xmalloc(2 * sizeof(int));

	if (s->cfg->offset + bytes > r->len)
		bytes = s->cfg->offset < r->len ? r->len - s->cfg->offset : 0;
	if (pipe2(fds, O_CLOEXEC)) {
		free(fds);
		return -errno;
	}
	/* room for every page in one pipe (a power of two, at least 64 KiB) */
	size_t cap = 65536;
	while (cap < bytes)
		cap *= 2;
	fcntl(fds[1], F_SETPIPE_SZ, (int)cap);
	struct iovec iov = { (char *)r->addr + s->cfg->offset, bytes };
	ssize_t n = bytes ? vmsplice(fds[1], &iov, 1, SPLICE_F_NONBLOCK) : 0;
	if (n < 0) {
		int e = -errno;
		close(fds[0]);
		close(fds[1]);
		free(fds);
		return e;
	}
	atomic_fetch_add(&s->holds, 1);
	atomic_fetch_add(&s->held_pages, (uint64_t)n / 4096);
	if ((size_t)n < bytes)
		atomic_fetch_add(&s->short_holds, 1);
	range_state_put(&s->pipes, r->addr, fds);
	return 0;
}

static void vmsplice_after_unpin(void *state, const struct pin_range *r)
{
	struct vmsplice_state *s = state;
	int *fds = range_state_take(&s->pipes, r->addr);

	if (!fds)
		return;
	close(fds[0]);
	close(fds[1]);
	free(fds);
}

static json_t *vmsplice_stop(void *state)
{
	struct vmsplice_state *s = state;
	json_t *j = json_pack("{s:I, s:I, s:I}", "holds", (json_int_t)s->holds,
			      "held_pages", (json_int_t)s->held_pages, "short_holds", (json_int_t)s->short_holds);

	range_state_free(&s->pipes);
	free(s);
	return j;
}

const struct stressor stressor_vmsplice = {
	.type = "vmsplice",
	.summary = "holds pages of the pin range in an unread pipe (plain references): pins fail",
	.options = vmsplice_options,
	.noptions = ARRAY_SIZE(vmsplice_options),
	.config_size = sizeof(struct vmsplice_cfg),
	.check_range = vmsplice_check_range,
	.start = vmsplice_start,
	.before_pin = vmsplice_before_pin,
	.after_unpin = vmsplice_after_unpin,
	.stop = vmsplice_stop,
};
