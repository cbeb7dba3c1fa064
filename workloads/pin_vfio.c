/* vfio: VFIO_IOMMU_MAP_DMA on a type1 container, what QEMU does to start a
 * VM with an assigned device: type1 pins every page of the mapping with
 * pin_user_pages_remote(..., FOLL_LONGTERM) (vfio_pin_pages_remote), in
 * batches, accounting them to RLIMIT_MEMLOCK, and unpins on
 * VFIO_IOMMU_UNMAP_DMA. A failed migration out of CMA or ZONE_MOVABLE is
 * the ENOMEM that stops the VM from starting.
 *
 * It needs a PCI device bound to vfio-pci behind an IOMMU: the job's
 * `device` (DOMAIN:BUS:DEV.FN), or with `auto` the first one bound. One
 * container and group per pin worker; every slot maps at its own IOVA. */
#include "config.h"
#include "pin_backend.h"
#include "log.h"
#include "util.h"
#include "files.h"
#include "vfio_device.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IOVA_BASE (1ULL << 32) /* above what 32-bit DMA windows reserve */
#define IOVA_ALIGN (2ULL << 20)

static const struct scenario_key vfio_options[] = {
	VFIO_DEVICE_OPTION,
};

struct pin_ctx {
	int container, group;
	unsigned nslots;
	uint64_t next_iova;
	struct { uint64_t iova, size; } slot[];
};

static int vfio_container(char *why, size_t len)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;
		snprintf(why, len, "/dev/vfio/vfio: %s%s", strerror(err),
			 err == ENOENT ? " (kernel without CONFIG_VFIO)" : "");
		return -err;
	}
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		snprintf(why, len, "this kernel's VFIO has no type1v2 IOMMU (CONFIG_VFIO_IOMMU_TYPE1)");
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

/* Opens the group, checks it is viable and sets the type1v2 IOMMU. */
static int attach_group(int container, int group, char *why, size_t len)
{
	char path[64];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int fd, err;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		snprintf(why, len, "%s: %s%s", path, strerror(err),
			 err == EBUSY ? " (another process, or another pin job, has the group: one user per group)" : "");
		return -err;
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) || !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(why, len, "IOMMU group %d is not viable: every device in it must be bound to vfio-pci", group);
		close(fd);
		return -EINVAL;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container) || ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		err = errno;
		snprintf(why, len, "IOMMU group %d: setting the type1v2 IOMMU: %s", group, strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

static void vfio_detach(struct pin_ctx *ctx)
{
	if (ctx->group >= 0)
		close(ctx->group);
	if (ctx->container >= 0)
		close(ctx->container);
}

static void vfio_close(struct pin_ctx *ctx)
{
	if (!ctx)
		return;
	vfio_detach(ctx);
	free(ctx);
}

/* Opens container and group; on failure, why says which and how. */
static int vfio_attach(struct pin_ctx *ctx, const char *device, char *why, size_t len)
{
	int group = vfio_group_of(device, why, len);

	if (group < 0)
		return group;
	ctx->container = vfio_container(why, len);
	if (ctx->container < 0)
		return ctx->container;
	ctx->group = attach_group(ctx->container, group, why, len);
	return ctx->group < 0 ? ctx->group : 0;
}

static int probe_device(const char *device, char *why, size_t len)
{
	struct pin_ctx ctx = { .container = -1, .group = -1 };
	int ret = vfio_attach(&ctx, device, why, len);

	vfio_detach(&ctx);
	return ret;
}

static int vfio_probe(const void *cfg, char *why, size_t len)
{
	return probe_device(((const struct vfio_device_cfg *)cfg)->device, why, len);
}

/* type1 keeps one entry per mapping and refuses more than its module's
 * dma_entry_limit (65535 by default) with ENOSPC: said by name here
 * rather than left to look like a failed pin. */
static int check_entry_limit(unsigned nslots)
{
	char *text = read_file("/sys/module/vfio_iommu_type1/parameters/dma_entry_limit", NULL);
	unsigned long limit = text ? strtoul(text, NULL, 10) : 0;

	free(text);
	if (!limit || nslots <= limit)
		return 0;
	pb_err("vfio: %u chunks a node would be %u mappings in one container, more than vfio_iommu_type1's "
	       "dma_entry_limit (%lu): make chunk larger, or raise the module parameter", nslots, nslots, limit);
	return -ENOSPC;
}

static int vfio_open(struct pin_ctx **out, unsigned nslots, const void *cfg)
{
	const char *device = ((const struct vfio_device_cfg *)cfg)->device;
	int limited = check_entry_limit(nslots);

	if (limited)
		return limited;
	struct pin_ctx *ctx = xcalloc(1, sizeof(*ctx) + nslots * sizeof(ctx->slot[0]));
	char why[512];
	int ret;

	*ctx = (struct pin_ctx){ .container = -1, .group = -1, .nslots = nslots, .next_iova = IOVA_BASE };
	ret = vfio_attach(ctx, device, why, sizeof(why));
	if (ret) {
		vfio_close(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

/* A slot keeps the IOVA range it first got; chunks are all one size. */
static int vfio_pin(struct pin_ctx *ctx, unsigned slot, void *addr, size_t len)
{
	if (!ctx->slot[slot].size) {
		ctx->slot[slot].iova = ctx->next_iova;
		ctx->slot[slot].size = len;
		ctx->next_iova += (len + IOVA_ALIGN - 1) & ~(IOVA_ALIGN - 1);
	}
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uint64_t)(uintptr_t)addr, .iova = ctx->slot[slot].iova, .size = len,
	};

	return ioctl(ctx->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int vfio_unpin(struct pin_ctx *ctx, unsigned slot)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = ctx->slot[slot].iova, .size = ctx->slot[slot].size,
	};

	return ioctl(ctx->container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

/* Every device bound to vfio-pci, its group, and whether it can be used. */
static void describe_device(const char *addr, void *arg)
{
	char why[512];
	int group = vfio_device_group(addr, why, sizeof(why));
	int ret = group < 0 ? group : probe_device(addr, why, sizeof(why));

	fprintf(arg, "  vfio device %s  IOMMU group %d  %s\n", addr, group, ret ? why : "usable");
}

static void vfio_describe(FILE *f)
{
	vfio_pci_each(describe_device, f);
}

const struct pin_backend pin_backend_vfio = {
	.name = "vfio",
	.summary = "VFIO type1 VFIO_IOMMU_MAP_DMA for a device bound to vfio-pci (a VM start)",
	.max_chunk = 0,
	.options = vfio_options,
	.noptions = ARRAY_SIZE(vfio_options),
	.config_size = sizeof(struct vfio_device_cfg),
	.probe = vfio_probe,
	.open = vfio_open,
	.pin = vfio_pin,
	.unpin = vfio_unpin,
	.close = vfio_close,
	.describe = vfio_describe,
	.needs_vfio_device = true,
	.note = "pins through VFIO type1 (pin_user_pages_remote, FOLL_LONGTERM), as QEMU does for an assigned device",
};
