/* The views of a capacity sweep: tables, the terminal text and
 * capacity.json that `pinbench capacity` writes, and the document of
 * `pinbench report SWEEP --html|--markdown`. */
#include "config.h"
#include "capacity_view.h"
#include "log.h"
#include "rundir.h"
#include "stats.h"
#include "util.h"
#include "units.h"
#include "files.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		double mig = capacity_median(&nc->gbps_mig), plain = capacity_median(&nc->gbps_plain);
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

static void plan_note(const struct capacity *c, uint64_t guest, double beyond, char *buf, size_t len)
{
	const char *exceeds = capacity_plan_exceeds(c, guest);
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
		capacity_plan_row(c, c->plan[i], &y, &lo, &hi, &beyond);
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
		if (beyond > 1 || capacity_plan_exceeds(c, c->plan[i]))
			table_colour(t, capacity_plan_exceeds(c, c->plan[i]) ? COLOUR_BAD : COLOUR_NOTE);
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
		double safe = capacity_largest_safe_size(nc, c->max_failure_rate, c->alpha);
		json_t *o = json_pack("{s:i, s:I, s:o, s:o, s:o, s:f, s:I, s:I, s:o}", "node", nc->node, "iterations",
				      (json_int_t)nc->x.n, "gbps_with_migration", num(capacity_median(&nc->gbps_mig)),
				      "gbps_without_migration", num(capacity_median(&nc->gbps_plain)), "largest_size_within_target",
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
		capacity_plan_row(c, c->plan[i], &y, &lo, &hi, &beyond);
		const char *exceeds = capacity_plan_exceeds(c, c->plan[i]);
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
		double best = capacity_largest_safe_size(&c->nodes[i], c->max_failure_rate, c->alpha);
		format_size((uint64_t)best, s, sizeof(s));
		appendf(buf, len, &o, "%s node %d %s", i ? ";" : "", c->nodes[i].node, best > 0 ? s : "none");
	}
	double z = gsl_cdf_ugaussian_Qinv(c->alpha / 2);
	appendf(buf, len, &o, ". A size without failures in n pins bounds the rate only by about %.2g/n: %.0f pins "
		"without a failure show %.3g%%.", z * z, capacity_pins_to_show(c->max_failure_rate, c->alpha),
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

int capacity_analyse(const char *dir, double alpha)
{
	struct capacity *c = xcalloc(1, sizeof(*c));
	char path[4300];
	int ret = capacity_load(c, dir, alpha);

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
			capacity_predict(nc, x, c->alpha, &y, &lo, &hi);
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
		capacity_plan_row(c, c->plan[i], &y, &lo, &hi, &beyond);
		format_size(c->plan[i], g, sizeof(g));
		if (!isnan(y))
			doc_item(doc, "A %s guest pins in %.2f s [%.2f, %.2f]%s%s%s.", g, y, fmax(lo, 0), hi,
				 beyond > 1 ? " (extrapolated beyond the sizes measured)" : "",
				 capacity_plan_exceeds(c, c->plan[i]) ? ", but it is " : "",
				 capacity_plan_exceeds(c, c->plan[i]) ? capacity_plan_exceeds(c, c->plan[i]) : "");
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
	int ret = capacity_load(c, dir, o->alpha);

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
