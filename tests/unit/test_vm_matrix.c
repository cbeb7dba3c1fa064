/* pinbench vm over several scenarios, without QEMU: the matrix file (what
 * it fills, relative paths, every refusal naming file, line and key), the
 * options it shares with the command line, the scenarios' directory
 * names, and the matrix view's cells (verdicts taken from real
 * comparisons of built datasets, the same text in every format). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "dataset.h"
#include "document.h"
#include "exitcode.h"
#include "files.h"
#include "matrix_view.h"
#include "paths.h"
#include "units.h"
#include "vm_cli.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pinbench-test-matrix-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return remove_tree(dir);
}

/* Writes text as DIR/NAME and returns the path (static). */
static const char *file(const char *name, const char *text)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	return path;
}

/* Reads a matrix file into fresh arguments; the error in err. */
static int read_into(const char *path, struct vm_args *a, struct vm_file_paths *owned, char *err, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->boots = 1;
	err[0] = '\0';
	return vm_file_read(path, a, owned, err, len);
}

static void file_fills_the_session(void **state)
{
	const char *path = file("ci.ini", "; the CI's matrix\n"
					  "[matrix]\n"
					  "kernels = /k/vmlinuz-a rel/vmlinuz-b\n"
					  "          /k/vmlinuz-c\n"
					  "scenarios = smoke.ini /s/seed.ini\n"
					  "[vm]\n"
					  "mem = 3G\n"
					  "movablecore = 1G\n"
					  "boots = 4\n"
					  "accel = tcg\n"
					  "retry-on-tcg = yes\n"
					  "timeout = 90s\n");
	struct vm_args *a = calloc(1, sizeof(*a));
	struct vm_file_paths owned = { 0 };
	char err[512], want[256];

	(void)state;
	assert_int_equal(read_into(path, a, &owned, err, sizeof(err)), 0);
	assert_int_equal(a->nk, 3);
	assert_string_equal(a->k[0].path, "/k/vmlinuz-a");
	snprintf(want, sizeof(want), "%s/rel/vmlinuz-b", dir); /* the file's directory's */
	assert_string_equal(a->k[1].path, want);
	assert_string_equal(a->k[2].path, "/k/vmlinuz-c"); /* an indented line continues the list */
	assert_int_equal(a->ns, 2);
	snprintf(want, sizeof(want), "%s/smoke.ini", dir);
	assert_string_equal(a->s[0].path, want);
	assert_string_equal(a->s[1].path, "/s/seed.ini");
	assert_true(a->cfg.mem == 3 * GIB);
	assert_true(a->cfg.movablecore == GIB);
	assert_int_equal(a->boots, 4);
	assert_string_equal(a->accel, "tcg");
	assert_true(a->retry_on_tcg);
	assert_true(a->cfg.timeout_ns == 90ULL * 1000000000ULL);
	vm_file_paths_free(&owned);
	free(a);
}

/* Each bad file is refused with its file, line and key in the message. */
static void file_refusals_name_line_and_key(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[matrix]\nkernels = a\n[vm]\nmem = lots\n", "bad.ini:4: [vm] key 'mem': 'lots' is not a size" },
		{ "[matrix]\nkernels = a\n[vm]\nboots = 0\n", "bad.ini:4: [vm] key 'boots': '0': must be at least 1" },
		{ "[matrix]\nkernels = a\n[vm]\naccel = hvf\n", "bad.ini:4: [vm] key 'accel': 'hvf': is one of auto" },
		{ "[matrix]\nkernels = a\n\n[vm]\nvfio = maybe\n", "bad.ini:5: [vm] key 'vfio': 'maybe' is not yes or no" },
		{ "[matrix]\nkernels = a\n[vm]\noutput = x\n", "bad.ini:4: [vm] key 'output' is not a pinbench vm option" },
		{ "[matrix]\nkernels = a\n[vm]\nmemory = 2G\n", "bad.ini:4: [vm] key 'memory' is not a pinbench vm option" },
		{ "[matrix]\nkernel = a\n", "bad.ini:2: [matrix] key 'kernel' is unknown (kernels, scenarios)" },
		{ "[matrix]\nkernels =\n", "bad.ini:2: [matrix] key 'kernels': names no file" },
		{ "[matrix]\nkernels = a\n[qemu]\nmem = 2G\n", "bad.ini:4: [qemu] is not a section of a matrix file" },
		{ "[matrix]\nkernels = a\nkernels = b\n", "bad.ini:3: [matrix] key 'kernels' is set twice" },
		{ "kernels = a\n", "bad.ini:1: key 'kernels' is outside any section" },
		{ "[vm]\nmem = 2G\n", "bad.ini: no [matrix] kernels or scenarios" },
		{ "[matrix]\nkernels = a a a a a a a a a a a a a a a a a\n",
		  "/a': more than 16 kernels" },
	};
	struct vm_args *a = calloc(1, sizeof(*a));
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_file_paths owned = { 0 };
		const char *path = file("bad.ini", cases[i].text);
		assert_int_equal(read_into(path, a, &owned, err, sizeof(err)), EXIT_BAD_INPUT);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
		vm_file_paths_free(&owned);
	}
	struct vm_file_paths owned = { 0 };
	char none[128];
	snprintf(none, sizeof(none), "%s/none.ini", dir);
	assert_int_equal(read_into(none, a, &owned, err, sizeof(err)), EXIT_BAD_INPUT);
	assert_non_null(strstr(err, "none.ini"));
	free(a);
}

static void options_take_flags_from_both(void **state)
{
	struct vm_args *a = calloc(1, sizeof(*a));
	char why[256];

	(void)state;
	assert_int_equal(vm_apply_option(a, VM_OPT_VFIO, NULL, why, sizeof(why)), 0); /* --vfio */
	assert_true(a->cfg.vfio);
	assert_int_equal(vm_apply_option(a, VM_OPT_VFIO, "no", why, sizeof(why)), 0); /* vfio = no */
	assert_false(a->cfg.vfio);
	assert_int_equal(vm_apply_option(a, 'm', "1x", why, sizeof(why)), EXIT_BAD_INPUT);
	assert_string_equal(why, "'1x' is not a size (use e.g. 4096, 64K, 512M, 2G)");
	for (int i = 0; i < MAX_SCENARIOS; i++)
		assert_int_equal(vm_apply_option(a, VM_OPT_SCENARIO, "s.ini", why, sizeof(why)), 0);
	assert_int_equal(vm_apply_option(a, VM_OPT_SCENARIO, "s.ini", why, sizeof(why)), EXIT_BAD_INPUT);
	assert_non_null(strstr(why, "more than 32 scenarios"));
	free(a);
}

static void scenarios_get_their_own_directories(void **state)
{
	struct vm_args *a = calloc(1, sizeof(*a));
	static const char *const paths[] = { "bench/smoke.ini", "other/smoke.ini", "failed.ini", ".hidden.ini",
					     "noext", "x/smoke.ini" };
	static const char *const want[] = { "smoke", "smoke-2", "scenario-failed", "scenario-.hidden", "noext",
					    "smoke-3" };

	(void)state;
	for (size_t i = 0; i < 6; i++)
		a->s[a->ns++].path = paths[i];
	vm_name_scenarios(a);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(a->s[i].name, want[i]);
	free(a);
}

/* ---- the matrix view ---- */

/* A kernel's runs: nruns runs of 20 pins at about ms milliseconds; fail:
 * every pin fails. */
static void build(struct dataset *d, const char *name, unsigned nruns, double ms, bool fail)
{
	struct dataset_builder *b = dataset_builder_new();
	char err[256];

	for (unsigned r = 0; r < nruns; r++)
		for (unsigned i = 0; i < 20; i++) {
			struct pin_sample s = { .run = r + 1, .node = 0, .bytes = 1 << 24,
						.pin_ns = ms * 1e6 + i * 1e4 + r * 1e3, .errnum = fail ? 12 : 0,
						.unpin_ns = -1, .unpin = -1, .iteration = -1, .chunk = -1,
						.start_ns = -1, .job = "" };
			dataset_builder_pin(b, r, &s);
		}
	dataset_builder_add_runs(b, nruns);
	memset(d, 0, sizeof(*d));
	assert_int_equal(dataset_builder_finish(b, d, err, sizeof(err)), 0);
	d->path = strdup(name);
}

static json_t *cell_json(json_t *m, size_t i, const char *metric)
{
	return json_object_get(json_array_get(json_object_get(m, "cells"), i), metric);
}

static const char *verdict(json_t *m, size_t i, const char *metric)
{
	return json_string_value(json_object_get(cell_json(m, i, metric), "verdict"));
}

static char *document(const struct matrix *m, enum doc_format fmt)
{
	char *text = NULL;
	size_t len = 0;
	struct doc d = { .fmt = fmt, .f = open_memstream(&text, &len) };

	matrix_document(&d, m);
	fclose(d.f);
	return text;
}

/* text as HTML writes it */
static char *escaped(const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	html_escape(f, text);
	fclose(f);
	return out;
}

static void cells_carry_the_comparisons_verdicts(void **state)
{
	/* scenario one: base, failing (first: no latency to take the base's
	 * from), slower, faster, the same, dead; scenario two: the base never
	 * booted */
	enum { BASE, FAIL, SLOW, FAST, SAME, NK = 6 };
	struct dataset d[NK - 1], alone;
	struct comparison c[NK - 2], own, base_own;
	struct matrix_cell cells[2 * NK] = { 0 };
	const char *kernels[NK] = { "base", "slow", "fast", "same", "fail", "dead" };

	(void)state;
	build(&d[BASE], "base", 6, 10, false);
	build(&d[SLOW], "slow", 6, 20, false);
	build(&d[FAST], "fast", 6, 5, false);
	build(&d[SAME], "same", 6, 10, false);
	build(&d[FAIL], "fail", 6, 10, true);
	build(&alone, "alone", 6, 10, false);
	for (int k = FAIL; k <= SAME; k++)
		compare_datasets(&d[BASE], &d[k], 0.05, CORRECT_HOLM, NULL, 0, &c[k - 1]);
	compare_datasets(&alone, &alone, 0.05, CORRECT_HOLM, NULL, 0, &own);
	compare_datasets(&d[BASE], &d[BASE], 0.05, CORRECT_HOLM, NULL, 0, &base_own);
	cells[BASE] = (struct matrix_cell){ .own = &base_own, .boots = 2 };
	for (int k = FAIL; k <= SAME; k++)
		cells[k] = (struct matrix_cell){ .c = &c[k - 1], .boots = 2 };
	cells[NK - 1] = (struct matrix_cell){ .failed = 2, .failures = "panic" };
	cells[NK + BASE] = (struct matrix_cell){ .failed = 2, .failures = "hung" };
	cells[NK + SLOW] = (struct matrix_cell){ .own = &own, .boots = 2 };
	struct matrix_scenario scen[2] = { { "one", "one.ini", "one/compare.txt", c, NK - 2 },
					   { "two", "two.ini", NULL, NULL, 0 } };
	struct matrix m = { scen, 2, kernels, NK, cells, 0.05, CORRECT_HOLM, 2, "test" };
	json_t *j = matrix_json(&m);

	assert_string_equal(verdict(j, BASE, "pin_latency"), "base");
	assert_string_equal(verdict(j, SLOW, "pin_latency"), "increase");
	assert_string_equal(verdict(j, FAST, "pin_latency"), "decrease");
	assert_string_equal(verdict(j, SAME, "pin_latency"), "no significant change");
	assert_string_equal(verdict(j, SAME, "failure_rate"), "no change");
	assert_string_equal(verdict(j, FAIL, "failure_rate"), "increase");
	assert_string_equal(verdict(j, FAIL, "pin_latency"), "undecided");
	assert_string_equal(json_string_value(json_object_get(cell_json(j, FAIL, "pin_latency"), "reason")),
			    "no pin succeeded on this kernel");
	assert_string_equal(verdict(j, NK - 1, "pin_latency"), "no data");
	assert_string_equal(verdict(j, NK + BASE, "failure_rate"), "no data");
	assert_string_equal(verdict(j, NK + SLOW, "pin_latency"), "undecided");
	/* the comparison's own words beside them, and its numbers */
	assert_string_equal(json_string_value(json_object_get(cell_json(j, SLOW, "pin_latency"), "compare_verdict")),
			    c[SLOW - 1].m[0].verdict);
	assert_string_equal(c[SLOW - 1].m[0].name, "pin_latency");
	assert_true(json_real_value(json_object_get(cell_json(j, SLOW, "pin_latency"), "value")) ==
		    c[SLOW - 1].m[0].cand_median);
	assert_true(json_real_value(json_object_get(cell_json(j, BASE, "pin_latency"), "value")) ==
		    c[SLOW - 1].m[0].base_median);
	assert_int_equal(json_integer_value(json_object_get(cell_json(j, FAIL, "failure_rate"), "failed")), 120);
	/* the reasons */
	assert_non_null(strstr(json_string_value(json_object_get(cell_json(j, NK - 1, "pin_latency"), "text")),
			       "no complete boot (panic)"));
	assert_non_null(strstr(json_string_value(json_object_get(cell_json(j, NK + SLOW, "pin_latency"), "reason")),
			       "the base kernel has no complete boot"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j, "units"), "display"),
							      "pin_latency")), "ms");
	/* every cell's text in the text, Markdown and HTML documents */
	char *text = document(&m, DOC_TEXT), *md = document(&m, DOC_MARKDOWN), *html = document(&m, DOC_HTML);
	for (size_t i = 0; i < 2 * NK; i++)
		for (int row = 0; row < 2; row++) {
			const char *t = json_string_value(
				json_object_get(cell_json(j, i, row ? "pin_latency" : "failure_rate"), "text"));
			assert_non_null(t);
			char *h = escaped(t);
			if (!strstr(text, t) || !strstr(md, t) || !strstr(html, h))
				fail_msg("cell %zu: '%s' is not in every document", i, t);
			free(h);
		}
	assert_non_null(strstr(html, "<table class=\"wrap\">"));
	free(text);
	free(md);
	free(html);
	json_decref(j);
	for (int k = FAIL; k <= SAME; k++)
		comparison_free(&c[k - 1]);
	comparison_free(&own);
	comparison_free(&base_own);
	for (int k = 0; k < NK - 1; k++)
		dataset_free(&d[k]);
	dataset_free(&alone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_fills_the_session),
		cmocka_unit_test(file_refusals_name_line_and_key),
		cmocka_unit_test(options_take_flags_from_both),
		cmocka_unit_test(scenarios_get_their_own_directories),
		cmocka_unit_test(cells_carry_the_comparisons_verdicts),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
