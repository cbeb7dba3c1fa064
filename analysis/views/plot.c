#include "config.h"
#include "plot.h"
#include "effect.h"
#include "rundir.h"
#include "stats.h"
#include "subprocess.h"
#include "util.h"
#include "files.h"
#include "paths.h"

#include <errno.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const plot_palette[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
				     "#8c564b", "#e377c2", "#17becf", "#bcbd22" };
const size_t plot_palette_n = ARRAY_SIZE(plot_palette);

const char *verdict_rgb(const struct metric_comparison *r)
{
	static const char *const of[VERDICT_KINDS] = {
		[VERDICT_REGRESSED] = "#d62728", [VERDICT_IMPROVED] = "#2ca02c", [VERDICT_CHANGED] = "#1f77b4",
		[VERDICT_UNDECIDED] = "#8250df",
	};
	return of[r->outcome] ? of[r->outcome] : "#7f7f7f";
}

int plotter_init(struct plotter *p, const char *dir, bool png)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	p->png = png;
	p->available = program_in_path("gnuplot");
	if (!p->available)
		snprintf(p->note, sizeof(p->note),
			 "gnuplot is not installed (apt-get install gnuplot-nox): tables only, no plots");
	return mkdir_p(dir, 0755) ? -1 : 0;
}

void plotter_free(struct plotter *p)
{
	for (size_t i = 0; i < p->nimages; i++) {
		free(p->images[i].file);
		free(p->images[i].title);
	}
	free(p->images);
	p->images = NULL;
	p->nimages = 0;
}

static void note_failure(struct plotter *p, const char *name, const char *why)
{
	if (!p->note[0])
		snprintf(p->note, sizeof(p->note), "plot %s: %s", name, why);
}

/* A title for gnuplot's single-quoted strings: ' doubled. */
static void gp_quote(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '\'')
			buf[o++] = '\'';
		buf[o++] = *s;
	}
	buf[o] = '\0';
}

static int write_text(const char *dir, const char *name, const char *ext, const char *text)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	return write_file_atomic(path, text, strlen(text));
}

static void plot_render(struct plotter *p, const char *name, const char *title, const char *data,
			const char *body)
{
	char *script = NULL, *out = NULL, t[512], image[128];
	size_t len;

	if (!p->available)
		return;
	gp_quote(title, t, sizeof(t));
	snprintf(image, sizeof(image), "%s.%s", name, p->png ? "png" : "svg");
	if (asprintf(&script,
		     "# pinbench plot: `gnuplot %s.gp` in this directory draws %s again from %s.dat.\n"
		     "set terminal %s size 960,480 %s font 'sans,12' noenhanced background rgb '#ffffff'\n"
		     "set output '%s'\n"
		     "set title '%s'\n"
		     "set grid lc rgb '#dddddd'\n"
		     "set key outside right top\n"
		     "%s",
		     name, image, name, p->png ? "pngcairo" : "svg", p->png ? "" : "dynamic", image, t, body) < 0)
		return;
	if (write_text(p->dir, name, "dat", data) || write_text(p->dir, name, "gp", script)) {
		note_failure(p, name, strerror(errno));
		free(script);
		return;
	}
	free(script);
	char gp[160];
	snprintf(gp, sizeof(gp), "%s.gp", name);
	char *argv[] = { "gnuplot", gp, NULL };
	int ret = spawn_capture_in(p->dir, true, argv, &out, &len);
	if (ret) {
		char why[300];
		snprintf(why, sizeof(why), "gnuplot failed (%d): %.200s", ret, out ? out : "");
		note_failure(p, name, why);
	} else {
		p->images = xrealloc(p->images, (p->nimages + 1) * sizeof(*p->images));
		p->images[p->nimages].file = xstrdup(image);
		p->images[p->nimages++].title = xstrdup(title);
	}
	free(out);
}

void plot_begin(struct plot_script *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->df = xopen_memstream(&ps->data, &ps->dlen);
	ps->bf = xopen_memstream(&ps->body, &ps->blen);
}

void plot_end(struct plotter *p, struct plot_script *ps, const char *name, const char *title, bool draw)
{
	fclose(ps->df);
	fclose(ps->bf);
	if (draw)
		plot_render(p, name, title, ps->data, ps->body);
	free(ps->data);
	free(ps->body);
}

/* The latency metrics to draw for one dataset: per node when there are
 * several nodes, else the pooled one. */
static size_t latency_metrics(const struct dataset *d, const struct metric **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nm && n < max; i++)
		if (!strncmp(d->m[i].name, "pin_latency.node", 16) && d->m[i].n)
			out[n++] = &d->m[i];
	if (!n && (out[0] = dataset_metric(d, "pin_latency")) && out[0]->n)
		n = 1;
	return n;
}

/* "base" or "base, node 1" */
static void series_title(const char *label, const struct metric *m, size_t nseries, char *buf, size_t len)
{
	const char *node = strstr(m->name, ".node");

	if (node && nseries > 1)
		snprintf(buf, len, "%s, node %s", label, node + 5);
	else
		snprintf(buf, len, "%s", label);
}

void plot_cdf(struct plotter *p, const struct dataset *d, size_t n, const char *const *labels)
{
	char t[256], q[300];
	size_t block = 0;
	struct plot_script ps;

	plot_begin(&ps);
	FILE *df = ps.df, *bf = ps.bf;

	fprintf(bf, "set logscale x\nset xlabel 'pin latency (ms)'\nset ylabel 'fraction of pins'\n"
		    "set yrange [0:1]\nplot ");
	for (size_t k = 0; k < n; k++) {
		const struct metric *ms[64];
		size_t nm = latency_metrics(&d[k], ms, ARRAY_SIZE(ms));
		for (size_t j = 0; j < nm; j++) {
			const struct metric *m = ms[j];
			/* at most ~1000 points a line: every rank step, then the last */
			size_t step = m->n > 1000 ? m->n / 1000 : 1;
			for (size_t i = 0; i < m->n; i += step)
				fprintf(df, "%.6g %.6g\n", m->v[i] / 1e6, (double)(i + 1) / (double)m->n);
			fprintf(df, "%.6g 1\n\n\n", m->v[m->n - 1] / 1e6);
			series_title(labels[k], m, nm, t, sizeof(t));
			gp_quote(t, q, sizeof(q));
			fprintf(bf, "%s'%s' index %zu using 1:2 with steps lw 2 lc rgb '%s' dt %zu title '%s'",
				block ? ", \\\n     " : "", "cdf.dat", block, plot_palette[k % plot_palette_n], j + 1, q);
			block++;
		}
	}
	fputc('\n', bf);
	plot_end(p, &ps, "cdf", "Pin latency, cumulative distribution", block > 0);
}

void plot_histogram(struct plotter *p, const struct dataset *d, size_t n, const char *const *labels)
{
	enum { BINS = 40 };
	double lo = INFINITY, hi = -INFINITY;
	char q[300];
	size_t blocks = 0;
	struct plot_script ps;

	for (size_t k = 0; k < n; k++) {
		const struct metric *m = dataset_metric(&d[k], "pin_latency");
		if (m && m->n && m->v[0] > 0) {
			lo = fmin(lo, m->v[0]);
			hi = fmax(hi, m->v[m->n - 1]);
		}
	}
	if (!(lo < hi))
		return;
	plot_begin(&ps);
	FILE *df = ps.df, *bf = ps.bf;
	double step = (log(hi) - log(lo)) / BINS;
	fprintf(bf, "set logscale x\nset xlabel 'pin latency (ms)'\nset ylabel 'fraction of pins per bin'\nplot ");
	for (size_t k = 0; k < n; k++) {
		const struct metric *m = dataset_metric(&d[k], "pin_latency");
		size_t count[BINS] = { 0 };
		if (!m || !m->n)
			continue;
		for (size_t i = 0; i < m->n; i++) {
			long b = m->v[i] > 0 ? (long)((log(m->v[i]) - log(lo)) / step) : 0;
			count[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
		}
		for (int b = 0; b < BINS; b++)
			fprintf(df, "%.6g %.6g\n", exp(log(lo) + (b + 0.5) * step) / 1e6, (double)count[b] / (double)m->n);
		fputs("\n\n", df);
		gp_quote(labels[k], q, sizeof(q));
		fprintf(bf, "%s'histogram.dat' index %zu using 1:2 with histeps lw 2 lc rgb '%s' title '%s'",
			blocks ? ", \\\n     " : "", blocks, plot_palette[k % plot_palette_n], q);
		blocks++;
	}
	fputc('\n', bf);
	plot_end(p, &ps, "histogram", "Pin latency, histogram (log-spaced bins)", blocks > 0);
}

/* One bar: the median of the unit values and its interval; an unbounded
 * side is drawn as the median itself. */
static void node_bar(FILE *df, const struct metric *m, bool per_run, double alpha)
{
	double lo = NAN, hi = NAN, med = NAN, *runs = NULL;
	const double *v = m ? m->v : NULL;
	size_t nv = m ? m->n : 0;

	if (m && m->n && per_run) {
		runs = xmalloc((m->nruns + m->ngroups + 1) * sizeof(*runs));
		nv = metric_per_run(m, STAT_MEDIAN, runs);
		v = runs;
	}
	if (nv) {
		med = gsl_stats_quantile_from_sorted_data(v, 1, nv, 0.5);
		quantile_ci(v, nv, 0.5, alpha, &lo, &hi);
	}
	fprintf(df, " %.6g %.6g %.6g", med / 1e6, (isnan(lo) ? med : lo) / 1e6, (isnan(hi) ? med : hi) / 1e6);
	free(runs);
}

void plot_nodes(struct plotter *p, const struct dataset *d, size_t n, const char *const *labels, double alpha)
{
	const struct metric *ms[64];
	size_t nodes = latency_metrics(&d[0], ms, ARRAY_SIZE(ms));
	char q[300];
	struct plot_script ps;

	if (!nodes)
		return;
	plot_begin(&ps);
	FILE *df = ps.df, *bf = ps.bf;
	/* the unit compare tests and its table shows: each run's median when
	 * every side has two runs or more, else the pooled pins */
	bool per_run = n >= 2;
	for (size_t k = 0; k < n; k++)
		per_run = per_run && d[k].nruns >= 2;
	/* one row per node: its name, then median, low, high per dataset */
	for (size_t j = 0; j < nodes; j++) {
		const char *node = strstr(ms[j]->name, ".node");
		fprintf(df, "\"%s\"", node ? node + 1 : "all");
		for (size_t k = 0; k < n; k++)
			node_bar(df, dataset_metric(&d[k], ms[j]->name), per_run, alpha);
		fputc('\n', df);
	}
	fprintf(bf, "set style data histograms\nset style histogram errorbars gap 2 lw 1\n"
		    "set style fill solid 0.7 border -1\nset ylabel 'median %s (ms), %g%% CI'\n"
		    "set yrange [0:*]\nplot ", per_run ? "of per-run medians" : "pin latency", 100 * (1 - alpha));
	size_t drawn = 0;
	for (size_t k = 0; k < n; k++) {
		/* a side whose every pin failed has no latency to draw (gnuplot
		 * refuses a histogram of no valid point) */
		bool any = false;
		for (size_t j = 0; j < nodes && !any; j++) {
			const struct metric *m = dataset_metric(&d[k], ms[j]->name);
			any = m && m->n;
		}
		if (!any)
			continue;
		gp_quote(labels[k], q, sizeof(q));
		fprintf(bf, "%s'nodes.dat' using %zu:%zu:%zu%s lc rgb '%s' title '%s'", drawn ? ", \\\n     " : "",
			2 + 3 * k, 3 + 3 * k, 4 + 3 * k, drawn ? "" : ":xtic(1)", plot_palette[k % plot_palette_n], q);
		drawn++;
	}
	fputc('\n', bf);
	plot_end(p, &ps, "nodes", "Median pin latency per node", drawn > 0);
}

void plot_changes(struct plotter *p, const struct comparison *c, const char *name, const char *title)
{
	size_t rows = 0;
	struct plot_script ps;

	plot_begin(&ps);
	for (size_t i = 0; i < c->n; i++) {
		const struct metric_comparison *r = &c->m[i];
		/* a gauge's (nr_*) change over a run is a change of level: relative
		 * to another such change it reads as -250 %, and squeezes the rest */
		if (isnan(r->median.rel) || !strncmp(r->name, "vmstat.nr_", 10))
			continue;
		/* a positive metric cannot fall by more than 100 % */
		double lo = fmax(isnan(r->median.lo) ? r->median.rel : r->median.lo, -1);
		double hi = isnan(r->median.hi) ? r->median.rel : r->median.hi;
		unsigned rgb = (unsigned)strtoul(verdict_rgb(r) + 1, NULL, 16);
		fprintf(ps.df, "%zu \"%s\" %.6g %.6g %.6g %u\n", rows++, r->name, 100 * r->median.rel, 100 * lo,
			100 * hi, rgb);
	}
	fprintf(ps.bf, "set key off\nset xlabel 'change of the median (%%), with its interval'\n"
		       "set yrange [-1:%zu]\nset ytics scale 0\nset arrow from 0, graph 0 to 0, graph 1 nohead lc rgb '#444444'\n"
		       "plot '%s.dat' using 3:1:4:5:6:ytic(2) with xerrorbars pt 7 ps 1.2 lw 2 lc rgb variable\n",
		rows, name);
	plot_end(p, &ps, name, title, rows > 0);
}

/* Counters the vmstat plot draws: what migration, THP and compaction do. */
static bool vmstat_plotted(const char *counter)
{
	static const char *const prefixes[] = { "pgmigrate_", "thp_migration_", "thp_split_", "compact_" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(counter, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

struct series {
	char name[64];
	double first, last;
	char *points;            /* "t value\n" lines */
	size_t len;
	FILE *f;
};

struct series_set {
	struct series *s;
	size_t n, max;
};

/* A vmstat.csv row of node "all", into its counter's series: seconds,
 * growth since the first sample. */
static int series_row(uint64_t t, const char *node, const char *counter, uint64_t v, void *ctx)
{
	struct series_set *ss = ctx;
	struct series *s = ss->s;
	size_t i = 0;

	if (strcmp(node, "all") || !vmstat_plotted(counter))
		return 0;
	while (i < ss->n && strcmp(s[i].name, counter))
		i++;
	if (i == ss->n) {
		if (ss->n == ss->max)
			return 0;
		memset(&s[i], 0, sizeof(s[i]));
		snprintf(s[i].name, sizeof(s[i].name), "%s", counter);
		s[i].first = (double)v;
		s[i].f = xopen_memstream(&s[i].points, &s[i].len);
		ss->n++;
	}
	s[i].last = (double)v;
	fprintf(s[i].f, "%.4f %.0f\n", (double)t / 1e9, (double)v - s[i].first);
	return 0;
}

/* One series per plotted counter, as far as vmstat.csv reads. */
static size_t read_vmstat(const char *run_dir, struct series *s, size_t max)
{
	struct series_set ss = { .s = s, .max = max };
	char err[512];

	rundir_read_vmstat(run_dir, series_row, &ss, err, sizeof(err));
	for (size_t i = 0; i < ss.n; i++)
		fclose(s[i].f);
	return ss.n;
}

struct run_spans {
	double start[64], end[64];
	unsigned nruns;
};

static int span_row(const struct rundir_sample *s, unsigned line, void *ctx)
{
	struct run_spans *r = ctx;

	(void)line;
	if (s->run > 64)
		return 0;
	r->start[s->run - 1] = fmin(r->start[s->run - 1], (double)s->start_ns / 1e9);
	r->end[s->run - 1] = fmax(r->end[s->run - 1], (double)(s->start_ns + s->pin_ns) / 1e9);
	r->nruns = s->run > r->nruns ? s->run : r->nruns;
	return 0;
}

/* Shaded spans from the first pin of each run to the end of its last. */
static void mark_runs(const char *run_dir, FILE *bf)
{
	struct run_spans r = { .nruns = 0 };
	char err[512];

	for (unsigned i = 0; i < 64; i++)
		r.start[i] = INFINITY, r.end[i] = -INFINITY;
	rundir_read_samples(run_dir, span_row, &r, err, sizeof(err));
	for (unsigned i = 0; i < r.nruns; i++)
		if (r.start[i] < r.end[i])
			fprintf(bf, "set object rect from %.4f, graph 0 to %.4f, graph 1 fc rgb '#e8eef8' fs solid 1.0 "
				    "noborder behind\nset label 'run %u' at %.4f, graph 0.97 font 'sans,10'\n",
				r.start[i], r.end[i], i + 1, r.start[i]);
}

/* Dashed lines at every drop_caches write (the drop-caches stressor's
 * start_ns in summary.json). */
static unsigned mark_drop_caches(const char *run_dir, FILE *bf)
{
	char err[512];
	json_t *root, *st, *v;
	const char *key;
	unsigned marked = 0;

	root = rundir_load_json(run_dir, "summary.json", err, sizeof(err));
	st = json_object_get(root, "stressors");
	json_object_foreach(st, key, v) {
		json_t *starts = json_object_get(v, "start_ns"), *t;
		size_t i;
		if (!json_object_get(v, "writes"))
			continue;
		json_array_foreach(starts, i, t) {
			if (marked == 500) /* enough to see the rhythm */
				break;
			fprintf(bf, "set arrow from %.4f, graph 0 to %.4f, graph 1 nohead dt 2 lc rgb '#999999'\n",
				(double)json_integer_value(t) / 1e9, (double)json_integer_value(t) / 1e9);
			marked++;
		}
	}
	json_decref(root);
	return marked;
}

void plot_vmstat(struct plotter *p, const char *run_dir, const char *name, const char *title)
{
	struct series s[32];
	size_t n, drawn = 0;
	struct plot_script ps;

	n = read_vmstat(run_dir, s, ARRAY_SIZE(s));
	plot_begin(&ps);
	FILE *df = ps.df, *bf = ps.bf;
	mark_runs(run_dir, bf);
	unsigned drops = mark_drop_caches(run_dir, bf);
	fprintf(bf, "set xlabel 'seconds since the run directory began%s'\nset ylabel 'growth since the first sample'\n"
		    "set format y '%%.0s%%c'\nplot ", drops ? " (dashed: drop_caches writes)" : "");
	for (size_t i = 0; i < n; i++) {
		if (s[i].last != s[i].first) {
			fputs(s[i].points, df);
			fputs("\n\n", df);
			fprintf(bf, "%s'%s.dat' index %zu using 1:2 with lines lw 2 lc rgb '%s' title '%s'",
				drawn ? ", \\\n     " : "", name, drawn, plot_palette[drawn % plot_palette_n], s[i].name);
			drawn++;
		}
		free(s[i].points);
	}
	fputc('\n', bf);
	plot_end(p, &ps, name, title, drawn > 0);
}
