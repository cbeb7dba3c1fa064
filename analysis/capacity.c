#include "config.h"
#include "capacity.h"
#include "log.h"
#include "rundir.h"
#include "stats.h"
#include "table.h"
#include "util.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_NODES = 64, MAX_PLAN = CAPACITY_MAX_PLAN };

struct growable {
	double *v;
	size_t n, cap;
};

static void push(struct growable *g, double v)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->v = xrealloc(g->v, g->cap * sizeof(*g->v));
	}
	g->v[g->n++] = v;
}

/* One sweep point on one node. */
struct point_node {
	double size;             /* bytes asked per iteration (successful or not) */
	uint64_t pins, failures;
};

struct node_cap {
	int node;
	struct growable x, y;    /* per iteration where every pin succeeded: bytes, seconds */
	struct growable gbps_mig, gbps_plain; /* per pin: had to migrate, or not */
	struct point_node *pts;  /* one per complete sweep point */
	size_t npts;
	/* the fit: seconds = c0 + c1 * bytes */
	bool fitted;
	double c0, c1, cov00, cov01, cov11, sumsq, r2, xmax;
};

struct capacity {
	struct node_cap nodes[MAX_NODES];
	size_t nnodes, points, complete;
	double max_failure_rate, alpha;
	uint64_t plan[MAX_PLAN];
	size_t nplan;
	char first_run[4400];
	uint64_t host_bytes, movable_bytes; /* of the first point's host (0: unknown) */
};

bool capacity_is_sweep(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, SWEEP_JSON);
	return access(path, R_OK) == 0;
}

/* The memory of the host the sweep ran on: a plan beyond it is no plan. */
static void host_limits(struct capacity *c)
{
	char err[512];
	json_t *run = rundir_load_json(c->first_run, "run.json", err, sizeof(err));
	json_int_t total = json_integer_value(json_object_get(json_object_get(run, "meminfo"), "MemTotal"));
	json_int_t movable = json_integer_value(
		json_object_get(json_object_get(json_object_get(run, "memory"), "memory_blocks"), "movable_bytes"));
	c->host_bytes = total > 0 ? (uint64_t)total * 1024 : 0;
	c->movable_bytes = movable > 0 ? (uint64_t)movable : 0;
	json_decref(run);
}

/* Zero failures in n pins bound the rate only to the Wilson upper bound:
 * a size is within the target when that bound is. */
static double rate_upper(const struct point_node *pn, double alpha)
{
	double lo, hi;

	wilson_ci(pn->failures, pn->pins, alpha, &lo, &hi);
	return hi;
}

/* Pins without a failure that would bound the rate by target. */
static double pins_to_show(double target, double alpha)
{
	double z = gsl_cdf_ugaussian_Qinv(alpha / 2);
	return ceil(z * z * (1 - target) / target);
}

static struct node_cap *node_of(struct capacity *c, int node)
{
	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i].node == node)
			return &c->nodes[i];
	if (c->nnodes == MAX_NODES)
		return NULL;
	memset(&c->nodes[c->nnodes], 0, sizeof(c->nodes[0]));
	c->nodes[c->nnodes].node = node;
	return &c->nodes[c->nnodes++];
}

/* One iteration of one job on one node, being summed. */
struct group {
	unsigned run, iteration;
	char job[64];
	int node;
	double bytes, seconds;
	bool failed;
};

static void close_group(struct capacity *c, struct group *g, struct point_node *pn)
{
	struct node_cap *nc = g->bytes ? node_of(c, g->node) : NULL;

	if (!nc)
		return;
	if (!g->failed) {
		push(&nc->x, g->bytes);
		push(&nc->y, g->seconds);
	}
	if (g->bytes > pn[nc - c->nodes].size)
		pn[nc - c->nodes].size = g->bytes;
}

struct point_ctx {
	struct capacity *c;
	struct point_node pn[MAX_NODES];
	struct group g;
};

/* One row of samples.csv: summed into its iteration's group. */
static int point_row(const struct rundir_sample *s, unsigned line, void *ctx)
{
	struct point_ctx *p = ctx;
	struct group *g = &p->g;
	double bytes = (double)s->bytes, ns = (double)s->pin_ns;

	(void)line;
	if (s->run != g->run || s->iteration != g->iteration || s->node != g->node || strcmp(s->job, g->job)) {
		close_group(p->c, g, p->pn);
		*g = (struct group){ .run = s->run, .iteration = s->iteration, .node = s->node };
		snprintf(g->job, sizeof(g->job), "%s", s->job);
	}
	struct node_cap *nc = node_of(p->c, s->node);
	if (!nc)
		return 0;
	g->bytes += bytes;
	g->seconds += ns / 1e9;
	g->failed |= s->err != 0;
	p->pn[nc - p->c->nodes].pins++;
	p->pn[nc - p->c->nodes].failures += s->err != 0;
	/* migrated: traced, else judged by what lay in the movable zone */
	if (!s->err && ns > 0)
		push(s->migrate_succeeded > 0 || (s->migrate_succeeded < 0 && s->movable_before > 0) ? &nc->gbps_mig
												   : &nc->gbps_plain,
		     bytes / ns);
	return 0;
}

static int read_point(struct capacity *c, const char *run_dir)
{
	struct point_ctx *p = xcalloc(1, sizeof(*p));
	char err[1024];

	p->c = c;
	p->g.node = -1;
	if (rundir_read_samples(run_dir, point_row, p, err, sizeof(err))) {
		pb_err("%s", err);
		free(p);
		return -1;
	}
	close_group(c, &p->g, p->pn);
	for (size_t i = 0; i < c->nnodes; i++) {
		struct node_cap *nc = &c->nodes[i];
		nc->pts = xrealloc(nc->pts, (nc->npts + 1) * sizeof(*nc->pts));
		nc->pts[nc->npts++] = p->pn[i];
	}
	free(p);
	return 0;
}

static void fit(struct node_cap *nc)
{
	size_t n = nc->x.n;

	nc->fitted = false;
	if (n < 3)
		return;
	nc->xmax = gsl_stats_max(nc->x.v, 1, n);
	if (gsl_stats_min(nc->x.v, 1, n) == nc->xmax) /* one size: no slope to fit */
		return;
	gsl_fit_linear(nc->x.v, 1, nc->y.v, 1, n, &nc->c0, &nc->c1, &nc->cov00, &nc->cov01, &nc->cov11, &nc->sumsq);
	double tss = gsl_stats_tss(nc->y.v, 1, n);
	nc->r2 = tss > 0 ? 1 - nc->sumsq / tss : NAN;
	nc->fitted = true;
}

/* Prediction at x bytes: seconds and the prediction interval (a new
 * observation, not the mean) at 1 - alpha. */
static void predict(const struct node_cap *nc, double x, double alpha, double *y, double *lo, double *hi)
{
	double yerr, df = (double)nc->x.n - 2;

	gsl_fit_linear_est(x, nc->c0, nc->c1, nc->cov00, nc->cov01, nc->cov11, y, &yerr);
	double half = gsl_cdf_tdist_Pinv(1 - alpha / 2, df) * sqrt(nc->sumsq / df + yerr * yerr);
	*lo = *y - half;
	*hi = *y + half;
}

int capacity_parse_rate(const char *s, double *rate, char *why, size_t len)
{
	char *end;
	double v = strtod(s, &end);

	if (end != s && !strcmp(end, "%"))
		v /= 100;
	else if (end == s || *end)
		v = NAN;
	if (!(v >= 0 && v <= 1)) {
		snprintf(why, len, "'%s' is not a rate between 0%% and 100%% (e.g. 1%%)", s);
		return -1;
	}
	*rate = v;
	return 0;
}

int capacity_parse_plan(const char *s, uint64_t *plan, size_t *n, char *why, size_t len)
{
	char *copy = xstrdup(s), *save, reason[128];
	int ret = 0;

	*n = 0;
	for (char *v = strtok_r(copy, ", ", &save); v && !ret; v = strtok_r(NULL, ", ", &save)) {
		if (*n == CAPACITY_MAX_PLAN) {
			snprintf(why, len, "has more than %d sizes", CAPACITY_MAX_PLAN);
			ret = -1;
		} else if (parse_size(v, &plan[*n], reason, sizeof(reason))) {
			snprintf(why, len, "%s", reason);
			ret = -1;
		} else if (!plan[*n]) {
			snprintf(why, len, "a guest size of 0");
			ret = -1;
		} else {
			(*n)++;
		}
	}
	free(copy);
	return ret;
}

static int load_sweep(struct capacity *c, const char *dir)
{
	char path[4300], err[256];
	json_error_t je;
	json_t *sw, *pt;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, SWEEP_JSON);
	sw = json_load_file(path, 0, &je);
	if (!sw) {
		pb_err("%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if (capacity_parse_rate(json_string_value(json_object_get(sw, "max_failure_rate")) ?: "1%",
				&c->max_failure_rate, err, sizeof(err)) ||
	    capacity_parse_plan(json_string_value(json_object_get(sw, "plan")) ?: "", c->plan, &c->nplan, err,
				sizeof(err))) {
		pb_err("%s: %s", path, err);
		json_decref(sw);
		return -1;
	}
	json_array_foreach(json_object_get(sw, "points"), i, pt) {
		char run_dir[4400];
		snprintf(run_dir, sizeof(run_dir), "%s/%s", dir, json_string_value(json_object_get(pt, "dir")));
		c->points++;
		if (!rundir_complete(run_dir))
			continue;
		if (read_point(c, run_dir)) {
			json_decref(sw);
			return -1;
		}
		if (!c->complete++)
			snprintf(c->first_run, sizeof(c->first_run), "%s", run_dir);
	}
	json_decref(sw);
	if (!c->complete) {
		pb_err("%s: no complete sweep point to analyse", dir);
		return -1;
	}
	host_limits(c);
	for (size_t n = 0; n < c->nnodes; n++)
		fit(&c->nodes[n]);
	return 0;
}

static void capacity_free(struct capacity *c)
{
	for (size_t i = 0; i < c->nnodes; i++) {
		struct node_cap *nc = &c->nodes[i];
		free(nc->x.v);
		free(nc->y.v);
		free(nc->gbps_mig.v);
		free(nc->gbps_plain.v);
		free(nc->pts);
	}
}

static double median_of(struct growable *g)
{
	if (!g->n)
		return NAN;
	sort_doubles(g->v, g->n);
	return gsl_stats_median_from_sorted_data(g->v, 1, g->n);
}

/* The largest size whose failure rate is shown to be at most the target
 * (its Wilson upper bound is), no smaller size having been seen over it;
 * 0 when none is. Fewer pins at a small size leave it unshown without
 * hiding a larger size that had enough. */
static double largest_safe_size(const struct node_cap *nc, double target, double alpha)
{
	double best = 0, done = 0;

	for (size_t pass = 0; pass < nc->npts; pass++) {
		/* sizes in increasing order, by selection: the points are few */
		double next = INFINITY;
		const struct point_node *pick = NULL;
		for (size_t i = 0; i < nc->npts; i++)
			if (nc->pts[i].size > done && nc->pts[i].size < next && nc->pts[i].pins) {
				next = nc->pts[i].size;
				pick = &nc->pts[i];
			}
		if (!pick || (double)pick->failures / (double)pick->pins > target)
			break;
		done = pick->size;
		if (rate_upper(pick, alpha) <= target)
			best = pick->size;
	}
	return best;
}

static struct table *fit_table(const struct capacity *c)
{
	static const char *const head[] = { "node", "iterations", "fixed (s)", "per GiB (s)", "R^2", "residual sd (s)",
					    "measured up to" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char buf[32];

	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node_cap *nc = &c->nodes[i];
		table_row(t);
		table_cell(t, "%d", nc->node);
		table_cell(t, "%zu", nc->x.n);
		if (!nc->fitted) {
			table_cell(t, "no fit: the sweep needs two sizes or more");
			continue;
		}
		table_cell(t, "%.4f", nc->c0);
		table_cell(t, "%.4f", nc->c1 * (double)GIB);
		table_cell(t, "%.4f", nc->r2);
		table_cell(t, "%.4f", sqrt(nc->sumsq / ((double)nc->x.n - 2)));
		format_size((uint64_t)nc->xmax, buf, sizeof(buf));
		table_cell(t, "%s", buf);
	}
	return t;
}

static struct table *throughput_table(struct capacity *c)
{
	static const char *const head[] = { "node", "GB/s with migration", "pins", "GB/s without migration", "pins" };
	struct table *t = table_new(head, ARRAY_SIZE(head));

	for (size_t i = 0; i < c->nnodes; i++) {
		struct node_cap *nc = &c->nodes[i];
		table_row(t);
		table_cell(t, "%d", nc->node);
		double mig = median_of(&nc->gbps_mig), plain = median_of(&nc->gbps_plain);
		table_cell(t, isnan(mig) ? "-" : "%.3f", mig);
		table_cell(t, "%zu", nc->gbps_mig.n);
		table_cell(t, isnan(plain) ? "-" : "%.3f", plain);
		table_cell(t, "%zu", nc->gbps_plain.n);
	}
	return t;
}

static struct table *failure_table(const struct capacity *c)
{
	static const char *const head[] = { "size per node", "node", "pins", "failures", "rate [Wilson CI]",
					    "within target (upper bound)" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char buf[32];

	for (size_t i = 0; i < c->nnodes; i++)
		for (size_t p = 0; p < c->nodes[i].npts; p++) {
			const struct point_node *pn = &c->nodes[i].pts[p];
			double lo, hi, rate = pn->pins ? (double)pn->failures / (double)pn->pins : NAN;
			wilson_ci(pn->failures, pn->pins, c->alpha, &lo, &hi);
			table_row(t);
			format_size((uint64_t)pn->size, buf, sizeof(buf));
			table_cell(t, "%s", buf);
			table_cell(t, "%d", c->nodes[i].node);
			table_cell(t, "%lu", (unsigned long)pn->pins);
			table_cell(t, "%lu", (unsigned long)pn->failures);
			table_cell(t, "%.3g%% [%.3g%%, %.3g%%]", 100 * rate, 100 * lo, 100 * hi);
			bool shown = hi <= c->max_failure_rate, over = rate > c->max_failure_rate;
			table_cell(t, "%s", shown ? "yes" : over ? "NO" : "not shown: too few pins");
			table_colour(t, shown ? COLOUR_GOOD : over ? COLOUR_BAD : COLOUR_NOTE);
		}
	return t;
}

/* A guest of size G split evenly over the nodes, pinned per node in
 * parallel: the slowest node's predicted time. */
static void plan_row(const struct capacity *c, uint64_t guest, double *y, double *lo, double *hi, double *beyond)
{
	double share = (double)guest / (double)c->nnodes;

	*y = *lo = *hi = NAN;
	*beyond = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node_cap *nc = &c->nodes[i];
		double py, plo, phi;
		if (!nc->fitted)
			continue;
		predict(nc, share, c->alpha, &py, &plo, &phi);
		if (isnan(*y) || py > *y) {
			*y = py;
			*lo = plo;
			*hi = phi;
		}
		*beyond = fmax(*beyond, share / nc->xmax);
	}
}

/* What the host could not do at all, or NULL. */
static const char *plan_exceeds(const struct capacity *c, uint64_t guest)
{
	if (c->host_bytes && guest > c->host_bytes)
		return "larger than the host's memory";
	if (c->movable_bytes && guest > c->movable_bytes)
		return "larger than the movable memory the sweep had";
	return NULL;
}

static void plan_note(const struct capacity *c, uint64_t guest, double beyond, char *buf, size_t len)
{
	const char *exceeds = plan_exceeds(c, guest);
	char size[32];
	size_t o = 0;

	buf[0] = '\0';
	if (exceeds) {
		format_size(guest > c->host_bytes && c->host_bytes ? c->host_bytes : c->movable_bytes, size,
			    sizeof(size));
		appendf(buf, len, &o, "%s (%s); ", exceeds, size);
	}
	if (beyond > 1)
		appendf(buf, len, &o, "extrapolated %.0fx beyond the largest size measured: assumes the line holds",
			beyond);
	else
		appendf(buf, len, &o, "within the measured range");
}

static struct table *plan_table(const struct capacity *c)
{
	static const char *const head[] = { "guest", "per node", "time to pin [prediction interval]", "note" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char g[32], s[32];

	for (size_t i = 0; i < c->nplan; i++) {
		double y, lo, hi, beyond;
		plan_row(c, c->plan[i], &y, &lo, &hi, &beyond);
		table_row(t);
		format_size(c->plan[i], g, sizeof(g));
		format_size(c->plan[i] / c->nnodes, s, sizeof(s));
		table_cell(t, "%s", g);
		table_cell(t, "%s x %zu", s, c->nnodes);
		if (isnan(y))
			table_cell(t, "-");
		else
			table_cell(t, "%.2f s [%.2f, %.2f]", y, fmax(lo, 0), hi);
		char note[160];
		plan_note(c, c->plan[i], beyond, note, sizeof(note));
		table_cell(t, "%s", note);
		if (beyond > 1 || plan_exceeds(c, c->plan[i]))
			table_colour(t, plan_exceeds(c, c->plan[i]) ? COLOUR_BAD : COLOUR_NOTE);
	}
	return t;
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *capacity_json(struct capacity *c)
{
	json_t *nodes = json_array(), *plan = json_array();

	for (size_t i = 0; i < c->nnodes; i++) {
		struct node_cap *nc = &c->nodes[i];
		json_t *pts = json_array();
		for (size_t p = 0; p < nc->npts; p++)
			json_array_append_new(pts, json_pack("{s:f, s:I, s:I}", "size_bytes", nc->pts[p].size, "pins",
							     (json_int_t)nc->pts[p].pins, "failures",
							     (json_int_t)nc->pts[p].failures));
		double safe = largest_safe_size(nc, c->max_failure_rate, c->alpha);
		json_t *o = json_pack("{s:i, s:I, s:o, s:o, s:o, s:f, s:I, s:I, s:o}", "node", nc->node, "iterations",
				      (json_int_t)nc->x.n, "gbps_with_migration", num(median_of(&nc->gbps_mig)),
				      "gbps_without_migration", num(median_of(&nc->gbps_plain)), "largest_size_within_target",
				      safe > 0 ? json_real(safe) : json_null(),
				      "max_size_measured", nc->xmax, "pins_with_migration", (json_int_t)nc->gbps_mig.n,
				      "pins_without_migration", (json_int_t)nc->gbps_plain.n, "points", pts);
		if (nc->fitted)
			/* A NaN (e.g. R² of points all alike) is null: json_pack
			 * refuses NaN, and the fit would vanish. */
			json_object_set_new(o, "fit", json_pack("{s:s, s:o, s:o, s:o, s:o}", "model",
				"seconds = intercept + slope * bytes", "intercept_s", num(nc->c0), "slope_s_per_gib",
				num(nc->c1 * (double)GIB), "r2", num(nc->r2), "residual_sd_s",
				num(sqrt(nc->sumsq / ((double)nc->x.n - 2)))));
		json_array_append_new(nodes, o);
	}
	for (size_t i = 0; i < c->nplan; i++) {
		double y, lo, hi, beyond;
		plan_row(c, c->plan[i], &y, &lo, &hi, &beyond);
		const char *exceeds = plan_exceeds(c, c->plan[i]);
		json_array_append_new(plan, json_pack("{s:I, s:o, s:[o, o], s:b, s:o}", "guest_bytes", (json_int_t)c->plan[i],
						      "seconds", num(y), "prediction_interval", num(lo), num(hi),
						      "extrapolated", beyond > 1,
						      "exceeds", exceeds ? json_string(exceeds) : json_null()));
	}
	return json_pack("{s:i, s:f, s:f, s:I, s:I, s:o, s:o}", "schema_version", 1, "alpha", c->alpha,
			 "max_failure_rate", c->max_failure_rate, "points", (json_int_t)c->points, "complete_points",
			 (json_int_t)c->complete, "nodes", nodes, "plan", plan);
}

static void safe_sizes_line(const struct capacity *c, char *buf, size_t len)
{
	size_t o = 0;
	char s[32];

	appendf(buf, len, &o, "Largest size per node whose failure rate is shown within %.3g%% (Wilson upper bound, "
		"%.3g%%):", 100 * c->max_failure_rate, 100 * (1 - c->alpha));
	for (size_t i = 0; i < c->nnodes; i++) {
		double best = largest_safe_size(&c->nodes[i], c->max_failure_rate, c->alpha);
		format_size((uint64_t)best, s, sizeof(s));
		appendf(buf, len, &o, "%s node %d %s", i ? ";" : "", c->nodes[i].node, best > 0 ? s : "none");
	}
	double z = gsl_cdf_ugaussian_Qinv(c->alpha / 2);
	appendf(buf, len, &o, ". A size without failures in n pins bounds the rate only by about %.2g/n: %.0f pins "
		"without a failure show %.3g%%.", z * z, pins_to_show(c->max_failure_rate, c->alpha),
		100 * c->max_failure_rate);
}

static void print_tables(FILE *f, struct capacity *c)
{
	struct table *t;
	char line[1024];

	fprintf(f, "\n%zu of %zu point(s) complete. Pin time per node = fixed + per GiB x size (least squares):\n",
		c->complete, c->points);
	table_print(t = fit_table(c), f, false, false);
	table_free(t);
	fprintf(f, "\nThroughput of one pin (median):\n");
	table_print(t = throughput_table(c), f, false, false);
	table_free(t);
	fprintf(f, "\nFailures:\n");
	table_print(t = failure_table(c), f, false, false);
	table_free(t);
	safe_sizes_line(c, line, sizeof(line));
	fprintf(f, "%s\n", line);
	if (c->nplan) {
		fprintf(f, "\nPlanned guests (split evenly over %zu node(s), pinned in parallel; %g%% prediction "
			   "intervals):\n", c->nnodes, 100 * (1 - c->alpha));
		table_print(t = plan_table(c), f, false, false);
		table_free(t);
	}
}

static int load(struct capacity *c, const char *dir, double alpha)
{
	memset(c, 0, sizeof(*c));
	c->alpha = alpha;
	return load_sweep(c, dir);
}

int capacity_analyse(const char *dir, double alpha)
{
	struct capacity *c = xcalloc(1, sizeof(*c));
	char path[4300];
	int ret = load(c, dir, alpha);

	if (!ret) {
		print_tables(stdout, c);
		json_t *j = capacity_json(c);
		snprintf(path, sizeof(path), "%s/%s", dir, CAPACITY_JSON);
		ret = write_json_atomic(path, j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		if (ret)
			pb_err("cannot write %s: %s", path, strerror(-ret));
		else
			printf("\n%s\n", path);
		json_decref(j);
	}
	capacity_free(c);
	free(c);
	return ret ? -1 : 0;
}

/* Measured iterations as points, each node's fit as a line inside its
 * prediction band. */
static void plot_fit(struct plotter *p, const struct capacity *c)
{
	size_t block = 0;
	struct plot_script ps;

	plot_begin(&ps);
	FILE *df = ps.df, *bf = ps.bf;

	fprintf(bf, "set xlabel 'pinned per node (GiB)'\nset ylabel 'time to pin (s)'\nset yrange [0:*]\nplot ");
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node_cap *nc = &c->nodes[i];
		const char *rgb = plot_palette[i % plot_palette_n];
		for (size_t k = 0; k < nc->x.n; k++)
			fprintf(df, "%.6g %.6g\n", nc->x.v[k] / (double)GIB, nc->y.v[k]);
		fputs("\n\n", df);
		fprintf(bf, "%s'capacity-fit.dat' index %zu using 1:2 with points pt 7 ps 0.8 lc rgb '%s' title 'node %d'",
			block ? ", \\\n     " : "", block, rgb, nc->node);
		block++;
		if (!nc->fitted)
			continue;
		for (int k = 0; k <= 50; k++) {
			double x = nc->xmax * 1.2 * k / 50, y, lo, hi;
			predict(nc, x, c->alpha, &y, &lo, &hi);
			fprintf(df, "%.6g %.6g %.6g %.6g\n", x / (double)GIB, y, lo, hi);
		}
		fputs("\n\n", df);
		fprintf(bf, ", \\\n     'capacity-fit.dat' index %zu using 1:3:4 with filledcurves fc rgb '%s' "
			    "fs transparent solid 0.15 noborder title 'node %d, %g%% prediction interval', \\\n"
			    "     'capacity-fit.dat' index %zu using 1:2 with lines lw 2 lc rgb '%s' title 'node %d fit'",
			block, rgb, nc->node, 100 * (1 - c->alpha), block, rgb, nc->node);
		block++;
	}
	fputc('\n', bf);
	plot_end(p, &ps, "capacity-fit", "Time to pin against size, per node", true);
}

static void capacity_body(struct doc *doc, struct capacity *c, const char *dir)
{
	char line[1024], path[4600];
	struct table *t;

	doc_heading(doc, 1, "Summary");
	safe_sizes_line(c, line, sizeof(line));
	doc_callout(doc, NULL, "%s", line);
	for (size_t i = 0; i < c->nplan; i++) {
		double y, lo, hi, beyond;
		char g[32];
		plan_row(c, c->plan[i], &y, &lo, &hi, &beyond);
		format_size(c->plan[i], g, sizeof(g));
		if (!isnan(y))
			doc_item(doc, "A %s guest pins in %.2f s [%.2f, %.2f]%s%s%s.", g, y, fmax(lo, 0), hi,
				 beyond > 1 ? " (extrapolated beyond the sizes measured)" : "",
				 plan_exceeds(c, c->plan[i]) ? ", but it is " : "",
				 plan_exceeds(c, c->plan[i]) ? plan_exceeds(c, c->plan[i]) : "");
	}
	doc_item(doc, "%zu of %zu sweep point(s) complete, in %s.", c->complete, c->points, dir);
	if (doc->plots->note[0])
		doc_callout(doc, "note", "%s", doc->plots->note);
	doc_heading(doc, 1, "Pin time against size");
	doc_plot(doc, "capacity-fit");
	doc_table(doc, t = fit_table(c));
	table_free(t);
	doc_heading(doc, 1, "Planned guests");
	doc_para(doc, "Split evenly over %zu node(s) and pinned in parallel; %g%% prediction intervals.", c->nnodes,
		 100 * (1 - c->alpha));
	doc_table(doc, t = plan_table(c));
	table_free(t);
	doc_heading(doc, 1, "Throughput and failures");
	doc_table(doc, t = throughput_table(c));
	table_free(t);
	doc_table(doc, t = failure_table(c));
	table_free(t);
	doc_heading(doc, 1, "Environment (first point)");
	char err[512];
	json_t *run = rundir_load_json(c->first_run, "run.json", err, sizeof(err));
	document_environment(doc, run);
	json_decref(run);
	snprintf(path, sizeof(path), "%s/scenario.ini", dir);
	char *sweep = read_file(path, NULL);
	if (sweep) {
		doc_heading(doc, 2, "The sweep");
		doc_pre(doc, sweep);
	}
	free(sweep);
}

int capacity_document(const struct doc_options *o, const char *dir)
{
	struct capacity *c = xcalloc(1, sizeof(*c));
	struct doc doc;
	struct plotter p;
	char rel[256], title[300];
	int ret = load(c, dir, o->alpha);

	if (!ret && !(ret = document_open(o, &doc, &p, rel, sizeof(rel)))) {
		plot_fit(&p, c);
		const char *slash = strrchr(dir, '/');
		snprintf(title, sizeof(title), "pinbench capacity: %s", slash && slash[1] ? slash + 1 : dir);
		doc_begin(&doc, title);
		capacity_body(&doc, c, dir);
		ret = document_close(o, &doc, &p);
	}
	capacity_free(c);
	free(c);
	return ret;
}
