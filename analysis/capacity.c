/* The capacity model of a sweep: its points read, a least-squares line
 * per node, predictions and the sizes within the failure target. */
#include "config.h"
#include "capacity.h"
#include "log.h"
#include "rundir.h"
#include "stats.h"
#include "util.h"
#include "units.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void push(struct capacity_values *g, double v)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->v = xrealloc(g->v, g->cap * sizeof(*g->v));
	}
	g->v[g->n++] = v;
}

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
double capacity_pins_to_show(double target, double alpha)
{
	double z = gsl_cdf_ugaussian_Qinv(alpha / 2);
	return ceil(z * z * (1 - target) / target);
}

static struct node_cap *node_of(struct capacity *c, int node)
{
	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i].node == node)
			return &c->nodes[i];
	if (c->nnodes == CAPACITY_MAX_NODES)
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
	struct point_node pn[CAPACITY_MAX_NODES];
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
void capacity_predict(const struct node_cap *nc, double x, double alpha, double *y, double *lo, double *hi)
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

void capacity_free(struct capacity *c)
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

double capacity_median(struct capacity_values *g)
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
double capacity_largest_safe_size(const struct node_cap *nc, double target, double alpha)
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

/* A guest of size G split evenly over the nodes, pinned per node in
 * parallel: the slowest node's predicted time. */
void capacity_plan_row(const struct capacity *c, uint64_t guest, double *y, double *lo, double *hi, double *beyond)
{
	double share = (double)guest / (double)c->nnodes;

	*y = *lo = *hi = NAN;
	*beyond = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node_cap *nc = &c->nodes[i];
		double py, plo, phi;
		if (!nc->fitted)
			continue;
		capacity_predict(nc, share, c->alpha, &py, &plo, &phi);
		if (isnan(*y) || py > *y) {
			*y = py;
			*lo = plo;
			*hi = phi;
		}
		*beyond = fmax(*beyond, share / nc->xmax);
	}
}

/* What the host could not do at all, or NULL. */
const char *capacity_plan_exceeds(const struct capacity *c, uint64_t guest)
{
	if (c->host_bytes && guest > c->host_bytes)
		return "larger than the host's memory";
	if (c->movable_bytes && guest > c->movable_bytes)
		return "larger than the movable memory the sweep had";
	return NULL;
}

int capacity_load(struct capacity *c, const char *dir, double alpha)
{
	memset(c, 0, sizeof(*c));
	c->alpha = alpha;
	return load_sweep(c, dir);
}

