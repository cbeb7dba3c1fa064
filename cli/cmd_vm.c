/* pinbench vm: boots kernels in QEMU with the NUMA, CMA and movable layout
 * asked, runs the scenarios in each, brings the run directories back and
 * compares the kernels. This file reads the command line (and, through
 * vm_file.c, a matrix file); vm/session.c boots, vm_report.c compares. */
#include "config.h"
#include "cmd.h"
#include "session.h"
#include "vm_cli.h"
#include "log.h"
#include "util.h"
#include "units.h"
#include "exitcode.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NUMA = 16 };

static const struct cli_option vm_options[] = {
	{ "kernel", 'k', "BZIMAGE", "a kernel to test; repeat for more" },
	{ "numa", 'n', "N", "NUMA nodes, splitting --mem evenly (default 1)" },
	{ "mem", 'm', "SIZE", "guest memory (default 2G)" },
	{ "cpus", 'c', "N", "virtual CPUs (default 2, at least one per node)" },
	{ "movablecore", VM_OPT_MOVABLECORE, "SIZE", "kernel movablecore=: ZONE_MOVABLE, spread over the nodes" },
	{ "cma", VM_OPT_CMA, "SIZE", "kernel cma=: a CMA area of this size" },
	{ "append", VM_OPT_APPEND, "ARGS", "more kernel command line" },
	{ "vfio", VM_OPT_VFIO, NULL,
	  "q35 with an emulated Intel IOMMU and QEMU's edu device bound to vfio-pci in the guest (implied by a "
	  "scenario whose backend maps for a device: vfio, iommufd, qemu)" },
	{ "boots", 'b', "N",
	  "boots per kernel and scenario, interleaved: each round runs every scenario on every kernel in turn "
	  "(A B A B with one scenario; default 1)" },
	{ "timeout", 't', "DURATION", "bound of one boot, start to power-off (default 10m)" },
	{ "accel", VM_OPT_ACCEL, "auto|kvm|tcg",
	  "auto: KVM once a probe boot has seen it run a guest no slower than TCG (judged once per QEMU and host "
	  "kernel, shown by pinbench env), else TCG (default auto)" },
	{ "retry-on-tcg", VM_OPT_RETRY_ON_TCG, NULL,
	  "a boot that panics, oopses or hangs under KVM is booted again under TCG; when TCG runs it, KVM is used "
	  "no more (off: a panic may be the kernel's bug)" },
	{ "matrix", VM_OPT_MATRIX, "FILE",
	  "kernels, scenarios and these options from an INI file ([matrix] kernels, scenarios; [vm] the options "
	  "by their long names); the command line adds kernels and scenarios and overrides options" },
	{ "output", 'o', "DIR", "where to write (must not exist; default results/vm-NAME-TIME, vm-matrix-TIME with several scenarios)" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_vm_options[] = { vm_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench vm --kernel BZIMAGE [--kernel BZIMAGE...] [options] SCENARIO... [-o DIR]\n"
	"       pinbench vm --matrix FILE [options] [SCENARIO...] [-o DIR]\n"
	"\n"
	"Boots each kernel in QEMU with the memory layout asked, runs SCENARIO in it as\n"
	"root and brings its run directory back to DIR/RELEASE/boot-N. With two or more\n"
	"kernels, DIR/compare.txt and DIR/compare.json compare them (the first is the base).\n"
	"With several scenarios, each boot runs one of them, from a fresh kernel; their\n"
	"runs go to DIR/SCENARIO/RELEASE/boot-N with DIR/SCENARIO/compare.txt and .json,\n"
	"and DIR/matrix.txt, .json, .md and .html are one report: kernels against the\n"
	"first, scenario by scenario, failure rate and median pin latency with verdicts.\n",
	cmd_vm_options,
	NULL,
	"vm",
};

static int bad(char *why, size_t len, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(char *why, size_t len, const char *value, const char *fmt, ...)
{
	va_list ap;
	size_t o = 0;

	appendf(why, len, &o, "'%s': ", value);
	va_start(ap, fmt);
	if (o < len)
		vsnprintf(why + o, len - o, fmt, ap);
	va_end(ap);
	return EXIT_BAD_INPUT;
}

/* A parser's own message: it names the value already. */
static int parsed_bad(char *why, size_t len, const char *err)
{
	snprintf(why, len, "%s", err);
	return EXIT_BAD_INPUT;
}

static int size_arg(const char *s, uint64_t *out, char *why, size_t len)
{
	char err[256];

	return parse_size(s, out, err, sizeof(err)) ? parsed_bad(why, len, err) : 0;
}

static int count_arg(const char *s, uint64_t max, unsigned *out, char *why, size_t len)
{
	char err[256];
	uint64_t v;

	if (parse_uint(s, max, &v, err, sizeof(err)))
		return parsed_bad(why, len, err);
	if (!v)
		return bad(why, len, s, "must be at least 1");
	*out = (unsigned)v;
	return 0;
}

static int flag_arg(const char *s, bool *out, char *why, size_t len)
{
	char err[256];

	return !s ? (*out = true, 0) : parse_bool(s, out, err, sizeof(err)) ? parsed_bad(why, len, err) : 0;
}

int vm_apply_option(struct vm_args *a, int c, const char *arg, char *why, size_t len)
{
	char err[256];

	switch (c) {
	case 'k':
		if (a->nk == MAX_KERNELS)
			return bad(why, len, arg, "more than %d kernels", MAX_KERNELS);
		a->k[a->nk++].path = arg;
		return 0;
	case 'n': return count_arg(arg, MAX_NUMA, &a->cfg.numa, why, len);
	case 'm': return size_arg(arg, &a->cfg.mem, why, len);
	case 'c': return count_arg(arg, 64, &a->cfg.cpus, why, len);
	case VM_OPT_MOVABLECORE: return size_arg(arg, &a->cfg.movablecore, why, len);
	case VM_OPT_CMA: return size_arg(arg, &a->cfg.cma, why, len);
	case VM_OPT_APPEND: a->cfg.append = arg; return 0;
	case VM_OPT_VFIO: return flag_arg(arg, &a->cfg.vfio, why, len);
	case 'b': return count_arg(arg, 1000, &a->boots, why, len);
	case 't':
		if (parse_duration_ns(arg, &a->cfg.timeout_ns, err, sizeof(err)))
			return parsed_bad(why, len, err);
		if (!a->cfg.timeout_ns)
			return bad(why, len, arg, "must be more than 0");
		return 0;
	case VM_OPT_ACCEL:
		if (strcmp(arg, "auto") && strcmp(arg, "kvm") && strcmp(arg, "tcg"))
			return bad(why, len, arg, "is one of auto, kvm, tcg");
		a->accel = arg;
		return 0;
	case VM_OPT_RETRY_ON_TCG: return flag_arg(arg, &a->retry_on_tcg, why, len);
	case VM_OPT_SCENARIO:
		if (a->ns == MAX_SCENARIOS)
			return bad(why, len, arg, "more than %d scenarios", MAX_SCENARIOS);
		a->s[a->ns++].path = arg;
		return 0;
	case 'o': a->output = arg; return 0;
	default: return bad(why, len, arg, "not an option of pinbench vm");
	}
}

/* The long name of an option, for messages. */
static const char *option_name(int c)
{
	for (const struct cli_option *o = vm_options; o->name; o++)
		if (o->key == c)
			return o->name;
	return "?";
}

/* One command-line option: 0 to go on, -1 to stop with exit 0 (help),
 * EXIT_BAD_INPUT. */
static int option(struct vm_args *a, int c, const char *arg)
{
	char why[512];

	switch (c) {
	case VM_OPT_MATRIX: return 0; /* read before the others */
	case 'h': cli_usage_print(stdout, &usage); return -1;
	case '?': return cli_usage_error(&usage, NULL);
	}
	if (!vm_apply_option(a, c, arg, why, sizeof(why)))
		return 0;
	return cli_usage_error(&usage, "--%s %s", option_name(c), why);
}

/* Cross-option checks, and the defaults that depend on other options. */
static int check_args(struct vm_args *a)
{
	char s[32];

	if (!a->nk)
		return cli_usage_error(&usage, "at least one --kernel BZIMAGE is needed");
	if (!a->ns)
		return cli_usage_error(&usage, "expected a SCENARIO file (or a matrix file's scenarios)");
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

/* The matrix file goes first, whatever its place on the command line:
 * the options given beside it then override it. */
static int read_matrix(int argc, char **argv, struct vm_args *a, struct vm_file_paths *owned)
{
	struct cli_parser parser;
	char err[1024];
	int c;

	cli_parser_init(&parser, cmd_vm_options);
	opterr = 0;
	optind = 1;
	while ((c = cli_getopt(&parser, argc, argv)) != -1)
		if (c == VM_OPT_MATRIX && vm_file_read(optarg, a, owned, err, sizeof(err))) {
			opterr = 1;
			pb_err("%s", err);
			return EXIT_BAD_INPUT;
		}
	opterr = 1;
	return 0;
}

static int parse_args(int argc, char **argv, struct vm_args *a, struct vm_file_paths *owned)
{
	struct cli_parser parser;
	char why[512];
	int c, ret;

	a->cfg.numa = 1;
	a->cfg.mem = 2 * GIB;
	a->cfg.timeout_ns = 600ULL * 1000000000ULL;
	a->boots = 1;
	a->accel = "auto";
	if ((ret = read_matrix(argc, argv, a, owned)))
		return ret;
	cli_parser_init(&parser, cmd_vm_options);
	optind = 1;
	while ((c = cli_getopt(&parser, argc, argv)) != -1)
		if ((ret = option(a, c, optarg)))
			return ret < 0 ? 0 : ret;
	for (int i = optind; i < argc; i++)
		if (vm_apply_option(a, VM_OPT_SCENARIO, argv[i], why, sizeof(why)))
			return cli_usage_error(&usage, "SCENARIO %s", why);
	ret = check_args(a);
	return ret ? ret : -1;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_args *a = xcalloc(1, sizeof(*a));
	struct vm_file_paths owned = { 0 };
	int ret = parse_args(argc, argv, a, &owned);

	a->compare = vm_report;
	if (ret < 0)
		ret = vm_session_run(a);
	vm_file_paths_free(&owned);
	free(a);
	return ret;
}
