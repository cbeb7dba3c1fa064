#include "config.h"
#include "env.h"
#include "journal.h"
#include "log.h"
#include "memblock.h"
#include "util.h"
#include "units.h"
#include "files.h"

#include <errno.h>
#include <inttypes.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

atomic_int env_stop;
volatile sig_atomic_t env_stop_signal;

static void on_signal(int sig)
{
	static const char msg[] = "\npinbench: interrupted: finishing the current call, "
				  "then restoring the system; again to abort, then run 'pinbench env restore'\n";
	int saved_errno = errno; /* the interrupted code may be about to read it */

	if (env_stop_signal) {
		/* Second signal: the default action; the journal stays for
		 * `pinbench env restore`. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	env_stop_signal = sig;
	env_stop = 1;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do: stderr is gone */
	}
	errno = saved_errno;
}

void env_stop_run(void)
{
	env_stop = 1;
}

void env_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int env_begin(void)
{
	pid_t holder = 0;
	int ret = journal_open(&holder);
	long pending;

	if (ret == -EBUSY) {
		pb_err("another pinbench (pid %d) is changing this system; wait for it to finish",
		       (int)holder);
		return -1;
	}
	if (ret) {
		pb_err("cannot take the lock %s and open the journal %s: %s", journal_lock_path(), journal_path(),
		       strerror(-ret));
		return -1;
	}
	pending = journal_pending(JOURNAL_RUNS);
	if (pending > 0) {
		pb_warn("undoing %ld change(s) left by a pinbench run that was killed", pending);
		if (journal_restore(JOURNAL_RUNS, 1)) {
			pb_err("the system is not as pinbench found it; see the messages above");
			return -1;
		}
	}
	return 0;
}

int env_end(void)
{
	int left = journal_restore(JOURNAL_MINE, pb_verbose);

	journal_close();
	return left;
}


/* Moves one online kernel block to ZONE_MOVABLE. The block's contents are
 * migrated by the offline; a block with unmovable pages refuses (EBUSY),
 * which is normal and not an error. */
static int block_to_movable(const struct memblock *b)
{
	int ret = journal_memblock(MEMORY_SYSFS, b->id, b->zone);

	if (ret)
		return ret;
	ret = memblock_offline(MEMORY_SYSFS, b->id, 0);
	if (ret)
		return ret;
	ret = memblock_online(MEMORY_SYSFS, b->id, "Movable");
	if (ret) /* put it back at once; the journal covers a failure here */
		memblock_online(MEMORY_SYSFS, b->id, b->zone);
	return ret;
}

int env_movable_possible(uint64_t bytes, const int *nodes, size_t nnodes, char *why, size_t len)
{
	int have[1024];
	size_t nhave = env_memory_nodes(have, ARRAY_SIZE(have));
	char a[32], b[32];

	for (size_t i = 0; i < nnodes; i++) {
		bool exists = false;
		for (size_t h = 0; h < nhave; h++)
			exists |= have[h] == nodes[i];
		if (!exists) {
			snprintf(why, len, "node %d does not exist or has no memory on this machine (%zu node(s) with "
				 "memory)", nodes[i], nhave);
			return -1;
		}
		long long total = numa_available() < 0 ? 0 : numa_node_size64(nodes[i], NULL);
		if (total > 0 && bytes >= (uint64_t)total) {
			format_size(bytes, a, sizeof(a));
			format_size((uint64_t)total, b, sizeof(b));
			snprintf(why, len, "%s per node is not less than node %d's memory (%s)", a, nodes[i], b);
			return -1;
		}
	}
	return 0;
}

int env_movable(uint64_t bytes, const int *nodes, size_t nnodes, char *report, size_t len)
{
	struct memblocks m;
	size_t o = 0;
	int short_of = 0, ret;

	report[0] = '\0';
	if (geteuid() != 0) {
		pb_err("creating ZONE_MOVABLE needs root (memory block state is a root-only sysfs file)");
		return -EPERM;
	}
	ret = memblocks_read(MEMORY_SYSFS, &m);
	if (ret) {
		pb_err("cannot read %s: %s (kernel without CONFIG_MEMORY_HOTPLUG?)", MEMORY_SYSFS, strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < nnodes; i++) {
		int node = nodes[i];
		uint64_t have = memblocks_bytes_in_zone(&m, node, "Movable");
		unsigned refused = 0, moved = 0;
		char got[32], want[32];

		/* Low blocks first: on many machines the top of memory holds
		 * the kernel's own allocations and refuses to go offline. */
		for (size_t j = 1; j < m.n && have < bytes && !env_stop; j++) {
			struct memblock *b = &m.b[j];
			if (b->node != node || !b->online || !strcmp(b->zone, "Movable"))
				continue;
			ret = block_to_movable(b);
			if (ret == -EBUSY || ret == -EINVAL || ret == -EAGAIN) {
				refused++;
				continue;
			}
			if (ret) {
				pb_err("memory block %u: %s", b->id, strerror(-ret));
				memblocks_free(&m);
				return ret;
			}
			snprintf(b->zone, sizeof(b->zone), "Movable");
			have += m.block_size;
			moved++;
		}
		format_size(have, got, sizeof(got));
		format_size(bytes, want, sizeof(want));
		o += (size_t)snprintf(report + o, len > o ? len - o : 0,
				      "node %d: ZONE_MOVABLE %s (asked %s; %u block(s) moved, %u refused)\n",
				      node, got, want, moved, refused);
		if (have < bytes)
			short_of = 1;
	}
	memblocks_free(&m);
	return short_of;
}

static uint64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	unsigned long long v = 0;

	if (p)
		sscanf(p + strlen(key), " %llu", &v);
	return v * 1024;
}

uint64_t env_safe_bytes(uint64_t *mem_available, uint64_t *margin)
{
	char *mi = read_file("/proc/meminfo", NULL);
	uint64_t avail = mi ? meminfo_kb(mi, "MemAvailable:") : 0;
	uint64_t total = mi ? meminfo_kb(mi, "MemTotal:") : 0;
	uint64_t m = total / 20 > GIB / 4 ? total / 20 : GIB / 4;

	free(mi);
	if (mem_available)
		*mem_available = avail;
	if (margin)
		*margin = m;
	return avail > m ? avail - m : 0;
}

uint64_t env_node_safe_bytes(int node)
{
	char path[128], key[64];
	char *mi;
	uint64_t free_b, file, total, margin;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	mi = read_file(path, NULL);
	if (!mi) /* no per-node file: a non-NUMA kernel, one node */
		return env_safe_bytes(NULL, NULL);
	snprintf(key, sizeof(key), "Node %d MemFree:", node);
	free_b = meminfo_kb(mi, key);
	snprintf(key, sizeof(key), "Node %d FilePages:", node);
	file = meminfo_kb(mi, key);
	snprintf(key, sizeof(key), "Node %d MemTotal:", node);
	total = meminfo_kb(mi, key);
	free(mi);
	margin = total / 20 > GIB / 4 ? total / 20 : GIB / 4;
	/* File pages are mostly reclaimable; count half to stay careful. */
	return free_b + file / 2 > margin ? free_b + file / 2 - margin : 0;
}

size_t env_memory_nodes(int *nodes, size_t max)
{
	size_t n = 0;

	if (numa_available() < 0) {
		nodes[0] = 0;
		return 1;
	}
	for (int i = 0; i <= numa_max_node() && n < max; i++) {
		long long free_b;
		if (numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned)i) &&
		    numa_node_size64(i, &free_b) > 0)
			nodes[n++] = i;
	}
	return n;
}
