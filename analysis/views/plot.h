/* Plots drawn by gnuplot, run as a subprocess with an argv. Each plot is
 * NAME.gp and NAME.dat written into one directory, then NAME.svg (or
 * NAME.png) rendered there: `cd DIR && gnuplot NAME.gp` draws it again,
 * and the .gp file is the place to restyle it. Without gnuplot, nothing
 * is drawn and note says so once; reports then show their tables only. */
#ifndef PB_PLOT_H
#define PB_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "dataset.h"

struct plot_image {
	char *file;              /* "cdf.svg", inside the plot directory */
	char *title;
};

struct plotter {
	char dir[4096];
	bool png;
	bool available;          /* gnuplot found */
	char note[512];          /* why plots are missing; "" when none are */
	struct plot_image *images;
	size_t nimages;
};

/* Creates dir when needed. 0, or -1 (the directory could not be made). */
int plotter_init(struct plotter *p, const char *dir, bool png);
void plotter_free(struct plotter *p);

/* Pin latency CDF (log x), one line per dataset and node. */
void plot_cdf(struct plotter *p, const struct dataset *d, size_t n, const char *const *labels);
/* Pin latency histogram over log-spaced bins, one outline per dataset. */
void plot_histogram(struct plotter *p, const struct dataset *d, size_t n, const char *const *labels);
/* Median pin latency per node with its confidence interval, bars grouped
 * by node, one colour per dataset. */
void plot_nodes(struct plotter *p, const struct dataset *d, size_t n, const char *const *labels, double alpha);
/* Migration, THP and compaction counters of a run directory over time,
 * with the runs shaded and drop_caches writes marked. */
void plot_vmstat(struct plotter *p, const char *run_dir, const char *name, const char *title);
/* Per-metric change of the median with its interval, coloured by verdict. */
void plot_changes(struct plotter *p, const struct comparison *c, const char *name, const char *title);

/* A plot being written, for plots of other modules too: its data and its
 * gnuplot body as two streams. plot_end closes them and, when draw,
 * writes NAME.dat and NAME.gp (the terminal and output lines followed by
 * the body, which plots 'NAME.dat'), renders, and records the image. */
struct plot_script {
	char *data, *body;
	size_t dlen, blen;
	FILE *df, *bf;
};
void plot_begin(struct plot_script *ps);
void plot_end(struct plotter *p, struct plot_script *ps, const char *name, const char *title, bool draw);

/* Series colours, in order; verdict colours. */
extern const char *const plot_palette[];
extern const size_t plot_palette_n;
const char *verdict_rgb(const struct metric_comparison *r);

#endif
