/* io_uring fixed buffers: IORING_REGISTER_BUFFERS pins with FOLL_LONGTERM.
 *
 * One ring per slot: registering a buffer table is all-or-nothing per ring,
 * and unregistering a whole table is synchronous on every kernel, whereas
 * updating single slots of a sparse table releases the old buffer through
 * deferred resource nodes on older kernels, which would make the unpin
 * time meaningless. */
#include "config.h"
#include "util.h"
#include "pin_backend.h"

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pin_ctx {
	unsigned nslots;
	struct io_uring rings[];
};

static int uring_probe(const void *cfg, char *why, size_t len)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(1, &ring, 0);

	(void)cfg; /* no options */
	if (ret) {
		snprintf(why, len, "io_uring_setup failed: %s (kernel without io_uring, "
			 "or io_uring disabled by kernel.io_uring_disabled)", strerror(-ret));
		return ret;
	}
	io_uring_queue_exit(&ring);
	return 0;
}

static void uring_close(struct pin_ctx *ctx)
{
	if (!ctx)
		return;
	for (unsigned i = 0; i < ctx->nslots; i++)
		io_uring_queue_exit(&ctx->rings[i]);
	free(ctx);
}

static int uring_open(struct pin_ctx **out, unsigned nslots, const void *cfg)
{
	struct pin_ctx *ctx = xcalloc(1, sizeof(*ctx) + nslots * sizeof(ctx->rings[0]));

	(void)cfg; /* no options */
	for (; ctx->nslots < nslots; ctx->nslots++) {
		int ret = io_uring_queue_init(1, &ctx->rings[ctx->nslots], 0);
		if (ret) {
			uring_close(ctx);
			return ret;
		}
	}
	*out = ctx;
	return 0;
}

static int uring_pin(struct pin_ctx *ctx, unsigned slot, void *addr, size_t len)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };

	return io_uring_register_buffers(&ctx->rings[slot], &iov, 1);
}

static int uring_unpin(struct pin_ctx *ctx, unsigned slot)
{
	return io_uring_unregister_buffers(&ctx->rings[slot]);
}

const struct pin_backend pin_backend_io_uring = {
	.name = "io_uring",
	.summary = "io_uring IORING_REGISTER_BUFFERS (fixed buffers)",
	.max_chunk = 1ULL << 30, /* the kernel refuses an iovec over 1 GiB */
	.probe = uring_probe,
	.open = uring_open,
	.pin = uring_pin,
	.unpin = uring_unpin,
	.close = uring_close,
};
