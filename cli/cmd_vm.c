/* pinbench vm: boots kernels in QEMU with the NUMA, CMA and movable layout
 * asked, runs a scenario in each, brings the run directories back and
 * compares the kernels. This file reads the command line; vm/session.c
 * does the rest. */
#include "config.h"
#include "cmd.h"
#include "session.h"
#include "log.h"
#include "util.h"
#include "units.h"
#include "exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NUMA = 16 };

enum { OPT_MOVABLECORE = CLI_LONG, OPT_CMA, OPT_APPEND, OPT_VFIO, OPT_ACCEL, OPT_RETRY_ON_TCG };

static const struct cli_option vm_options[] = {
	{ "kernel", 'k', "BZIMAGE", "a kernel to test; repeat for more" },
	{ "numa", 'n', "N", "NUMA nodes, splitting --mem evenly (default 1)" },
	{ "mem", 'm', "SIZE", "guest memory (default 2G)" },
	{ "cpus", 'c', "N", "virtual CPUs (default 2, at least one per node)" },
	{ "movablecore", OPT_MOVABLECORE, "SIZE", "kernel movablecore=: ZONE_MOVABLE, spread over the nodes" },
	{ "cma", OPT_CMA, "SIZE", "kernel cma=: a CMA area of this size" },
	{ "append", OPT_APPEND, "ARGS", "more kernel command line" },
	{ "vfio", OPT_VFIO, NULL,
	  "q35 with an emulated Intel IOMMU and QEMU's edu device bound to vfio-pci in the guest (implied by a "
	  "scenario with backend = vfio or iommufd)" },
	{ "boots", 'b', "N", "boots per kernel, interleaved A B A B... (default 1)" },
	{ "timeout", 't', "DURATION", "bound of one boot, start to power-off (default 10m)" },
	{ "accel", OPT_ACCEL, "auto|kvm|tcg",
	  "auto: KVM once a probe boot has seen it run a guest no slower than TCG (judged once per QEMU and host "
	  "kernel, shown by pinbench env), else TCG (default auto)" },
	{ "retry-on-tcg", OPT_RETRY_ON_TCG, NULL,
	  "a boot that panics, oopses or hangs under KVM is booted again under TCG; when TCG runs it, KVM is used "
	  "no more (off: a panic may be the kernel's bug)" },
	{ "output", 'o', "DIR", "where to write (must not exist; default results/vm-NAME-TIME)" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_vm_options[] = { vm_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench vm --kernel BZIMAGE [--kernel BZIMAGE...] [options] SCENARIO [-o DIR]\n"
	"\n"
	"Boots each kernel in QEMU with the memory layout asked, runs SCENARIO in it as\n"
	"root and brings its run directory back to DIR/RELEASE/boot-N. With two or more\n"
	"kernels, DIR/compare.txt and DIR/compare.json compare them (the first is the base).\n",
	cmd_vm_options,
	NULL,
	"vm",
};

static int bad(const char *what, const char *value, const char *why)
{
	return cli_usage_fail("vm", "%s '%s': %s", what, value, why);
}

static int size_arg(const char *what, const char *s, uint64_t *out)
{
	char err[256];

	return parse_size(s, out, err, sizeof(err)) ? bad(what, s, err) : 0;
}

static int count_arg(const char *what, const char *s, uint64_t max, unsigned *out)
{
	char err[256];
	uint64_t v;

	if (parse_uint(s, max, &v, err, sizeof(err)))
		return bad(what, s, err);
	if (!v)
		return bad(what, s, "must be at least 1");
	*out = (unsigned)v;
	return 0;
}

static int option(struct vm_args *a, int c, const char *arg)
{
	char err[256];

	switch (c) {
	case 'k':
		if (a->nk == MAX_KERNELS)
			return bad("--kernel", arg, "too many kernels");
		a->k[a->nk++].path = arg;
		return 0;
	case 'n': return count_arg("--numa", arg, MAX_NUMA, &a->cfg.numa);
	case 'm': return size_arg("--mem", arg, &a->cfg.mem);
	case 'c': return count_arg("--cpus", arg, 64, &a->cfg.cpus);
	case OPT_MOVABLECORE: return size_arg("--movablecore", arg, &a->cfg.movablecore);
	case OPT_CMA: return size_arg("--cma", arg, &a->cfg.cma);
	case OPT_APPEND: a->cfg.append = arg; return 0;
	case OPT_VFIO: a->cfg.vfio = true; return 0;
	case 'b': return count_arg("--boots", arg, 1000, &a->boots);
	case 't':
		if (parse_duration_ns(arg, &a->cfg.timeout_ns, err, sizeof(err)) || !a->cfg.timeout_ns)
			return bad("--timeout", arg, err[0] ? err : "must be more than 0");
		return 0;
	case OPT_ACCEL:
		if (strcmp(arg, "auto") && strcmp(arg, "kvm") && strcmp(arg, "tcg"))
			return bad("--accel", arg, "is one of auto, kvm, tcg");
		a->accel = arg;
		return 0;
	case OPT_RETRY_ON_TCG: a->retry_on_tcg = true; return 0;
	case 'o': a->output = arg; return 0;
	case 'h': cli_usage_print(stdout, &usage); return -1;
	default: return cli_usage_error(&usage, NULL);
	}
}

/* Cross-option checks, and the defaults that depend on other options. */
static int check_args(struct vm_args *a)
{
	char s[32];

	if (!a->nk)
		return cli_usage_error(&usage, "at least one --kernel BZIMAGE is needed");
	if (!a->cfg.cpus)
		a->cfg.cpus = a->cfg.numa > 2 ? a->cfg.numa : 2;
	if (a->cfg.mem / a->cfg.numa < 256 * MIB) {
		format_size(a->cfg.mem, s, sizeof(s));
		pb_err("vm: --mem %s is too little for %u node(s): each needs at least 256 MiB", s, a->cfg.numa);
		return EXIT_BAD_INPUT;
	}
	if (a->cfg.movablecore + a->cfg.cma + 512 * MIB > a->cfg.mem) {
		pb_err("vm: --movablecore and --cma must leave at least 512 MiB of --mem to the guest's "
		       "kernel, or it has too little memory of its own to boot and run pinbench");
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct vm_args *a)
{
	struct cli_parser parser;
	int c, ret;

	a->cfg.numa = 1;
	a->cfg.mem = 2 * GIB;
	a->cfg.timeout_ns = 600ULL * 1000000000ULL;
	a->boots = 1;
	a->accel = "auto";
	cli_parser_init(&parser, cmd_vm_options);
	optind = 1;
	while ((c = cli_getopt(&parser, argc, argv)) != -1)
		if ((ret = option(a, c, optarg)))
			return ret < 0 ? 0 : ret;
	if (optind != argc - 1)
		return cli_usage_error(&usage, "expected one SCENARIO file, got %d argument(s)", argc - optind);
	a->scenario = argv[optind];
	ret = check_args(a);
	return ret ? ret : -1;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_args *a = xcalloc(1, sizeof(*a));
	int ret = parse_args(argc, argv, a);

	if (ret < 0)
		ret = vm_session_run(a);
	free(a);
	return ret;
}
