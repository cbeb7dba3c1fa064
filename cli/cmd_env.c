/* `pinbench env`: what this machine offers, and the system changes that
 * outlive a run (a movable zone for other tools) with their undo. */
#include "config.h"
#include "exitcode.h"
#include "cmd.h"
#include "env.h"
#include "journal.h"
#include "log.h"
#include "memblock.h"
#include "pin_backend.h"
#include "accel.h"
#include "scenario.h"
#include "units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void env_usage(FILE *f)
{
	fprintf(f, "usage: pinbench env [show]\n"
		   "       pinbench env movable SIZE [NODES]\n"
		   "       pinbench env restore\n\n"
		   "  show      what this machine offers pinbench (the default)\n"
		   "  movable   make sure each node (all, or a list such as 0,2-3) has SIZE of\n"
		   "            ZONE_MOVABLE, by onlining memory blocks with online_movable;\n"
		   "            it stays until 'pinbench env restore'\n"
		   "  restore   undo every change pinbench made and has not undone\n");
}

static int env_show(void)
{
	int nodes[PB_MAX_NODES];
	size_t n = env_memory_nodes(nodes, PB_MAX_NODES);
	struct memblocks m;
	char why[256], a[32], b[32];
	uint64_t avail, margin, safe = env_safe_bytes(&avail, &margin);
	char *thp = knob_current(THP_ENABLED);
	int have_blocks = memblocks_read(MEMORY_SYSFS, &m) == 0;

	printf("root:               %s\n", geteuid() == 0 ? "yes" : "no (movable, thp and hugetlb need root)");
	format_size(avail, a, sizeof(a));
	format_size(safe, b, sizeof(b));
	/* Without root (CAP_IPC_LOCK) RLIMIT_MEMLOCK bounds the pins too. */
	struct rlimit rl;
	if (geteuid() != 0 && getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < safe) {
		char c[32];
		format_size(rl.rlim_max, c, sizeof(c));
		printf("MemAvailable:       %s (at most %s may be pinned: RLIMIT_MEMLOCK, ulimit -l; "
		       "%s as root)\n", a, c, b);
	} else {
		printf("MemAvailable:       %s (at most %s may be pinned)\n", a, b);
	}
	printf("THP enabled:        %s\n", thp ? thp : "unavailable");
	free(thp);
	for (size_t i = 0; i < n; i++) {
		format_size(have_blocks ? memblocks_bytes_in_zone(&m, nodes[i], "Movable") : 0, a, sizeof(a));
		printf("node %-4d           ZONE_MOVABLE %s\n", nodes[i], a);
	}
	if (have_blocks) {
		format_size(m.block_size, a, sizeof(a));
		printf("memory blocks:      %zu of %s\n", m.n, a);
		memblocks_free(&m);
	} else {
		printf("memory blocks:      none (no memory hotplug: movable = cannot work)\n");
	}
	for (size_t i = 0; pin_backend_at(i); i++) {
		const struct pin_backend *be = pin_backend_at(i);
		void *cfg = pin_backend_defaults(be);
		int ret = be->probe(cfg, why, sizeof(why));
		free(cfg);
		printf("backend %-10s %s\n", be->name, ret ? why : "available");
		if (be->describe)
			be->describe(stdout);
	}
	long pending = journal_pending(JOURNAL_ALL);
	fflush(stdout);
	accel_describe(stdout);
	printf("journal:            %s, %ld change(s) to undo\n", journal_path(), pending < 0 ? 0 : pending);
	return 0;
}

static int env_movable_cmd(int argc, char **argv)
{
	struct pin_job nodes_spec;
	char err[256], report[4096];
	uint64_t bytes;
	int ret;

	if (argc < 1 || argc > 2)
		return cli_usage_fail("env", "movable takes SIZE and optionally NODES, not %d argument(s)", argc);
	if (parse_size(argv[0], &bytes, err, sizeof(err))) {
		pb_err("env movable: SIZE %s", err);
		return EXIT_BAD_INPUT;
	}
	if (bytes == 0) {
		pb_err("env movable: SIZE must not be 0");
		return EXIT_BAD_INPUT;
	}
	memset(&nodes_spec, 0, sizeof(nodes_spec));
	if (argc == 2 && scenario_parse_nodes(argv[1], &nodes_spec, err, sizeof(err))) {
		pb_err("env movable: NODES %s", err);
		return EXIT_BAD_INPUT;
	}
	if (argc == 1 || nodes_spec.all_nodes)
		nodes_spec.nnodes = (unsigned)env_memory_nodes(nodes_spec.nodes, PB_MAX_NODES);
	if (env_movable_possible(bytes, nodes_spec.nodes, nodes_spec.nnodes, err, sizeof(err))) {
		pb_err("env movable: %s", err);
		return EXIT_BAD_INPUT;
	}
	if (env_begin())
		return EXIT_FAILED;
	journal_set_scope(0); /* lasts until `env restore` */
	env_catch_signals();
	ret = env_movable(bytes, nodes_spec.nodes, nodes_spec.nnodes, report, sizeof(report));
	journal_close();
	fputs(report, stdout);
	if (ret < 0)
		return EXIT_FAILED;
	if (ret > 0)
		pb_warn("some nodes got less than asked: their other blocks refused to go offline");
	printf("undo with: pinbench env restore\n");
	return 0;
}

static int env_restore(void)
{
	pid_t holder = 0;
	int ret = journal_open(&holder), left;
	long pending;

	if (ret == -EBUSY) {
		pb_err("pinbench (pid %d) is running; stop it first (it restores what it changed)", (int)holder);
		return EXIT_FAILED;
	}
	if (ret) {
		pb_err("cannot take the lock %s and open the journal %s: %s", journal_lock_path(), journal_path(),
		       strerror(-ret));
		return EXIT_FAILED;
	}
	pending = journal_pending(JOURNAL_ALL);
	left = journal_restore(JOURNAL_ALL, 1);
	journal_close();
	if (left) {
		pb_err("%d change(s) could not be undone; they stay in %s", left, journal_path());
		return EXIT_FAILED;
	}
	printf("%ld change(s) undone; the system is as pinbench found it\n", pending < 0 ? 0 : pending);
	return 0;
}

int cmd_env(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "show"))
		return env_show();
	if (!strcmp(argv[1], "movable"))
		return env_movable_cmd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "restore"))
		return env_restore();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		env_usage(stdout);
		return 0;
	}
	return cli_usage_fail("env", "unknown subcommand '%s'", argv[1]);
}
