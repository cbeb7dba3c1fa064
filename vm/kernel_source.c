/* Where a kernel build's source comes from: Debian's linux-source-SERIES
 * package (installed, or fetched by kernel_fetch.c) or a kernel.org
 * tarball, unpacked once into the cache, or a tree the user gives. */
#include "config.h"
#include "kernel_steps.h"
#include "log.h"
#include "util.h"
#include "files.h"
#include "paths.h"
#include "exitcode.h"
#include "subprocess.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Names the tree of Debian's linux-source-SERIES in the cache: the
 * installed package's tarball, or else one fetched into the cache. */
static int package_source(struct build *b)
{
	char version[128];
	const char *series = b->source;

	package_version(series, version, sizeof(version));
	snprintf(b->tarball, sizeof(b->tarball), "/usr/src/linux-source-%s.tar.xz", series);
	if (!version[0] || access(b->tarball, R_OK)) {
		int ret = kernel_fetch_package(b, b->tarball, sizeof(b->tarball), version, sizeof(version));
		if (ret)
			return ret;
	}
	b->from_package = true;
	snprintf(b->source_id, sizeof(b->source_id), "linux-source-%s %s", series, version);
	snprintf(b->tree, sizeof(b->tree), "%s/src/linux-source-%s_%s", b->cache, series, version);
	return 0;
}

/* A kernel.org-style tarball, linux-X.Y[.Z][-rcN].tar.{xz,gz,bz2,zst}: its
 * name gives the version (and so the fragment) before it is unpacked,
 * its content names the tree. */
static int tarball_source(struct build *b, const char *path)
{
	const char *base = path_base(path);
	unsigned major, minor;
	int n = 0;

	if (sscanf(base, "linux-%u.%u%n", &major, &minor, &n) != 2 || !strstr(base, ".tar")) {
		pb_err("kernel: --source '%s': a tarball must be named linux-X.Y[.Z].tar.xz (or .gz, .bz2, .zst)", path);
		return EXIT_BAD_INPUT;
	}
	char *sum = NULL, hash[65] = "";
	char *argv[] = { "sha256sum", (char *)path, NULL };
	if (kernel_run(&sum, argv) || !sum || sscanf(sum, "%64[0-9a-f]", hash) != 1) {
		pb_err("kernel: --source '%s': cannot read it: %s", path, sum ? sum : "sha256sum failed");
		free(sum);
		return EXIT_BAD_INPUT;
	}
	free(sum);
	snprintf(b->tarball, sizeof(b->tarball), "%s", path);
	snprintf(b->version, sizeof(b->version), "%.*s", (int)strcspn(base + 6, "t") - 1, base + 6);
	snprintf(b->source_id, sizeof(b->source_id), "tarball %s sha256 %s", base, hash);
	snprintf(b->tree, sizeof(b->tree), "%s/src/%.*s-%.12s", b->cache, (int)(strstr(base, ".tar") - base), base,
		 hash);
	return 0;
}

/* Unpacks b->tarball into b->tree once (under the lock): into a temporary
 * directory first, whose one top directory is then renamed. */
int kernel_unpack_package(const struct build *b)
{
	char marker[1600], tmp[1100], unpacked[1400] = "";
	DIR *d;
	struct dirent *e;

	snprintf(marker, sizeof(marker), "%s/.pinbench-unpacked", b->tree);
	if (access(marker, F_OK) == 0)
		return 0;

	pb_info("kernel: unpacking %s", b->tarball);
	snprintf(tmp, sizeof(tmp), "%s/src/.unpack-%d", b->cache, (int)getpid());
	char *tar[] = { "tar", "-xf", (char *)b->tarball, "-C", tmp, NULL };
	if (mkdir_p(tmp, 0755) || kernel_run_or_say("unpacking the source", tar)) {
		remove_tree(tmp);
		return EXIT_CANNOT;
	}
	for (d = opendir(tmp); d && (e = readdir(d));)
		if (e->d_name[0] != '.')
			snprintf(unpacked, sizeof(unpacked), "%s/%s", tmp, e->d_name);
	if (d)
		closedir(d);
	remove_tree(b->tree); /* a tree unpacked half-way (no marker) */
	if (!unpacked[0] || rename(unpacked, b->tree) ||
	    write_file_atomic(marker, b->source_id, strlen(b->source_id))) {
		pb_err("kernel: cannot move the source from %s to %s: %s", b->tarball, b->tree,
		       unpacked[0] ? strerror(errno) : "the tarball holds no directory");
		remove_tree(tmp);
		return EXIT_CANNOT;
	}
	remove_tree(tmp);
	return 0;
}

/* The commit a git checkout is at, with "-dirty" when tracked files
 * differ from it; "" when the tree is not a git checkout. */
static void git_commit(const char *tree, char *buf, size_t len)
{
	char *out = NULL, commit[48] = "";
	char *head[] = { "git", "-C", (char *)tree, "rev-parse", "--verify", "-q", "HEAD", NULL };
	char *status[] = { "git", "-C", (char *)tree, "status", "--porcelain", "--untracked-files=no", NULL };

	buf[0] = '\0';
	if (!program_in_path("git") || kernel_run(&out, head) || !out || sscanf(out, "%40[0-9a-f]", commit) != 1) {
		free(out);
		return;
	}
	free(out);
	out = NULL;
	int ret = kernel_run(&out, status);
	snprintf(buf, len, "%s%s", commit, ret == 0 && out && *out ? "-dirty" : "");
	free(out);
}

int kernel_resolve_source(struct build *b)
{
	if (is_series(b->source))
		return package_source(b);
	struct stat st;
	if (stat(b->source, &st) == 0 && S_ISREG(st.st_mode))
		return tarball_source(b, b->source);
	char *real = realpath(b->source, NULL);
	if (!real || strlen(real) >= sizeof(b->tree)) {
		pb_err("kernel: --source '%s': %s (give a series such as 6.12, a kernel tree or a tarball)", b->source,
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
	git_commit(b->tree, b->commit, sizeof(b->commit));
	snprintf(b->source_id, sizeof(b->source_id), "tree %s%s%s", b->tree, b->commit[0] ? " git " : "", b->commit);
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

