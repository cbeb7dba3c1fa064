/* The comparison of `pinbench vm`, once the session's boots are done.
 * Per scenario, the kernels with complete boots are loaded and compared
 * as `pinbench compare` does it (the same loading and checks, tests and
 * views), so SCENARIO_DIR/compare.txt and .json read as that command
 * writes them, the first kernel that booted as the base. With several
 * scenarios the very same comparisons fill the matrix
 * (analysis/views/matrix_view.h): nothing is tested twice. */
#include "config.h"
#include "vm_cli.h"
#include "analysis_cli.h"
#include "compare_view.h"
#include "matrix_view.h"
#include "document.h"
#include "log.h"
#include "units.h"
#include "util.h"
#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One scenario's datasets and comparisons. */
struct scenario_cmp {
	struct dataset d[MAX_KERNELS];      /* of the kernels that booted, in order */
	size_t kernel[MAX_KERNELS];         /* d[j] is of kernel kernel[j] */
	size_t nd;
	struct comparison c[MAX_KERNELS];   /* d[j + 1] against d[0], as compare.txt */
	size_t nc;
	struct comparison own[MAX_KERNELS]; /* d[j] against itself: values alone */
	bool has_own[MAX_KERNELS];
	char compare_file[300];             /* relative to the matrix */
};

/* `pinbench compare`'s defaults: alpha 0.05, Holm, migration counters. */
static const struct analysis_args compare_defaults = { .alpha = 0.05, .correction = CORRECT_HOLM, .format = "text" };

static FILE *open_in(const char *dir, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	FILE *f = open_atomic(path);
	if (!f)
		pb_err("vm: cannot write %s", path);
	return f;
}

/* compare.txt and compare.json, each as `pinbench compare -o` writes it. */
static int write_compare(const char *dir, struct scenario_cmp *sc)
{
	char path[4500];
	FILE *f = open_in(dir, "compare.txt", path, sizeof(path));

	if (!f)
		return -1;
	compare_print(f, sc->c, sc->nc, false, false);
	if (close_atomic(path, f) || !(f = open_in(dir, "compare.json", path, sizeof(path))))
		return -1;
	analysis_print_json(f, compare_json(sc->c, sc->nc));
	return close_atomic(path, f) ? -1 : 0;
}

/* Loads the complete boots of one scenario and compares them. With one
 * scenario, only when there are two kernels to compare (the session as
 * it always was); with several, every kernel that booted, for its values
 * in the matrix. */
static int compare_scenario(const struct vm_args *a, const struct scenario_under_test *s, struct scenario_cmp *sc)
{
	char *paths[MAX_KERNELS];

	for (size_t k = 0; k < a->nk; k++)
		if (s->cell[k].ok) {
			sc->kernel[sc->nd] = k;
			paths[sc->nd++] = (char *)s->cell[k].dir;
		}
	if (sc->nd < (a->ns > 1 ? 1u : 2u)) {
		sc->nd = 0;
		return 0;
	}
	int ret = analysis_load_all(&compare_defaults, paths, sc->nd, sc->d);
	if (ret) {
		pb_err("vm: the kernels' runs of %s cannot be compared (exit %d); the run directories are kept",
		       s->path, ret);
		return -1;
	}
	for (size_t j = 1; j < sc->nd; j++)
		compare_datasets(&sc->d[0], &sc->d[j], compare_defaults.alpha, compare_defaults.correction, NULL, 0,
				 &sc->c[sc->nc++]);
	if (sc->nc) {
		snprintf(sc->compare_file, sizeof(sc->compare_file), "%s%scompare.txt", a->ns > 1 ? s->name : "",
			 a->ns > 1 ? "/" : "");
		return write_compare(s->dir, sc);
	}
	return 0;
}

static void free_scenario(struct scenario_cmp *sc)
{
	for (size_t j = 0; j < sc->nc; j++)
		comparison_free(&sc->c[j]);
	for (size_t j = 0; j < sc->nd; j++) {
		if (sc->has_own[j])
			comparison_free(&sc->own[j]);
		dataset_free(&sc->d[j]);
	}
}

/* The matrix's cells of one scenario: a kernel against the base kernel
 * when both booted (compare.txt's comparison), else its values alone. */
static void fill_cells(const struct vm_args *a, size_t si, struct scenario_cmp *sc, struct matrix_cell *cells)
{
	bool base_booted = sc->nd && sc->kernel[0] == 0;

	for (size_t k = 0; k < a->nk; k++) {
		const struct vm_cell *vc = &a->s[si].cell[k];
		cells[k] = (struct matrix_cell){ .boots = vc->ok, .failed = vc->failed, .failures = vc->failures };
	}
	for (size_t j = 0; j < sc->nd; j++) {
		struct matrix_cell *cell = &cells[sc->kernel[j]];
		if (base_booted && j) {
			cell->c = &sc->c[j - 1];
			continue;
		}
		compare_datasets(&sc->d[j], &sc->d[j], compare_defaults.alpha, compare_defaults.correction, NULL, 0,
				 &sc->own[j]);
		sc->has_own[j] = true;
		cell->own = &sc->own[j];
	}
}

static void describe_guest(const struct vm_args *a, char *buf, size_t len)
{
	char mem[32], mc[32], cma[32];
	size_t o = 0;

	format_size(a->cfg.mem, mem, sizeof(mem));
	appendf(buf, len, &o, "%s, %u node(s), %u CPU(s)", mem, a->cfg.numa, a->cfg.cpus);
	if (a->cfg.movablecore) {
		format_size(a->cfg.movablecore, mc, sizeof(mc));
		appendf(buf, len, &o, ", movablecore=%s", mc);
	}
	if (a->cfg.cma) {
		format_size(a->cfg.cma, cma, sizeof(cma));
		appendf(buf, len, &o, ", cma=%s", cma);
	}
	if (a->cfg.append && *a->cfg.append)
		appendf(buf, len, &o, ", append '%s'", a->cfg.append);
	appendf(buf, len, &o, "; accelerator %s", a->accelerator[0] ? a->accelerator : "?");
}

static int write_document(const char *dir, const char *name, enum doc_format fmt, const struct matrix *m)
{
	char path[4500];
	struct doc d = { .fmt = fmt };

	if (!(d.f = open_in(dir, name, path, sizeof(path))))
		return -1;
	matrix_document(&d, m);
	return close_atomic(path, d.f) ? -1 : 0;
}

static int write_matrix(const struct vm_args *a, const char *dir, struct scenario_cmp *sc)
{
	struct matrix_cell *cells = xcalloc(a->ns * a->nk, sizeof(*cells));
	struct matrix_scenario *scen = xcalloc(a->ns, sizeof(*scen));
	const char *kernels[MAX_KERNELS];
	char guest[1024], path[4500];
	int ret = 0;

	for (size_t k = 0; k < a->nk; k++)
		kernels[k] = a->k[k].name;
	for (size_t s = 0; s < a->ns; s++) {
		fill_cells(a, s, &sc[s], &cells[s * a->nk]);
		scen[s] = (struct matrix_scenario){ a->s[s].name, a->s[s].path,
						    sc[s].nc ? sc[s].compare_file : NULL, sc[s].c, sc[s].nc };
	}
	describe_guest(a, guest, sizeof(guest));
	struct matrix m = { scen, a->ns, kernels, a->nk, cells, compare_defaults.alpha, compare_defaults.correction,
			    a->boots, guest };
	ret = write_document(dir, "matrix.txt", DOC_TEXT, &m) || write_document(dir, "matrix.md", DOC_MARKDOWN, &m) ||
	      write_document(dir, "matrix.html", DOC_HTML, &m);
	FILE *f = ret ? NULL : open_in(dir, "matrix.json", path, sizeof(path));
	if (f) {
		analysis_print_json(f, matrix_json(&m));
		ret = close_atomic(path, f);
	}
	free(cells);
	free(scen);
	return ret ? -1 : 0;
}

/* What a terminal sees: the comparison (one scenario) or the matrix. */
static void show(const char *dir, const char *name, bool matrix)
{
	char path[4500], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = read_file(path, NULL);
	printf("\n%s", text ? text : "");
	if (text && matrix)
		printf("\nthe matrix: %s/matrix.txt, .md, .html and .json\n", dir);
	free(text);
}

int vm_report(const struct vm_args *a, const char *dir)
{
	struct scenario_cmp *sc = xcalloc(a->ns, sizeof(*sc));
	int ret = 0;

	for (size_t s = 0; s < a->ns && !ret; s++)
		ret = compare_scenario(a, &a->s[s], &sc[s]);
	if (!ret && a->ns > 1)
		ret = write_matrix(a, dir, sc);
	if (!ret && a->ns > 1)
		show(dir, "matrix.txt", true);
	else if (!ret && sc[0].nc)
		show(dir, "compare.txt", false);
	for (size_t s = 0; s < a->ns; s++)
		free_scenario(&sc[s]);
	free(sc);
	return ret;
}
