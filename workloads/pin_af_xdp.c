/* AF_XDP: XDP_UMEM_REG pins the umem with FOLL_LONGTERM. One socket per
 * slot; closing the socket is the unpin, and the kernel defers the actual
 * unpin_user_pages() to a workqueue, so unpin times here measure the
 * close, not the release. */
#include "config.h"
#include "util.h"
#include "pin_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HAVE_LINUX_IF_XDP_H
#include <linux/if_xdp.h>
#endif

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

struct pin_ctx {
	unsigned nslots;
	int fds[];
};

static int xdp_socket(void)
{
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static int xdp_probe(const void *cfg, char *why, size_t len)
{
	int fd = xdp_socket();

	(void)cfg; /* no options */
	if (fd < 0) {
		snprintf(why, len, "socket(AF_XDP) failed: %s (%s)", strerror(-fd),
			 fd == -EPERM ? "needs CAP_NET_RAW" : "kernel without CONFIG_XDP_SOCKETS");
		return fd;
	}
	close(fd);
	return 0;
}

static void xdp_close(struct pin_ctx *ctx)
{
	if (!ctx)
		return;
	for (unsigned i = 0; i < ctx->nslots; i++)
		if (ctx->fds[i] >= 0)
			close(ctx->fds[i]);
	free(ctx);
}

static int xdp_open(struct pin_ctx **out, unsigned nslots, const void *cfg)
{
	struct pin_ctx *ctx = xmalloc(sizeof(*ctx) + nslots * sizeof(int));

	(void)cfg; /* no options */
	ctx->nslots = nslots;
	for (unsigned i = 0; i < nslots; i++)
		ctx->fds[i] = -1;
	*out = ctx;
	return 0;
}

/* A socket whose umem was registered cannot register another, so every
 * pin needs a fresh socket; it is made here, outside the timed call. */
static int xdp_prepare(struct pin_ctx *ctx, unsigned slot)
{
	if (ctx->fds[slot] < 0)
		ctx->fds[slot] = xdp_socket();
	return ctx->fds[slot] < 0 ? ctx->fds[slot] : 0;
}

static int xdp_pin(struct pin_ctx *ctx, unsigned slot, void *addr, size_t len)
{
	struct xdp_umem_reg reg = {
		.addr = (uintptr_t)addr,
		.len = len,
		.chunk_size = 4096,
		.headroom = 0,
	};

	/* A failed registration leaves the socket usable for the next try. */
	return setsockopt(ctx->fds[slot], SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ? -errno : 0;
}

static int xdp_unpin(struct pin_ctx *ctx, unsigned slot)
{
	int ret = close(ctx->fds[slot]) ? -errno : 0;

	ctx->fds[slot] = -1;
	return ret;
}

const struct pin_backend pin_backend_af_xdp = {
	.name = "af_xdp",
	.summary = "AF_XDP XDP_UMEM_REG (needs CAP_NET_RAW)",
	.max_chunk = 0,
	.probe = xdp_probe,
	.open = xdp_open,
	.prepare = xdp_prepare,
	.pin = xdp_pin,
	.unpin = xdp_unpin,
	.close = xdp_close,
	.note = "af_xdp: unpin times measure close(); the kernel releases the pages later from a workqueue",
};
