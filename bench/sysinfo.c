#include "config.h"
#include "sysinfo.h"
#include "kconfig.h"
#include "memblock.h"
#include "subprocess.h"
#include "util.h"
#include "units.h"
#include "files.h"
#include "zoneinfo.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

/* CONFIG_ options that change what pinning and migration do. */
static const char *const config_prefixes[] = {
	"CONFIG_CMA", "CONFIG_TRANSPARENT_HUGEPAGE", "CONFIG_THP_", "CONFIG_MIGRATION",
	"CONFIG_NUMA", "CONFIG_MEMORY_HOTPLUG", "CONFIG_MEMORY_HOTREMOVE", "CONFIG_COMPACTION",
	"CONFIG_IO_URING", "CONFIG_XDP_SOCKETS", "CONFIG_VFIO", "CONFIG_IOMMUFD", "CONFIG_HUGETLB",
	"CONFIG_GUP_TEST", "CONFIG_LRU_GEN", "CONFIG_SHMEM", "CONFIG_ARCH_ENABLE_THP_MIGRATION",
	"CONFIG_ARCH_ENABLE_HUGEPAGE_MIGRATION", "CONFIG_DEBUG_VM", "CONFIG_PREEMPT", "CONFIG_HZ=",
	"CONFIG_PAGE_REPORTING", "CONFIG_MEMCG", "CONFIG_ZONE_DMA",
};

static json_t *kernel_config(const char *release)
{
	char *text = kconfig_text(release);
	json_t *cfg = json_object();

	if (!text)
		return json_null();
	for (char *save, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		/* "# CONFIG_CMA is not set" says as much as "=y" does. */
		if (!strncmp(l, "# CONFIG_", 9) && strstr(l, " is not set")) {
			l += 2;
			eq = strchr(l, ' ');
			*eq = '=';
			eq[1] = 'n';
			eq[2] = '\0';
		}
		if (!eq)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(config_prefixes); i++) {
			if (!strncmp(l, config_prefixes[i], strlen(config_prefixes[i]))) {
				*eq = '\0';
				json_object_set_new(cfg, l, json_string(eq + 1));
				break;
			}
		}
	}
	free(text);
	return cfg;
}

json_t *sysinfo_kernel(void)
{
	struct utsname u;
	char *cmdline = read_line_file("/proc/cmdline");
	json_t *k;

	uname(&u);
	k = json_pack("{s:s, s:s, s:s, s:s, s:o}", "release", u.release, "version", u.version,
		      "machine", u.machine, "cmdline", cmdline ? cmdline : "",
		      "config", kernel_config(u.release));
	free(cmdline);
	return k;
}

static void add_knob(json_t *obj, const char *path)
{
	char *v = read_line_file(path);

	if (v)
		json_object_set_new(obj, path, json_string(v));
	free(v);
}

static void add_dir_knobs(json_t *obj, const char *dir, const char *const *files, size_t n)
{
	char path[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		add_knob(obj, path);
	}
}

json_t *sysinfo_knobs(void)
{
	static const char *const thp[] = {
		"enabled", "defrag", "shmem_enabled", "use_zero_page", "khugepaged/defrag",
		"khugepaged/max_ptes_none", "khugepaged/pages_to_scan",
	};
	static const char *const vm[] = {
		"compaction_proactiveness", "compact_unevictable_allowed", "extfrag_threshold",
		"min_free_kbytes", "watermark_scale_factor", "watermark_boost_factor",
		"zone_reclaim_mode", "nr_hugepages", "overcommit_memory", "percpu_pagelist_high_fraction",
	};
	static const char *const other[] = {
		"/proc/sys/kernel/numa_balancing", "/proc/sys/kernel/io_uring_disabled",
		"/sys/kernel/mm/lru_gen/enabled", "/sys/devices/system/memory/auto_online_blocks",
	};
	const char *thp_dir = "/sys/kernel/mm/transparent_hugepage";
	json_t *k = json_object();
	DIR *d;
	struct dirent *de;

	add_dir_knobs(k, thp_dir, thp, ARRAY_SIZE(thp));
	add_dir_knobs(k, "/proc/sys/vm", vm, ARRAY_SIZE(vm));
	for (size_t i = 0; i < ARRAY_SIZE(other); i++)
		add_knob(k, other[i]);
	/* Per-size (mTHP) controls, where the kernel has them. */
	d = opendir(thp_dir);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "hugepages-", 10))
			continue;
		char sub[300];
		static const char *const mthp[] = { "enabled", "shmem_enabled" };
		snprintf(sub, sizeof(sub), "%s/%s", thp_dir, de->d_name);
		add_dir_knobs(k, sub, mthp, ARRAY_SIZE(mthp));
	}
	if (d)
		closedir(d);
	return k;
}

json_t *sysinfo_zones(void)
{
	struct zoneinfo zi;
	struct memblocks mb;
	json_t *arr = json_array();
	uint64_t page = 4096;

	if (zoneinfo_read(&zi) == 0) {
		for (size_t i = 0; i < zi.n; i++) {
			const struct zone_info *z = &zi.zones[i];
			json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
				"node", z->node, "zone", z->name,
				"present_bytes", (json_int_t)(z->present * page),
				"managed_bytes", (json_int_t)(z->managed * page),
				"spanned_bytes", (json_int_t)(z->spanned * page),
				"free_bytes", (json_int_t)(z->free * page),
				"free_cma_bytes", (json_int_t)(z->free_cma * page),
				"start_pfn", (json_int_t)z->start_pfn));
		}
		zoneinfo_free(&zi);
	}
	/* Movable bytes by memory block: the number `movable =` acts on. */
	if (memblocks_read("/sys/devices/system/memory", &mb) == 0) {
		json_t *blocks = json_pack("{s:I, s:I, s:I}", "block_size", (json_int_t)mb.block_size,
					   "blocks", (json_int_t)mb.n, "movable_bytes",
					   (json_int_t)memblocks_bytes_in_zone(&mb, -1, "Movable"));
		memblocks_free(&mb);
		return json_pack("{s:o, s:o}", "zones", arr, "memory_blocks", blocks);
	}
	return json_pack("{s:o, s:n}", "zones", arr, "memory_blocks");
}

json_t *sysinfo_meminfo(void)
{
	static const char *const keys[] = {
		"MemTotal", "MemFree", "MemAvailable", "CmaTotal", "CmaFree", "AnonHugePages",
		"ShmemHugePages", "HugePages_Total", "HugePages_Free", "Hugepagesize",
	};
	char *file = read_file("/proc/meminfo", NULL), *text = NULL;
	json_t *m = json_object();

	/* every key, the first line's too, is found as "\nKEY:" */
	if (file && asprintf(&text, "\n%s", file) < 0)
		text = NULL;
	free(file);
	for (size_t i = 0; text && i < ARRAY_SIZE(keys); i++) {
		char key[64];
		unsigned long long v;
		snprintf(key, sizeof(key), "\n%s:", keys[i]);
		const char *p = strstr(text, key);
		if (p && sscanf(p + strlen(key), " %llu", &v) == 1)
			json_object_set_new(m, keys[i], json_integer((json_int_t)v));
	}
	free(text);
	return m;
}

json_t *sysinfo_topology(hwloc_topology_t topo)
{
	json_t *nodes = json_array();
	int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);

	for (int i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
		char *cpus = NULL;
		hwloc_bitmap_list_asprintf(&cpus, o->cpuset);
		json_array_append_new(nodes, json_pack("{s:i, s:s, s:I}", "id", (int)o->os_index,
			"cpus", cpus ? cpus : "", "memory_bytes", (json_int_t)o->attr->numanode.local_memory));
		free(cpus);
	}
	return json_pack("{s:i, s:i, s:i, s:o}",
		"packages", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE),
		"cores", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE),
		"pus", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU),
		"numa_nodes", nodes);
}
