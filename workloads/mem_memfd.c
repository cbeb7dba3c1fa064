/* memfd (shmem) shared memory: how QEMU backs guest RAM for vhost-user and
 * VFIO, and the memory of the THP-split report this project starts from. */
#include "config.h"
#include "memory.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

static int memfd_map_advised(struct region *r, size_t len, size_t align, int advice)
{
	int fd = memfd_create("pinbench", MFD_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = region_map(r, len, align, MAP_SHARED, fd);
	if (ret) {
		close(fd);
		return ret;
	}
	/* region_map mapped from the over-mapped start; the aligned range must
	 * map the file from offset 0, so map it there again. */
	if (r->addr != r->map_addr &&
	    mmap(r->addr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		ret = -errno;
		region_unmap(r);
		return ret;
	}
	if (madvise(r->addr, len, advice)) {
		ret = -errno;
		region_unmap(r);
	}
	return ret;
}

static int memfd_map(struct region *r, size_t len)
{
	return memfd_map_advised(r, len, 4096, MADV_NOHUGEPAGE);
}

/* Shmem THP needs /sys/kernel/mm/transparent_hugepage/shmem_enabled to be
 * advise, within_size or always. */
static int memfd_thp_map(struct region *r, size_t len)
{
	return memfd_map_advised(r, len, 2 << 20, MADV_HUGEPAGE);
}

const struct memory_type memory_memfd = {
	.name = "memfd",
	.summary = "memfd_create shared memory (shmem), base pages",
	.page_size = 4096,
	.shared_file = true,
	.map = memfd_map,
	.unmap = region_unmap,
};

const struct memory_type memory_memfd_thp = {
	.name = "memfd-thp",
	.summary = "memfd_create shared memory with MADV_HUGEPAGE (shmem THP)",
	.page_size = 2 << 20,
	.shared_file = true,
	.map = memfd_thp_map,
	.unmap = region_unmap,
};
