/* vmstat and zoneinfo parsing, deltas, memory blocks from a sysfs-shaped
 * tree, and physical range lookups. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <jansson.h>
#include "ksym.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters.h"
#include "memblock.h"
#include "util.h"
#include "units.h"
#include "paths.h"
#include "zoneinfo.h"

static void parse_counters(void **state)
{
	struct counters c;
	unsigned bad = 0;

	(void)state;
	assert_int_equal(counters_parse("nr_free_pages 100\npgmigrate_success 7\n\nthp_split_page 18446744073709551615\n",
					&c, &bad), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.names[1], "pgmigrate_success");
	assert_int_equal(c.values[1], 7);
	assert_int_equal(c.values[2], UINT64_MAX);
	assert_int_equal(counters_find(&c, "thp_split_page", 0), 2);
	assert_int_equal(counters_find(&c, "absent", 0), -1);
	counters_free(&c);
}

static void malformed_counters_name_the_line(void **state)
{
	static const char *const bad[] = {
		"a 1\nb\n", "a 1\nb x\n", "a 1\nb 2 3\n", "a 1\n 2\n", "a -1\n", "a 1\nb 99999999999999999999999\n",
	};
	static const unsigned line[] = { 2, 2, 2, 2, 1, 2 };
	struct counters c;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		unsigned got = 0;
		assert_int_equal(counters_parse(bad[i], &c, &got), -1);
		assert_int_equal(got, line[i]);
	}
}

static void deltas(void **state)
{
	struct counters a, b;

	(void)state;
	assert_int_equal(counters_parse("pgmigrate_success 10\nnr_free_pages 500\n", &a, NULL), 0);
	/* a counter that appears later counts from 0; gauges can go down */
	assert_int_equal(counters_parse("pgmigrate_success 25\nnr_free_pages 400\npgmigrate_fail 3\n", &b, NULL), 0);
	assert_int_equal(counters_delta(&a, &b, 0), 15);
	assert_int_equal(counters_delta(&a, &b, 1), -100);
	assert_int_equal(counters_delta(&a, &b, 2), 3);
	counters_free(&a);
	counters_free(&b);
}

static void migration_family(void **state)
{
	(void)state;
	assert_true(counter_is_migration_related("pgmigrate_fail"));
	assert_true(counter_is_migration_related("thp_migration_split"));
	assert_true(counter_is_migration_related("thp_split_page_failed"));
	assert_true(counter_is_migration_related("compact_stall"));
	assert_true(counter_is_migration_related("cma_alloc_success"));
	assert_false(counter_is_migration_related("nr_free_pages"));
	assert_false(counter_is_migration_related("pgfault"));
}

static const char zoneinfo_text[] =
	"Node 0, zone      DMA\n"
	"  per-node stats\n"
	"      nr_inactive_anon 12\n"
	"  pages free     3840\n"
	"        boost    0\n"
	"        spanned  4095\n"
	"        present  3998\n"
	"        managed  3840\n"
	"      nr_free_pages 3840\n"
	"  start_pfn:           1\n"
	"Node 0, zone   Normal\n"
	"  pages free     5000\n"
	"        spanned  65536\n"
	"        present  65536\n"
	"        managed  60000\n"
	"      nr_free_cma  1024\n"
	"  start_pfn:           1048576\n"
	"Node 1, zone  Movable\n"
	"  pages free     32768\n"
	"        spanned  32768\n"
	"        present  32768\n"
	"        managed  32768\n"
	"  start_pfn:           2097152\n";

static void parse_zoneinfo(void **state)
{
	struct zoneinfo zi;

	(void)state;
	assert_int_equal(zoneinfo_parse(zoneinfo_text, &zi, NULL), 0);
	assert_int_equal(zi.n, 3);
	assert_string_equal(zi.zones[1].name, "Normal");
	assert_int_equal(zi.zones[1].free, 5000);
	assert_int_equal(zi.zones[1].managed, 60000);
	assert_int_equal(zi.zones[1].free_cma, 1024);
	assert_int_equal(zi.zones[1].start_pfn, 1048576);
	assert_int_equal(zi.zones[2].node, 1);
	assert_int_equal(zoneinfo_present(&zi, 1, "Movable"), 32768);
	assert_int_equal(zoneinfo_present(&zi, 0, "Movable"), 0);
	assert_int_equal(zoneinfo_present(&zi, -1, "Normal"), 65536);
	zoneinfo_free(&zi);
}

static void malformed_zoneinfo(void **state)
{
	struct zoneinfo zi;
	unsigned line = 0;

	(void)state;
	assert_int_equal(zoneinfo_parse("Node 0, zone DMA\n  pages free 1\nNode x, zone\n", &zi, &line), -1);
	assert_int_equal(line, 3);
}

/* A tree shaped like /sys/devices/system/memory. */
static void make_block(const char *root, unsigned id, int node, const char *state, const char *zone)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory%u", root, id);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/memory%u/node%d", root, id, node);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/memory%u/state", root, id);
	f = fopen(path, "w");
	fprintf(f, "%s\n", state);
	fclose(f);
	snprintf(path, sizeof(path), "%s/memory%u/valid_zones", root, id);
	f = fopen(path, "w");
	fprintf(f, "%s\n", zone);
	fclose(f);
}

static void memory_blocks(void **state)
{
	char root[] = "/tmp/pinbench-mb-XXXXXX", path[512];
	struct memblocks m;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/block_size_bytes", root);
	f = fopen(path, "w");
	fputs("8000000\n", f);
	fclose(f);
	make_block(root, 10, 0, "online", "Normal");
	make_block(root, 2, 0, "online", "Movable");
	make_block(root, 3, 1, "online", "Movable");
	make_block(root, 4, 1, "offline", "Normal Movable");
	assert_int_equal(memblocks_read(root, &m), 0);
	assert_int_equal(m.block_size, 128 * MIB);
	assert_int_equal(m.n, 4);
	assert_int_equal(m.b[0].id, 2); /* sorted */
	assert_int_equal(m.b[3].id, 10);
	assert_false(m.b[2].online);
	assert_string_equal(m.b[2].zone, "");
	assert_int_equal(m.b[1].node, 1);
	assert_int_equal(memblocks_bytes_in_zone(&m, -1, "Movable"), 256 * MIB);
	assert_int_equal(memblocks_bytes_in_zone(&m, 1, "Movable"), 128 * MIB);
	assert_int_equal(memblocks_bytes_in_zone(&m, 0, "Normal"), 128 * MIB);
	memblocks_free(&m);
	assert_int_equal(remove_tree(root), 0);
}

static void ranges(void **state)
{
	struct pfn_ranges pr = { 0 };

	(void)state;
	pr.n = 2;
	pr.r = calloc(2, sizeof(*pr.r));
	pr.r[0].start = 100;
	pr.r[0].end = 200;
	pr.r[1].start = 1000;
	pr.r[1].end = 1001;
	assert_false(pfn_ranges_contain(&pr, 99));
	assert_true(pfn_ranges_contain(&pr, 100));
	assert_true(pfn_ranges_contain(&pr, 199));
	assert_false(pfn_ranges_contain(&pr, 200));
	assert_true(pfn_ranges_contain(&pr, 1000));
	assert_false(pfn_ranges_contain(&pr, 1001));
	pfn_ranges_free(&pr);
	/* no ranges: nothing to count, and no pagemap read needed */
	assert_int_equal(count_pages_in_ranges(&pr, 4096, &pr), 0);
}

/* The PFN of the page at p, read from pagemap; 0 when not present or
 * hidden (PFNs are shown to CAP_SYS_ADMIN only). */
static uint64_t pfn_of(const void *p)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t entry = 0;
	off_t at = (off_t)((uintptr_t)p / 4096 * sizeof(entry));

	if (fd < 0 || pread(fd, &entry, sizeof(entry), at) != sizeof(entry))
		entry = 0;
	if (fd >= 0)
		close(fd);
	return entry >> 63 ? entry & ((1ULL << 55) - 1) : 0;
}

/* The pagemap walk against ranges made of the PFNs of pages 2, 5 and 11
 * of a 16-page mapping: it must find exactly those, in order, stop at
 * max, and not count a page that is no longer present. */
static void pages_found_in_ranges(void **state)
{
	const size_t n = 16, page = 4096;
	char *m = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const size_t chosen[] = { 2, 5, 11 };
	struct pfn_ranges pr = { 0 };
	size_t idx[16];

	(void)state;
	assert_true(m != MAP_FAILED);
	if (sysconf(_SC_PAGESIZE) != (long)page)
		skip();
	memset(m, 1, n * page);
	if (!pfn_of(m)) {
		printf("pagemap shows no PFNs (not root): the walk cannot be checked\n");
		munmap(m, n * page);
		skip();
	}
	pr.n = ARRAY_SIZE(chosen);
	pr.r = calloc(pr.n, sizeof(*pr.r));
	for (size_t i = 0; i < pr.n; i++) {
		pr.r[i].start = pfn_of(m + chosen[i] * page);
		pr.r[i].end = pr.r[i].start + 1;
	}
	assert_int_equal(count_pages_in_ranges(m, n * page, &pr), 3);
	assert_int_equal(pages_in_ranges(m, n * page, &pr, idx, 16), 3);
	for (size_t i = 0; i < ARRAY_SIZE(chosen); i++)
		assert_int_equal(idx[i], chosen[i]);
	assert_int_equal(pages_in_ranges(m, n * page, &pr, idx, 2), 2); /* stops at max */
	assert_int_equal(idx[1], 5);
	assert_int_equal(count_pages_in_ranges(m + 3 * page, 8 * page, &pr), 1); /* only page 5 inside */
	madvise(m + 5 * page, page, MADV_DONTNEED); /* no longer present */
	assert_int_equal(count_pages_in_ranges(m, n * page, &pr), 2);
	pfn_ranges_free(&pr);
	munmap(m, n * page);
}

double buddyinfo_high_order_fraction(const char *text); /* workloads/stress_fragment.c */
void pagetypeinfo_free(const char *text, uint64_t *high, uint64_t *all);
json_t *pagetypeinfo_high_blocks(const char *text);
uint64_t zoneinfo_pinnable_free(const struct zoneinfo *zi);
int trace_parse_reasons(const char *format, char **names, int max); /* bench/trace.c */

static void buddyinfo_fraction(void **state)
{
	/* DMA32: 2 order-0 pages and one order-9 block (512 pages); Normal:
	 * one order-10 block (1024) and 4 order-1 (8); Movable is not counted. */
	const char *text =
		"Node 0, zone    DMA32      2      0      0      0      0      0      0      0      0      1      0\n"
		"Node 0, zone   Normal      0      4      0      0      0      0      0      0      0      0      1\n"
		"Node 0, zone  Movable      0      0      0      0      0      0      0      0      0      0    100\n";

	(void)state;
	assert_float_equal(buddyinfo_high_order_fraction(text), (512.0 + 1024.0) / (2 + 512 + 1024 + 8), 1e-12);
	assert_float_equal(buddyinfo_high_order_fraction(""), 0, 0);
}

/* CMA and isolated blocks, and the Movable zone, are not where a pin's
 * migration target can come from; ">100000" counts as 100000. */
static void pagetypeinfo_counts(void **state)
{
	const char *text =
		"Page block order: 9\nPages per block:  512\n\n"
		"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
		"Node    0, zone    DMA32, type    Unmovable      2      0      0      0      0      0      0      0      0      1      0 \n"
		"Node    0, zone    DMA32, type          CMA      0      0      0      0      0      0      0      0      0      0      9 \n"
		"Node    0, zone   Normal, type      Movable >100000      0      0      0      0      0      0      0      0      0      1 \n"
		"Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      5 \n"
		"Node    0, zone  Movable, type      Movable      0      0      0      0      0      0      0      0      0      0    100 \n"
		"\nNumber of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n"
		"Node 0, zone    DMA32            1            7            0            0            0            0 \n";
	uint64_t high, all;

	(void)state;
	pagetypeinfo_free(text, &high, &all);
	assert_int_equal(high, (512 + 1024) * 4096ULL);
	assert_int_equal(all, (2 + 512 + 100000 + 1024) * 4096ULL);
	pagetypeinfo_free("", &high, &all);
	assert_int_equal(high + all, 0);

	/* where the order >= 9 blocks counted lie */
	json_t *left = pagetypeinfo_high_blocks(text);
	char *got = json_dumps(left, JSON_COMPACT);
	assert_string_equal(got, "[{\"zone\":\"DMA32\",\"type\":\"Unmovable\",\"bytes\":2097152},"
				 "{\"zone\":\"Normal\",\"type\":\"Movable\",\"bytes\":4194304}]");
	free(got);
	json_decref(left);
	left = pagetypeinfo_high_blocks("");
	assert_int_equal(json_array_size(left), 0);
	json_decref(left);
}

static void zoneinfo_pinnable(void **state)
{
	const char *text = "Node 0, zone      DMA\n  pages free     3840\n        min      0\n      nr_free_cma  0\n"
			   "Node 0, zone   Normal\n  pages free     10000\n      nr_free_cma  4000\n"
			   "Node 0, zone  Movable\n  pages free     262144\n      nr_free_cma  0\n"
			   "Node 1, zone   Normal\n  pages free     100\n      nr_free_cma  200\n";

	struct zoneinfo zi = { 0 };
	unsigned bad;

	(void)state;
	assert_int_equal(zoneinfo_parse(text, &zi, &bad), 0);
	assert_int_equal(zoneinfo_pinnable_free(&zi), (3840 + 6000) * 4096ULL);
	zoneinfo_free(&zi);
	assert_int_equal(zoneinfo_parse("", &zi, &bad), 0);
	assert_int_equal(zoneinfo_pinnable_free(&zi), 0);
	zoneinfo_free(&zi);
}

/* A hang's stack named from System.map: text symbols only, the last at or
 * below each address; named lines and other text kept. */
static void stack_named(void **state)
{
	const char *map = "ffffffff81000000 T _text\n"
			  "ffffffff810a1200 t reclaim_throttle\n"
			  "ffffffff810a2000 D some_data\n"
			  "ffffffff81145b00 T isolate_migratepages_block\n"
			  "ffffffff81200000 W weak_fn\n";
	const char *stack = "[<0>] 0xffffffff810a12d5\n"
			    "[<0>] 0xffffffff81145bb7\n"
			    "[<0>] 0xffffffff810a2005\n"
			    "[<0>] io_uring_register+0x10/0x40\n"
			    "[<0>] 0xffffffff80000000\n";
	char *out = ksym_symbolize(stack, map);

	(void)state;
	assert_string_equal(out, "[<0>] 0xffffffff810a12d5 reclaim_throttle+0xd5\n"
				 "[<0>] 0xffffffff81145bb7 isolate_migratepages_block+0xb7\n"
				 "[<0>] 0xffffffff810a2005 reclaim_throttle+0xe05\n"
				 "[<0>] io_uring_register+0x10/0x40\n"
				 "[<0>] 0xffffffff80000000\n");
	free(out);
	out = ksym_symbolize("[<0>] 0xffffffff810a12d5", "");
	assert_string_equal(out, "[<0>] 0xffffffff810a12d5");
	free(out);
}

/* The print fmt of migrate:mm_migrate_pages on 6.18, as tracefs shows it. */
static void trace_reasons(void **state)
{
	const char *fmt = "print fmt: \"nr_succeeded=%lu mode=%s reason=%s\", REC->succeeded, "
		"__print_symbolic(REC->mode, {0, \"MIGRATE_ASYNC\"}, {1, \"MIGRATE_SYNC_LIGHT\"}, {2, \"MIGRATE_SYNC\"}), "
		"__print_symbolic(REC->reason, {0, \"compaction\"}, {1, \"memory_failure\"}, {2, \"memory_hotplug\"}, "
		"{3, \"syscall_or_cpuset\"}, {4, \"mempolicy_mbind\"}, {5, \"numa_misplaced\"}, {6, \"contig_range\"}, "
		"{7, \"longterm_pin\"}, {8, \"demotion\"}, {9, \"damon\"})";
	char *names[32] = { 0 };

	(void)state;
	assert_int_equal(trace_parse_reasons(fmt, names, 32), 10);
	assert_string_equal(names[7], "longterm_pin");
	assert_string_equal(names[0], "compaction"); /* not MIGRATE_ASYNC: the reason list, not the mode's */
	assert_null(names[10]);
	for (int i = 0; i < 32; i++)
		free(names[i]);
	assert_int_equal(trace_parse_reasons("print fmt: \"no reasons\"", names, 32), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_counters),
		cmocka_unit_test(malformed_counters_name_the_line),
		cmocka_unit_test(deltas),
		cmocka_unit_test(migration_family),
		cmocka_unit_test(parse_zoneinfo),
		cmocka_unit_test(malformed_zoneinfo),
		cmocka_unit_test(memory_blocks),
		cmocka_unit_test(ranges),
		cmocka_unit_test(pages_found_in_ranges),
		cmocka_unit_test(buddyinfo_fraction),
		cmocka_unit_test(pagetypeinfo_counts),
		cmocka_unit_test(stack_named),
		cmocka_unit_test(zoneinfo_pinnable),
		cmocka_unit_test(trace_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
