/* iommufd: IOMMU_IOAS_MAP on /dev/iommu for a device bound through its
 * VFIO cdev, the interface that replaces the type1 container (6.2+; the
 * VFIO device cdev 6.6+). iommufd pins each mapping's pages with
 * pin_user_pages(FOLL_LONGTERM) through its iopt_pages (pfn_reader_user),
 * from the mapping task's own mm, and unpins on IOMMU_IOAS_UNMAP. A failed
 * migration out of CMA or ZONE_MOVABLE is the same ENOMEM as through type1.
 *
 * Per pin worker: one iommufd, one IO address space (IOMMU_IOAS_ALLOC),
 * the device opened as /dev/vfio/devices/vfioN, bound to the iommufd
 * (VFIO_DEVICE_BIND_IOMMUFD) and attached to the IOAS
 * (VFIO_DEVICE_ATTACH_IOMMUFD_PT), so that every map reaches the IOMMU's
 * page table as a VM's would. Every slot maps at its own fixed IOVA
 * (IOMMU_IOAS_MAP_FIXED_IOVA), as QEMU maps guest RAM at its guest
 * physical address. The device is found as the vfio backend finds it: the
 * `device` key, auto or DOMAIN:BUS:DEV.FN. */
#include "config.h"
#include "pin_backend.h"
#include "log.h"
#include "util.h"
#include "vfio_device.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#else
/* Headers older than 6.2 (Debian 12's linux-libc-dev is 6.1): the uAPI of
 * include/uapi/linux/iommufd.h that this file uses, as the kernel has it. */
#include <linux/types.h>
#define IOMMUFD_TYPE (';')
enum {
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
};
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)
#endif

#ifndef VFIO_DEVICE_BIND_IOMMUFD
/* include/uapi/linux/vfio.h of 6.6+: the device cdev's iommufd binding. */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#endif

#define IOVA_BASE (1ULL << 32) /* above what 32-bit DMA windows reserve */
#define IOVA_ALIGN (2ULL << 20)

static const struct scenario_key iommufd_options[] = {
	VFIO_DEVICE_OPTION,
};

struct pin_ctx {
	int iommufd, device;
	uint32_t ioas;
	unsigned nslots;
	uint64_t next_iova;
	struct { uint64_t iova, size; } slot[];
};

static void iommufd_detach(struct pin_ctx *ctx)
{
	/* Closing the device unbinds it (and detaches it from the IOAS);
	 * closing the iommufd then frees the IOAS and any mapping left. */
	if (ctx->device >= 0)
		close(ctx->device);
	if (ctx->iommufd >= 0)
		close(ctx->iommufd);
	ctx->device = ctx->iommufd = -1;
}

/* "WHAT[ on ADDR]: strerror(err)HINT" into why; returns -err. */
static int say_errno(char *why, size_t len, int err, const char *what, const char *addr, const char *hint)
{
	snprintf(why, len, "%s%s%s: %s%s", what, addr ? " on " : "", addr ? addr : "", strerror(err), hint);
	return -err;
}

/* /dev/iommu, an IOAS, the device's cdev bound and attached to it; on
 * failure, why says which step and how to get it. */
static int iommufd_attach(struct pin_ctx *ctx, const char *device, char *why, size_t len)
{
	char addr[VFIO_PCI_ADDR_LEN], cdev[64];
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int ret, err;

	ctx->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (ctx->iommufd < 0) {
		err = errno;
		return say_errno(why, len, err, "/dev/iommu", NULL,
				 err == ENOENT ? " (kernel without CONFIG_IOMMUFD, or its module not loaded: iommufd "
						 "needs 6.2 or later; pinbench kernel build --source 6.12 has it)" : "");
	}
	if ((ret = vfio_pci_device(device, addr, why, len)) ||
	    (ret = vfio_device_cdev(addr, cdev, sizeof(cdev), why, len)))
		return ret;
	if (ioctl(ctx->iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return say_errno(why, len, errno, "IOMMU_IOAS_ALLOC", NULL, "");
	ctx->ioas = alloc.out_ioas_id;
	ctx->device = open(cdev, O_RDWR | O_CLOEXEC);
	if (ctx->device < 0) {
		err = errno;
		return say_errno(why, len, err, cdev, NULL,
				 err == EBUSY ? " (another process, or another pin job, has the device: one user at a time)"
					      : "");
	}
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = ctx->iommufd };
	if (ioctl(ctx->device, VFIO_DEVICE_BIND_IOMMUFD, &bind)) {
		err = errno;
		return say_errno(why, len, err, "VFIO_DEVICE_BIND_IOMMUFD", addr,
				 err == EBUSY || err == EINVAL ? " (the device or its IOMMU group is in use through "
								 "/dev/vfio/GROUP, or the group is not viable)" : "");
	}
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach), .pt_id = ctx->ioas };
	if (ioctl(ctx->device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return say_errno(why, len, errno, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", addr, "");
	return 0;
}

/* Whether [IOVA_BASE, IOVA_BASE + span) is inside one range the IOAS
 * allows now that the device is attached (the IOMMU's address width). */
static int check_iova(const struct pin_ctx *ctx, uint64_t span, char *why, size_t len)
{
	struct iommu_iova_range ranges[16];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = ctx->ioas, .num_iovas = ARRAY_SIZE(ranges),
		.allowed_iovas = (uint64_t)(uintptr_t)ranges,
	};

	if (ioctl(ctx->iommufd, IOMMU_IOAS_IOVA_RANGES, &q))
		return say_errno(why, len, errno, "IOMMU_IOAS_IOVA_RANGES", NULL, "");
	for (uint32_t i = 0; i < q.num_iovas && i < ARRAY_SIZE(ranges); i++)
		if (ranges[i].start <= IOVA_BASE && IOVA_BASE + span - 1 <= ranges[i].last)
			return 0;
	snprintf(why, len, "the IOMMU cannot map %llu MiB from IOVA 0x%llx (its address width is too small)",
		 (unsigned long long)(span >> 20), (unsigned long long)IOVA_BASE);
	return -ENOSPC;
}

static void iommufd_close(struct pin_ctx *ctx)
{
	if (!ctx)
		return;
	iommufd_detach(ctx);
	free(ctx);
}

static int iommufd_probe(const void *cfg, char *why, size_t len)
{
	struct pin_ctx ctx = { .iommufd = -1, .device = -1 };
	int ret = iommufd_attach(&ctx, ((const struct vfio_device_cfg *)cfg)->device, why, len);

	iommufd_detach(&ctx);
	return ret;
}

static int iommufd_open(struct pin_ctx **out, unsigned nslots, const void *cfg)
{
	struct pin_ctx *ctx = xcalloc(1, sizeof(*ctx) + nslots * sizeof(ctx->slot[0]));
	char why[512];
	int ret;

	*ctx = (struct pin_ctx){ .iommufd = -1, .device = -1, .nslots = nslots, .next_iova = IOVA_BASE };
	ret = iommufd_attach(ctx, ((const struct vfio_device_cfg *)cfg)->device, why, sizeof(why));
	/* The slots' size is known at their first pin: ask for 2 MiB each
	 * here, the least a slot can take. */
	ret = ret ? ret : check_iova(ctx, (uint64_t)nslots * IOVA_ALIGN, why, sizeof(why));
	if (ret) {
		pb_err("iommufd: %s", why);
		iommufd_close(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

/* A slot keeps the IOVA range it first got; chunks are all one size. */
static int iommufd_pin(struct pin_ctx *ctx, unsigned slot, void *addr, size_t len)
{
	if (!ctx->slot[slot].size) {
		ctx->slot[slot].iova = ctx->next_iova;
		ctx->slot[slot].size = len;
		ctx->next_iova += (len + IOVA_ALIGN - 1) & ~(IOVA_ALIGN - 1);
	}
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ctx->ioas, .user_va = (uint64_t)(uintptr_t)addr, .length = len,
		.iova = ctx->slot[slot].iova,
	};

	return ioctl(ctx->iommufd, IOMMU_IOAS_MAP, &map) ? -errno : 0;
}

static int iommufd_unpin(struct pin_ctx *ctx, unsigned slot)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = ctx->ioas, .iova = ctx->slot[slot].iova,
		.length = ctx->slot[slot].size,
	};

	if (ioctl(ctx->iommufd, IOMMU_IOAS_UNMAP, &unmap))
		return -errno;
	return unmap.length == ctx->slot[slot].size ? 0 : -EIO; /* it says how much it unmapped */
}

/* Every device bound to vfio-pci, its cdev, and whether iommufd can use it. */
static void describe_device(const char *addr, void *arg)
{
	char why[512], cdev[64] = "-";
	int ret = vfio_device_cdev(addr, cdev, sizeof(cdev), why, sizeof(why));

	struct vfio_device_cfg cfg;

	snprintf(cfg.device, sizeof(cfg.device), "%s", addr);
	ret = ret ? ret : iommufd_probe(&cfg, why, sizeof(why));
	fprintf(arg, "  iommufd device %s  cdev %s  %s\n", addr, cdev, ret ? why : "usable");
}

static void iommufd_describe(FILE *f)
{
	vfio_pci_each(describe_device, f);
}

const struct pin_backend pin_backend_iommufd = {
	.name = "iommufd",
	.summary = "iommufd IOMMU_IOAS_MAP for a device bound through its VFIO cdev (6.2+)",
	.max_chunk = 0,
	.options = iommufd_options,
	.noptions = ARRAY_SIZE(iommufd_options),
	.config_size = sizeof(struct vfio_device_cfg),
	.probe = iommufd_probe,
	.open = iommufd_open,
	.pin = iommufd_pin,
	.unpin = iommufd_unpin,
	.close = iommufd_close,
	.describe = iommufd_describe,
	.needs_vfio_device = true,
	.note = "pins through iommufd (iopt_pages, pin_user_pages FOLL_LONGTERM), as QEMU does with iommufd=",
};
