/* gup_test: the kernel's own long-term pin benchmark, CONFIG_GUP_TEST's
 * /sys/kernel/debug/gup_test, an independent measurement to hold the
 * other backends' against. Its PIN_LONGTERM_BENCHMARK ioctl pins a range
 * with pin_user_pages(..., FOLL_WRITE | FOLL_LONGTERM) in calls of
 * nr_pages_per_call pages (migrating out of CMA and ZONE_MOVABLE as every
 * long-term pin does), times that loop in the kernel (get_delta_usec),
 * checks every pinned page (a page that is not long-term pinnable is
 * WARNed in the kernel log as "pages[N] is NOT pinnable but pinned", at
 * most once per ioctl), then unpins them all and times that
 * (put_delta_usec), all inside the one ioctl (mm/gup_test.c).
 *
 * So a pin here holds nothing once pin() returns, and unpin() has nothing
 * left to do. The samples record the kernel's two times (whole
 * microseconds) as the pin and the unpin: the ioctl's wall time also holds
 * the unpin, the check and the page array's allocation, so it is no pin
 * latency. The other backends' times are their system calls' wall time:
 * their ratio to gup_test's is what their own path costs over a bare
 * long-term pin.
 *
 * The ioctl answers 0 when a pin_user_pages() call fails, keeping its
 * error: a `size` shorter than asked (how far it got) is the only sign.
 * That is counted as a failed pin with EIO, the kernel's errno being lost;
 * whether a failed migration caused it is told, as for every backend, by
 * the migrate tracepoint (failures_migration) and vmstat. The ioctl's own
 * errors (EINVAL, ENOMEM for its page array, EINTR) are passed on.
 *
 * The suite's own check still applies: the pages of a chunk found in
 * memory that must stay movable after a successful pin are pages the pin
 * did not migrate (a pin never moves a page back), which is what the
 * kernel's "NOT pinnable but pinned" says of the same pin.
 *
 * debugfs is mounted for the run, journalled, when it is not. */
#include "config.h"
#include "pin_backend.h"
#include "journal.h"
#include "kconfig.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#define DEBUGFS "/sys/kernel/debug"
#define GUP_TEST DEBUGFS "/gup_test"

/* mm/gup_test.h, not a uAPI header: the same on 6.1 to 7.3. */
struct gup_test {
	__u64 get_delta_usec;
	__u64 put_delta_usec;
	__u64 addr;
	__u64 size;
	__u32 nr_pages_per_call;
	__u32 gup_flags;
	__u32 test_flags;
	__u32 which_pages[8];
};
#define PIN_LONGTERM_BENCHMARK _IOWR('g', 3, struct gup_test)
#define GUP_FOLL_WRITE 0x01 /* FOLL_WRITE: io_uring and VFIO pin for writing too */

_Static_assert(sizeof(struct gup_test) == 80, "struct gup_test is 80 bytes");
_Static_assert(PIN_LONGTERM_BENCHMARK == 0xc0506703, "PIN_LONGTERM_BENCHMARK is 0xc0506703");

struct gup_cfg {
	uint64_t nr_pages_per_call;
};

static const struct scenario_key gup_options[] = {
	OPT_UINT(struct gup_cfg, nr_pages_per_call, "nr_pages_per_call", "0", 0, UINT32_MAX,
		 "pages per pin_user_pages() call of the kernel's loop; 0: the whole chunk in one call "
		 "(as io_uring and iommufd pin), 512: as VFIO type1 does"),
};

struct pin_ctx {
	int fd;
	uint32_t per_call; /* 0: the whole chunk */
	unsigned nslots;
	struct { uint64_t pin_ns, unpin_ns; bool timed; } slot[];
};

/* Whether debugfs is mounted where the kernel puts it. */
static bool debugfs_mounted(void)
{
	struct statfs st;

	return statfs(DEBUGFS, &st) == 0 && st.f_type == DEBUGFS_MAGIC;
}

/* debugfs is not mounted: whether the run could find gup_test by
 * mounting it, from the kernel's configuration. */
static int probe_unmounted(char *why, size_t len)
{
	int has;

	if (access(DEBUGFS, F_OK)) {
		snprintf(why, len, "no %s (kernel without CONFIG_DEBUG_FS)", DEBUGFS);
		return -ENOENT;
	}
	if (geteuid() != 0) {
		snprintf(why, len, "debugfs is not mounted on %s and only root may mount it", DEBUGFS);
		return -EPERM;
	}
	has = kconfig_has("CONFIG_GUP_TEST");
	if (has == 0) {
		snprintf(why, len, "kernel without CONFIG_GUP_TEST (its configuration says so; debugfs is not mounted)");
		return -ENOENT;
	}
	return 0; /* it has it, or cannot tell: the run mounts debugfs and open says */
}

static int gup_probe(const void *cfg, char *why, size_t len)
{
	int fd = open(GUP_TEST, O_RDWR | O_CLOEXEC), err;

	(void)cfg;
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	if (err == ENOENT && !debugfs_mounted())
		return probe_unmounted(why, len);
	snprintf(why, len, "%s: %s%s", GUP_TEST, strerror(err),
		 err == ENOENT ? " (kernel without CONFIG_GUP_TEST)" : err == EACCES ? " (needs root)" : "");
	return -err;
}

/* Mounts debugfs for the run when it is not, journalled first. */
static int gup_setup(const void *cfg, json_t *changes, char *why, size_t len)
{
	(void)cfg;
	if (debugfs_mounted())
		return 0;
	if (journal_umount(DEBUGFS) || mount("debugfs", DEBUGFS, "debugfs", 0, NULL)) {
		int err = errno ? errno : EIO;
		snprintf(why, len, "debugfs is not mounted on %s and mounting it failed: %s", DEBUGFS, strerror(err));
		return -err;
	}
	json_array_append_new(changes, json_string("mounted debugfs on " DEBUGFS));
	return 0;
}

static int gup_open(struct pin_ctx **out, unsigned nslots, const void *cfg)
{
	int fd = open(GUP_TEST, O_RDWR | O_CLOEXEC);

	if (fd < 0) { /* the probe could not tell before debugfs was mounted */
		int err = errno;
		pb_err("gup_test: %s: %s%s", GUP_TEST, strerror(err), err == ENOENT ? " (kernel without CONFIG_GUP_TEST)" : "");
		return -err;
	}
	struct pin_ctx *ctx = xcalloc(1, sizeof(*ctx) + nslots * sizeof(ctx->slot[0]));
	ctx->fd = fd;
	ctx->per_call = (uint32_t)((const struct gup_cfg *)cfg)->nr_pages_per_call;
	ctx->nslots = nslots;
	*out = ctx;
	return 0;
}

static int gup_pin(struct pin_ctx *ctx, unsigned slot, void *addr, size_t len)
{
	size_t pages = len / (size_t)sysconf(_SC_PAGESIZE);
	struct gup_test g = {
		.addr = (uint64_t)(uintptr_t)addr, .size = len, .gup_flags = GUP_FOLL_WRITE,
		.nr_pages_per_call = ctx->per_call ? ctx->per_call : (uint32_t)pages,
	};

	ctx->slot[slot].timed = false;
	if (!ctx->per_call && pages > UINT32_MAX)
		return -E2BIG; /* the count is 32 bits: set nr_pages_per_call */
	if (ioctl(ctx->fd, PIN_LONGTERM_BENCHMARK, &g))
		return -errno; /* the kernel timed nothing */
	ctx->slot[slot].pin_ns = g.get_delta_usec * 1000;
	ctx->slot[slot].unpin_ns = g.put_delta_usec * 1000;
	ctx->slot[slot].timed = true;
	return g.size == len ? 0 : -EIO;
}

/* The ioctl unpinned before it returned. */
static int gup_unpin(struct pin_ctx *ctx, unsigned slot)
{
	(void)ctx;
	(void)slot;
	return 0;
}

static bool gup_times(const struct pin_ctx *ctx, unsigned slot, uint64_t *pin_ns, uint64_t *unpin_ns)
{
	if (!ctx->slot[slot].timed)
		return false;
	*pin_ns = ctx->slot[slot].pin_ns;
	*unpin_ns = ctx->slot[slot].unpin_ns;
	return true;
}

static void gup_close(struct pin_ctx *ctx)
{
	if (!ctx)
		return;
	close(ctx->fd);
	free(ctx);
}

const struct pin_backend pin_backend_gup_test = {
	.name = "gup_test",
	.summary = "the kernel's own benchmark, CONFIG_GUP_TEST's PIN_LONGTERM_BENCHMARK (pins and unpins in one ioctl)",
	.max_chunk = 0,
	.options = gup_options,
	.noptions = ARRAY_SIZE(gup_options),
	.config_size = sizeof(struct gup_cfg),
	.probe = gup_probe,
	.setup = gup_setup,
	.open = gup_open,
	.pin = gup_pin,
	.unpin = gup_unpin,
	.kernel_times = gup_times,
	.close = gup_close,
	.note = "gup_test: pin and unpin times are the kernel's own (get_delta_usec, put_delta_usec, whole "
		"microseconds); the ioctl unpins before it returns, so nothing is held, and a short pin is "
		"counted as EIO",
};
