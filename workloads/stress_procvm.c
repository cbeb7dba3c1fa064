/* procvm: another process reads the pin range in a tight loop while it is
 * pinned, with process_vm_readv(2) or /proc/PID/mem. Each read takes
 * temporary references on the pages it copies from. The reader is
 * `pinbench _helper procvm`, spawned per pin range and journalled so that
 * `pinbench env restore` ends it after a crash. */
#include "config.h"
#include "exitcode.h"
#include "journal.h"
#include "harness.h"
#include "stressor.h"
#include "subprocess.h"
#include "util.h"
#include "units.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>

struct procvm_cfg {
	char method[32];
	uint64_t block;
};

enum { C_READERS, C_SPAWN_FAILURES, C_READER_ERRORS };
static const char *const procvm_counters[] = { "readers", "spawn_failures", "reader_errors" };

static const struct scenario_key procvm_options[] = {
	OPT_TYPE("procvm"),
	OPT_CHOICE(struct procvm_cfg, method, "method", "process_vm_readv", "process_vm_readv|procmem",
		   "how to read: procmem is /proc/PID/mem"),
	OPT_SIZE(struct procvm_cfg, block, "block", "64K", 1, 64 * MIB, 0, "bytes per read"),
};

/* pinbench _helper procvm PID ADDR LEN BLOCK METHOD: reads until killed,
 * or until its parent dies. */
static int procvm_helper(int argc, char **argv)
{
	if (argc != 6)
		return EXIT_BAD_INPUT;
	pid_t pid = (pid_t)atoi(argv[1]);
	uintptr_t addr = strtoull(argv[2], NULL, 0);
	size_t len = strtoull(argv[3], NULL, 0), block = strtoull(argv[4], NULL, 0);
	int procmem = !strcmp(argv[5], "procmem"), fd = -1;
	char *buf = xmalloc(block), path[64];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != pid)
		return 1;
	if (procmem) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 1;
	}
	for (size_t off = 0;; off = off + block >= len ? 0 : off + block) {
		size_t n = len - off < block ? len - off : block;
		struct iovec local = { buf, n }, remote = { (void *)(addr + off), n };
		if (procmem ? pread(fd, buf, n, (off_t)(addr + off)) < 0
			    : process_vm_readv(pid, &local, 1, &remote, 1, 0) < 0)
			return 1;
	}
}

static int procvm_probe(const void *c, char *why, size_t len)
{
	const struct procvm_cfg *cfg = c;

	return strcmp(cfg->method, "process_vm_readv") ? 0 : probe_process_vm_readv(why, len);
}

/* Spawns the range's reader (t->data: its pid). */
static int procvm_begin(struct harness_thread *t)
{
	const struct procvm_cfg *cfg = harness_cfg(t->h);
	char pid[24], addr[24], len[24], block[24];
	char *argv[] = { "/proc/self/exe", "_helper", "procvm", pid, addr, len, block, (char *)cfg->method, NULL };
	pid_t child;
	int ret;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(addr, sizeof(addr), "%#" PRIxPTR, (uintptr_t)t->range.addr);
	snprintf(len, sizeof(len), "%zu", t->range.len);
	snprintf(block, sizeof(block), "%" PRIu64, cfg->block);
	ret = spawn_background(argv, NULL, &child);
	if (ret) {
		harness_count(t->h, C_SPAWN_FAILURES, 1);
		return ret;
	}
	journal_process(child); /* without root there is no journal: the child dies with us */
	harness_count(t->h, C_READERS, 1);
	t->data = (void *)(intptr_t)child;
	return 0;
}

static void procvm_end(struct harness_thread *t)
{
	pid_t child = (pid_t)(intptr_t)t->data;
	char who[24];

	/* A reader still reading dies of the SIGKILL; one that exited had
	 * a read fail, and the pin saw fewer references than asked. */
	if (stop_process(child, SIGKILL, 1000) != 128 + SIGKILL)
		harness_count(t->h, C_READER_ERRORS, 1);
	snprintf(who, sizeof(who), "%d", (int)child);
	journal_forget("process", who);
}

static void procvm_report(struct harness *h, json_t *j)
{
	json_object_set_new(j, "method", json_string(((const struct procvm_cfg *)harness_cfg(h))->method));
}

static const struct harness_ops procvm_ops = {
	.counters = procvm_counters,
	.ncounters = ARRAY_SIZE(procvm_counters),
	.range_begin = procvm_begin,
	.range_end = procvm_end,
	.settle_us = 1000, /* let it start reading before the pin */
	.report = procvm_report,
};
HARNESS_START(procvm_start, procvm_ops)

const struct stressor stressor_procvm = {
	.type = "procvm",
	.summary = "another process reads the pin range in a loop (process_vm_readv or /proc/PID/mem)",
	.options = procvm_options,
	.noptions = ARRAY_SIZE(procvm_options),
	.config_size = sizeof(struct procvm_cfg),
	.probe = procvm_probe,
	.start = procvm_start,
	.before_pin = harness_before_pin,
	.after_unpin = harness_after_unpin,
	.stop = harness_stop,
	.helper_main = procvm_helper,
};
