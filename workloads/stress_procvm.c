/* procvm: another process reads the pin range in a tight loop while it is
 * pinned, with process_vm_readv(2) or /proc/PID/mem. Each read takes
 * temporary references on the pages it copies from. The reader is
 * `pinbench _helper procvm`, spawned per pin range and journalled so that
 * `pinbench env restore` ends it after a crash. */
#include "config.h"
#include "journal.h"
#include "range_state.h"
#include "stressor.h"
#include "subprocess.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
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

struct procvm_state {
	const struct procvm_cfg *cfg;
	struct range_state helpers; /* range -> pid */
	atomic_uint_fast64_t spawned, failed, reader_errors;
};

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
		return 2;
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

static int procvm_start(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct procvm_state *s = xcalloc(1, sizeof(*s));

	(void)env;
	(void)why;
	(void)len;
	s->cfg = cfg;
	range_state_init(&s->helpers);
	*state = s;
	return 0;
}

static int procvm_before_pin(void *state, const struct pin_range *r)
{
	struct procvm_state *s = state;
	char pid[24], addr[24], len[24], block[24];
	char *argv[] = { "/proc/self/exe", "_helper", "procvm", pid, addr, len, block,
			 (char *)s->cfg->method, NULL };
	pid_t child;
	int ret;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(addr, sizeof(addr), "%#" PRIxPTR, (uintptr_t)r->addr);
	snprintf(len, sizeof(len), "%zu", r->len);
	snprintf(block, sizeof(block), "%" PRIu64, s->cfg->block);
	ret = spawn_background(argv, NULL, &child);
	if (ret) {
		atomic_fetch_add(&s->failed, 1);
		return ret;
	}
	journal_process(child); /* without root there is no journal: the child dies with us */
	atomic_fetch_add(&s->spawned, 1);
	range_state_put(&s->helpers, r->addr, (void *)(intptr_t)child);
	usleep(1000); /* let it start reading before the pin */
	return 0;
}

static void procvm_after_unpin(void *state, const struct pin_range *r)
{
	struct procvm_state *s = state;
	pid_t child = (pid_t)(intptr_t)range_state_take(&s->helpers, r->addr);
	char who[24];

	if (!child)
		return;
	/* A reader still reading dies of the SIGKILL; one that exited had
	 * a read fail, and the pin saw fewer references than asked. */
	if (stop_process(child, SIGKILL, 1000) != 128 + SIGKILL)
		atomic_fetch_add(&s->reader_errors, 1);
	snprintf(who, sizeof(who), "%d", (int)child);
	journal_forget("process", who);
}

static json_t *procvm_stop(void *state)
{
	struct procvm_state *s = state;
	json_t *j = json_pack("{s:s, s:I, s:I, s:I}", "method", s->cfg->method, "readers", (json_int_t)s->spawned,
			      "spawn_failures", (json_int_t)s->failed, "reader_errors", (json_int_t)s->reader_errors);

	range_state_free(&s->helpers);
	free(s);
	return j;
}

const struct stressor stressor_procvm = {
	.type = "procvm",
	.summary = "another process reads the pin range in a loop (process_vm_readv or /proc/PID/mem)",
	.options = procvm_options,
	.noptions = ARRAY_SIZE(procvm_options),
	.config_size = sizeof(struct procvm_cfg),
	.probe = procvm_probe,
	.start = procvm_start,
	.before_pin = procvm_before_pin,
	.after_unpin = procvm_after_unpin,
	.stop = procvm_stop,
	.helper_main = procvm_helper,
};
