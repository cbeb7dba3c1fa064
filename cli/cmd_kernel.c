/* pinbench kernel: build, list and show the kernels `pinbench vm` boots
 * (the building itself is kernel_build.c). */
#include "config.h"
#include "cmd.h"
#include "kernel_build.h"
#include "log.h"
#include "units.h"
#include "exitcode.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_option build_options_table[] = {
	{ "source", 's', "SRC",
	  "the kernel source: a series, Debian's linux-source-SERIES (6.1, 6.12, 7.2, 7.3...: installed, or else fetched "
	  "into the cache), a kernel tree, or a linux-X.Y.tar.xz (default 6.1)" },
	{ "patch", 'p', "FILE", "a patch to apply (patch -p1); repeat for more" },
	{ "name", 'N', "NAME", "the variant's name (default: the patches' names, or 'stock')" },
	{ "config", 'c', "FILE", "one more configuration fragment, merged last" },
	{ "jobs", 'j', "N", "parallel make jobs (default: the number of CPUs)" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_kernel_options[] = { build_options_table, NULL };

static const struct cli_usage usage = {
	"usage: pinbench kernel build [--source SERIES|DIR|TARBALL] [--patch FILE]...\n"
	"       pinbench kernel list\n"
	"       pinbench kernel config [SERIES]\n"
	"\n"
	"build: a bzImage for `pinbench vm` from Debian's linux-source-SERIES package\n"
	"(the installed one, or else fetched once into the cache with a private apt\n"
	"sources list; the system's apt configuration is not touched), a kernel tree DIR\n"
	"(a git checkout's commit goes into build.json) or a kernel.org TARBALL, with the\n"
	"configuration fragment `pinbench kernel config` prints merged into tinyconfig,\n"
	"and the patches applied in order. Its release is\n"
	"VERSION-pb-NAME. Cached under $PINBENCH_KERNEL_CACHE (default\n"
	"/var/cache/pinbench/kernels), keyed by source, fragment and patches; the last\n"
	"line printed is the bzImage's path, with config-RELEASE beside it.\n",
	cmd_kernel_options,
	"list: the variants in the cache, and the sources that can be built.\n"
	"config: the configuration fragment built into pinbench; with SERIES (6.12), as\n"
	"merged for that series (kernel/pinbench-X.Y.config added from X.Y on).\n",
	"kernel",
};

static int build_options(struct build *b, int argc, char **argv)
{
	struct cli_parser parser;
	char err[256];
	uint64_t v;
	int c;

	b->source = "6.1";
	b->jobs = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	cli_parser_init(&parser, cmd_kernel_options);
	optind = 1;
	while ((c = cli_getopt(&parser, argc, argv)) != -1) {
		switch (c) {
		case 's': b->source = optarg; break;
		case 'p':
			if (b->npatches == KERNEL_MAX_PATCHES) {
				pb_err("kernel: at most %d patches", KERNEL_MAX_PATCHES);
				return EXIT_BAD_INPUT;
			}
			/* patch runs in the tree: the path must not be relative */
			if (!(b->patches[b->npatches] = realpath(optarg, NULL))) {
				pb_err("kernel: --patch '%s': %s", optarg, strerror(errno));
				return EXIT_BAD_INPUT;
			}
			b->npatches++;
			break;
		case 'N': b->name_arg = optarg; break;
		case 'c': b->extra_config = optarg; break;
		case 'j':
			if (parse_uint(optarg, 1024, &v, err, sizeof(err)) || !v) {
				pb_err("kernel: --jobs '%s': %s", optarg, err[0] ? err : "must be at least 1");
				return EXIT_BAD_INPUT;
			}
			b->jobs = (unsigned)v;
			break;
		case 'h': cli_usage_print(stdout, &usage); return -1;
		default: return cli_usage_error(&usage, NULL);
		}
	}
	if (optind != argc)
		return cli_usage_error(&usage, "build: unexpected argument '%s'", argv[optind]);
	snprintf(b->cache, sizeof(b->cache), "%s", kernel_cache_dir());
	return 0;
}

static int kernel_build(int argc, char **argv)
{
	struct build b = { 0 };
	int ret = build_options(&b, argc, argv);

	if (!ret)
		ret = kernel_build_variant(&b);
	for (size_t i = 0; i < b.npatches; i++)
		free(b.patches[i]);
	return ret < 0 ? 0 : ret;
}

static int kernel_list(void)
{
	const char *cache = kernel_cache_dir();
	DIR *d = opendir(cache);
	struct dirent *de;
	unsigned n = 0;

	printf("built (in %s):\n", cache);
	while (d && (de = readdir(d))) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s/build.json", cache, de->d_name);
		json_t *j = json_load_file(path, 0, NULL);
		const char *release = json_string_value(json_object_get(j, "release"));
		const char *source = json_string_value(json_object_get(j, "source"));
		if (release && source) {
			printf("  %-38s %-34s %s/%s/vmlinuz-%s\n", release, source, cache, de->d_name, release);
			n++;
		}
		json_decref(j);
	}
	if (d)
		closedir(d);
	if (!n)
		printf("no kernel built in %s yet (pinbench kernel build)\n", cache);
	printf("\n");
	kernel_list_sources(stdout, cache);
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return kernel_build(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "list"))
		return kernel_list();
	unsigned major = 0, minor = 0;
	int n = 0;
	if ((argc == 2 || (argc == 3 && sscanf(argv[2], "%u.%u%n", &major, &minor, &n) == 2 && !argv[2][n])) &&
	    !strcmp(argv[1], "config")) {
		char *text = kernel_config_for(major, minor);
		fputs(text, stdout);
		free(text);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_usage_print(stdout, &usage);
		return 0;
	}
	if (argc < 2)
		return cli_usage_error(&usage, "needs build, list or config");
	return cli_usage_error(&usage, "'%s%s%s' is not build, list, config or config SERIES (6.12)", argv[1],
			       argc > 2 ? " " : "", argc > 2 ? argv[2] : "");
}
