/* Where a kernel build's source comes from: Debian's linux-source-SERIES
 * package, unpacked once into the cache, or a tree the user gives. */
#include "config.h"
#include "kernel_steps.h"
#include "log.h"
#include "util.h"
#include "files.h"
#include "paths.h"
#include "exitcode.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_series(const char *s)
{
	unsigned a, b;
	int n = 0;

	return sscanf(s, "%u.%u%n", &a, &b, &n) == 2 && !s[n];
}

/* Debian's package version of linux-source-SERIES, or "" when absent. */
static void package_version(const char *series, char *buf, size_t len)
{
	char pkg[64], *out = NULL;
	char *argv[] = { "dpkg-query", "-W", "-f", "${Version}", pkg, NULL };

	snprintf(pkg, sizeof(pkg), "linux-source-%s", series);
	buf[0] = '\0';
	if (kernel_run(&out, argv) == 0 && out)
		snprintf(buf, len, "%s", out);
	free(out);
}

static void tarball_path(const char *series, char *buf, size_t len)
{
	snprintf(buf, len, "/usr/src/linux-source-%s.tar.xz", series);
}

/* Names the tree of Debian's linux-source-SERIES in the cache. */
static int package_source(struct build *b)
{
	char version[128], tarball[256];
	const char *series = b->source;

	package_version(series, version, sizeof(version));
	tarball_path(series, tarball, sizeof(tarball));
	if (!version[0] || access(tarball, R_OK)) {
		pb_err("kernel: Debian's linux-source-%s is not installed (apt-get install linux-source-%s)",
		       series, series);
		return EXIT_CANNOT;
	}
	b->from_package = true;
	snprintf(b->source_id, sizeof(b->source_id), "linux-source-%s %s", series, version);
	snprintf(b->tree, sizeof(b->tree), "%s/src/linux-source-%s_%s", b->cache, series, version);
	return 0;
}

/* Unpacks the package's tarball into the cache once (under the lock). */
int kernel_unpack_package(const struct build *b)
{
	char tarball[256], marker[1600], tmp[1100], unpacked[1200];
	const char *series = b->source;

	tarball_path(series, tarball, sizeof(tarball));
	snprintf(marker, sizeof(marker), "%s/.pinbench-unpacked", b->tree);
	if (access(marker, F_OK) == 0)
		return 0;

	pb_info("kernel: unpacking %s", tarball);
	snprintf(tmp, sizeof(tmp), "%s/src/.unpack-%d", b->cache, (int)getpid());
	snprintf(unpacked, sizeof(unpacked), "%s/linux-source-%s", tmp, series);
	char *tar[] = { "tar", "-xf", tarball, "-C", tmp, NULL };
	if (mkdir_p(tmp, 0755) || kernel_run_or_say("unpacking the source", tar)) {
		remove_tree(tmp);
		return EXIT_CANNOT;
	}
	remove_tree(b->tree); /* a tree unpacked half-way (no marker) */
	if (rename(unpacked, b->tree) || write_file_atomic(marker, b->source_id, strlen(b->source_id))) {
		pb_err("kernel: cannot move the source to %s: %s", b->tree, strerror(errno));
		remove_tree(tmp);
		return EXIT_CANNOT;
	}
	remove_tree(tmp);
	return 0;
}

int kernel_resolve_source(struct build *b)
{
	if (is_series(b->source))
		return package_source(b);
	char *real = realpath(b->source, NULL);
	if (!real || strlen(real) >= sizeof(b->tree)) {
		pb_err("kernel: --source '%s': %s (give 6.1, 6.12 or a kernel tree)", b->source,
		       real ? "path too long" : strerror(errno));
		free(real);
		return EXIT_BAD_INPUT;
	}
	snprintf(b->tree, sizeof(b->tree), "%s", real);
	free(real);
	char makefile[4200];
	snprintf(makefile, sizeof(makefile), "%s/mm/gup.c", b->tree);
	if (access(makefile, R_OK)) {
		pb_err("kernel: --source '%s' is not a kernel tree (no mm/gup.c)", b->source);
		return EXIT_BAD_INPUT;
	}
	/* A tree of the user's changes under our feet: its path names it,
	 * and make runs every time (kbuild rebuilds only what changed). */
	snprintf(b->source_id, sizeof(b->source_id), "tree %s", b->tree);
	return kernel_read_version(b); /* its series picks the fragment */
}

/* VERSION.PATCHLEVEL.SUBLEVEL EXTRAVERSION from the tree's Makefile, as
 * `make kernelversion` says it (without running make). */
int kernel_read_version(struct build *b)
{
	char path[1600], *text;
	const char *keys[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION" };
	char val[4][32] = { "", "", "", "" };

	snprintf(path, sizeof(path), "%s/Makefile", b->tree);
	text = read_file(path, NULL);
	for (const char *line = text; line && *line;) {
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t n = strlen(keys[k]);
			if (!val[k][0] && !strncmp(line, keys[k], n) && !strncmp(line + n, " = ", 3))
				sscanf(line + n + 3, "%31[^ \n]", val[k]);
		}
		line = strchrnul(line, '\n');
		line += *line == '\n';
	}
	free(text);
	if (!val[0][0] || !val[1][0]) {
		pb_err("kernel: cannot read the version from %s", path);
		return EXIT_CANNOT;
	}
	snprintf(b->version, sizeof(b->version), "%s.%s%s%s%s", val[0], val[1], val[2][0] ? "." : "", val[2], val[3]);
	return 0;
}

