/* What a kernel build changes in its tree: the patches, recorded in the
 * tree so that a killed build is undone by the next one, and the
 * configuration (tinyconfig, pinbench's fragment, the user's). */
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
/* ---- patches, recorded in the tree so that a killed build is undone ---- */

static void applied_path(const struct build *b, char *buf, size_t len)
{
	snprintf(buf, len, "%s/.pinbench-applied", b->tree);
}

/* Reverses the patches the tree records, last first. */
int kernel_reverse_applied(const struct build *b)
{
	char dir[4200], path[4300];
	int ret = 0;

	applied_path(b, dir, sizeof(dir));
	for (int i = KERNEL_MAX_PATCHES - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s/%02d.patch", dir, i);
		if (access(path, R_OK))
			continue;
		char *argv[] = { "patch", "-p1", "-R", "--batch", "--silent", "-d", (char *)b->tree, "-i", path, NULL };
		if (kernel_run_or_say("reversing a patch of an earlier build", argv)) {
			pb_err("kernel: %s cannot be restored: remove it and build again", b->tree);
			ret = -1;
			break;
		}
		unlink(path);
	}
	if (!ret)
		rmdir(dir);
	return ret;
}

int kernel_apply_patches(const struct build *b)
{
	char dir[4200], copy[4300];

	applied_path(b, dir, sizeof(dir));
	if (b->npatches && mkdir_p(dir, 0755)) {
		pb_err("kernel: %s: %s", dir, strerror(errno));
		return EXIT_CANNOT;
	}
	for (size_t i = 0; i < b->npatches; i++) {
		char *dry[] = { "patch", "-p1", "--forward", "--batch", "--dry-run", "-d", (char *)b->tree,
				"-i", (char *)b->patches[i], NULL };
		char *out;
		if (kernel_run(&out, dry)) {
			pb_err("kernel: patch %s does not apply to %s%s:\n%s", b->patches[i], b->source_id,
			       i ? " after the patches before it" : "", out ? out : "");
			free(out);
			return EXIT_BAD_INPUT;
		}
		free(out);
		snprintf(copy, sizeof(copy), "%s/%02zu.patch", dir, i);
		if (copy_file(b->patches[i], copy)) {
			pb_err("kernel: cannot record %s in %s", b->patches[i], dir);
			return EXIT_CANNOT;
		}
		char *apply[] = { "patch", "-p1", "--forward", "--batch", "--silent", "-d", (char *)b->tree,
				  "-i", copy, NULL };
		if (kernel_run_or_say("applying a patch", apply))
			return EXIT_CANNOT;
		pb_info("kernel: applied %s", b->patches[i]);
	}
	return 0;
}

/* ---- configuration ---- */

/* Every CONFIG_ line of the fragment must be in the final .config: a
 * symbol whose dependencies are missing is dropped by Kconfig silently. */
static int check_config(const struct build *b, const char *fragment)
{
	char path[4200];
	char *config;
	int missing = 0;

	snprintf(path, sizeof(path), "%s/.config", b->tree);
	config = read_file(path, NULL);
	if (!config)
		return -1;
	for (const char *line = fragment; *line;) {
		const char *end = strchrnul(line, '\n');
		char want[256], with_nl[260];
		snprintf(want, sizeof(want), "%.*s", (int)(end - line), line);
		snprintf(with_nl, sizeof(with_nl), "\n%s\n", want);
		bool is_setting = !strncmp(want, "CONFIG_", 7) || !strncmp(want, "# CONFIG_", 9);
		if (is_setting && !strstr(config, with_nl)) {
			pb_err("kernel: the configuration did not keep '%s' (a dependency is missing)", want);
			missing++;
		}
		line = *end ? end + 1 : end;
	}
	free(config);
	return missing ? -1 : 0;
}

/* ---- the configuration fragment of a series ---- */

bool kernel_series_applies(const struct kernel_config_series *c, unsigned major, unsigned minor)
{
	return major > c->major || (major == c->major && minor >= c->minor);
}

/* Whether fragment text holds the line "# drop: LINE" (len bytes). */
static bool drops(const char *text, const char *line, size_t len)
{
	static const char mark[] = "# drop: ";

	for (const char *p = text; (p = strstr(p, mark)); p++) {
		const char *what = p + sizeof(mark) - 1;
		if ((p == text || p[-1] == '\n') && !strncmp(what, line, len) && (what[len] == '\n' || !what[len]))
			return true;
	}
	return false;
}

/* text less the lines that dropper drops; a new string. */
static char *kept(const char *text, const char *dropper)
{
	char *out;
	size_t len;
	FILE *f = xopen_memstream(&out, &len);

	for (const char *line = text; *line;) {
		const char *end = strchrnul(line, '\n');
		if (!drops(dropper, line, (size_t)(end - line)))
			fprintf(f, "%.*s\n", (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
	fclose(f);
	return out;
}

char *kernel_config_for(unsigned major, unsigned minor)
{
	char *out, *base = xstrdup(kernel_config_fragment);
	size_t len;

	for (const struct kernel_config_series *c = kernel_config_series; c->text; c++) {
		if (!kernel_series_applies(c, major, minor))
			continue;
		char *less = kept(base, c->text);
		free(base);
		base = less;
	}
	FILE *f = xopen_memstream(&out, &len);
	fputs(base, f);
	free(base);
	for (const struct kernel_config_series *c = kernel_config_series; c->text; c++)
		if (kernel_series_applies(c, major, minor))
			fprintf(f, "\n# %s\n%s", c->file, c->text);
	fclose(f);
	return out;
}

void kernel_build_series(const struct build *b, unsigned *major, unsigned *minor)
{
	*major = *minor = 0;
	if (sscanf(b->from_package ? b->source : b->version, "%u.%u", major, minor) != 2)
		*major = *minor = 0;
}

int kernel_configure(const struct build *b)
{
	char config[4200], fragment_path[4200];
	char *tiny[] = { "make", "-C", (char *)b->tree, "ARCH=x86_64", "tinyconfig", NULL };
	char *old[] = { "make", "-C", (char *)b->tree, "ARCH=x86_64", "olddefconfig", NULL };
	FILE *f;
	char *fragment;
	size_t len;
	int ret = 0;

	if (kernel_run_or_say("make tinyconfig", tiny))
		return EXIT_FAILED;
	/* Kconfig takes the last assignment of a symbol: the fragments go
	 * after tinyconfig's choices, then olddefconfig settles the rest. */
	snprintf(config, sizeof(config), "%s/.config", b->tree);
	snprintf(fragment_path, sizeof(fragment_path), "%s/.pinbench-fragment", b->tree);
	unsigned major, minor;
	kernel_build_series(b, &major, &minor);
	char *series = kernel_config_for(major, minor);
	char *extra = NULL;
	if (b->extra_config && !(extra = read_file(b->extra_config, NULL)))
		ret = -1;
	if (extra) { /* it may drop lines too, as a series' file does */
		char *less = kept(series, extra);
		free(series);
		series = less;
	}
	f = xopen_memstream(&fragment, &len);
	fputs(series, f);
	free(series);
	if (extra)
		fprintf(f, "%s\n", extra);
	free(extra);
	fprintf(f, "CONFIG_LOCALVERSION=\"-pb-%s\"\n# CONFIG_LOCALVERSION_AUTO is not set\n", b->name);
	fclose(f);
	FILE *c = ret ? NULL : fopen(config, "a");
	if (!c || fputs(fragment, c) < 0 || fclose(c)) {
		pb_err("kernel: cannot write %s", config);
		free(fragment);
		return EXIT_CANNOT;
	}
	write_file_atomic(fragment_path, fragment, len);
	if (kernel_run_or_say("make olddefconfig", old) || check_config(b, fragment))
		ret = EXIT_FAILED;
	free(fragment);
	return ret;
}

