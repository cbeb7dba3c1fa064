/* A matrix file for `pinbench vm --matrix FILE`: what a kernel team's
 * CI runs, kept in its repository beside the scenarios.
 *
 *   [matrix]
 *   kernels = vmlinuz-6.1-stock vmlinuz-6.1-patched
 *             vmlinuz-6.12-stock
 *   scenarios = smoke.ini seed-lru-batch.ini
 *   [vm]
 *   mem = 2G
 *   movablecore = 1G
 *   boots = 3
 *
 * [vm] keys are vm's long options, applied by the same code as the
 * command line (flags take yes or no); relative paths are the file's
 * directory's, so that the file works from any directory. */
#include "config.h"
#include "vm_cli.h"
#include "cmd.h"
#include "ini_doc.h"
#include "exitcode.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *keep(struct vm_file_paths *owned, char *s)
{
	owned->p = xrealloc(owned->p, (owned->n + 1) * sizeof(*owned->p));
	owned->p[owned->n++] = s;
	return s;
}

void vm_file_paths_free(struct vm_file_paths *owned)
{
	for (size_t i = 0; i < owned->n; i++)
		free(owned->p[i]);
	free(owned->p);
	owned->p = NULL;
	owned->n = 0;
}

/* word, or the file's directory joined with it when it is relative. */
static char *resolve(const char *file, const char *word, size_t len)
{
	const char *slash = strrchr(file, '/');
	char *out;

	if (word[0] == '/' || !slash)
		return xstrndup(word, len);
	if (asprintf(&out, "%.*s/%.*s", (int)(slash - file), file, (int)len, word) < 0)
		abort();
	return out;
}

/* The paths of a [matrix] list, separated by blanks. */
static int add_paths(const char *file, const struct ini_entry *e, struct vm_args *a, int c,
		     struct vm_file_paths *owned, char *err, size_t errlen)
{
	char why[512];
	size_t n = 0;

	for (const char *p = e->value; *(p += strspn(p, " \t"));) {
		size_t len = strcspn(p, " \t");
		if (vm_apply_option(a, c, keep(owned, resolve(file, p, len)), why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: [matrix] key '%s': %s", file, e->line, e->key, why);
			return EXIT_BAD_INPUT;
		}
		p += len;
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "%s:%u: [matrix] key '%s': names no file", file, e->line, e->key);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* The [vm] keys: vm's long options but those that only make sense on
 * one command line (output, the matrix file itself) and kernel, which
 * [matrix] lists. */
static const struct cli_option *vm_key(const char *key)
{
	static const char *const refused[] = { "output", "matrix", "kernel", "help" };

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (!strcmp(key, refused[i]))
			return NULL;
	for (const struct cli_option *o = cmd_vm_options[0]; o->name; o++)
		if (!strcmp(o->name, key))
			return o;
	return NULL;
}

static int vm_entry(const char *file, const struct ini_entry *e, struct vm_args *a, struct vm_file_paths *owned,
		    char *err, size_t errlen)
{
	const struct cli_option *o = vm_key(e->key);
	char why[512];

	if (!o) {
		snprintf(err, errlen, "%s:%u: [vm] key '%s' is not a pinbench vm option here (numa, mem, cpus, "
			 "movablecore, cma, append, vfio, boots, timeout, accel, retry-on-tcg; -o goes on the "
			 "command line)", file, e->line, e->key);
		return EXIT_BAD_INPUT;
	}
	if (vm_apply_option(a, o->key, keep(owned, xstrdup(e->value)), why, sizeof(why))) {
		snprintf(err, errlen, "%s:%u: [vm] key '%s': %s", file, e->line, e->key, why);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int __attribute__((format(printf, 3, 4))) refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return EXIT_BAD_INPUT;
}

static int apply(const char *file, const struct ini_doc *doc, struct vm_args *a, struct vm_file_paths *owned,
		 char *err, size_t errlen)
{
	int ret = 0;

	for (size_t i = 0; i < doc->n && !ret; i++) {
		const struct ini_entry *e = &doc->e[i];
		bool matrix = !strcmp(e->section, "matrix");
		if (matrix && !strcmp(e->key, "kernels"))
			ret = add_paths(file, e, a, 'k', owned, err, errlen);
		else if (matrix && !strcmp(e->key, "scenarios"))
			ret = add_paths(file, e, a, VM_OPT_SCENARIO, owned, err, errlen);
		else if (matrix)
			ret = refuse(err, errlen, "%s:%u: [matrix] key '%s' is unknown (kernels, scenarios)", file,
				     e->line, e->key);
		else if (!strcmp(e->section, "vm"))
			ret = vm_entry(file, e, a, owned, err, errlen);
		else
			ret = refuse(err, errlen, "%s:%u: [%s] is not a section of a matrix file ([matrix], [vm])",
				     file, e->line, e->section);
	}
	if (!ret && !ini_doc_find(doc, "matrix", "kernels") && !ini_doc_find(doc, "matrix", "scenarios")) {
		snprintf(err, errlen, "%s: no [matrix] kernels or scenarios", file);
		ret = EXIT_BAD_INPUT;
	}
	return ret;
}

int vm_file_read(const char *path, struct vm_args *a, struct vm_file_paths *owned, char *err, size_t errlen)
{
	struct ini_doc doc = { .name = path, .hint = " (a matrix file has [matrix] and [vm])", .err = err,
			       .errlen = errlen };
	char *text = ini_doc_read(path, err, errlen);
	int ret = !text || ini_doc_parse(&doc, text) ? EXIT_BAD_INPUT : apply(path, &doc, a, owned, err, errlen);

	ini_doc_free(&doc);
	free(text);
	return ret;
}
