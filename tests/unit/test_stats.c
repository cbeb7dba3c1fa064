/* Statistics against reference values from SciPy (fixtures/stats.json,
 * made by fixtures/make-stats-fixtures), and pairwise-difference selection
 * against sorting every difference. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effect.h"
#include "hypothesis.h"
#include "shift.h"
#include "stats.h"
#include "util.h"

static json_t *fixtures;

/* Equal within a relative 1e-7 (an absolute 1e-12 near zero); JSON null
 * stands for NAN. A value the fixture lacks is a failure, not a 0. */
static void assert_close(double got, json_t *want, const char *what, const char *name)
{
	if (!json_is_number(want) && !json_is_null(want))
		fail_msg("%s %s: the fixture has no number for it", name, what);
	if (json_is_null(want)) {
		if (!isnan(got))
			fail_msg("%s %s: got %.17g, want NaN", name, what, got);
		return;
	}
	double w = json_number_value(want);
	if (!(fabs(got - w) <= 1e-7 * fabs(w) + 1e-12))
		fail_msg("%s %s: got %.17g, want %.17g", name, what, got, w);
}

/* A sorted copy of a JSON array of numbers. */
static double *sorted(json_t *a, size_t *n)
{
	*n = json_array_size(a);
	double *v = malloc((*n + 1) * sizeof(*v));
	for (size_t i = 0; i < *n; i++)
		v[i] = json_number_value(json_array_get(a, i));
	sort_doubles(v, *n);
	return v;
}

/* The cases of a fixture section. A section missing or empty fails the
 * test: a loop over nothing would pass without checking anything. */
static json_t *section(const char *name)
{
	json_t *a = json_object_get(fixtures, name);

	if (!json_is_array(a) || !json_array_size(a))
		fail_msg("fixtures/stats.json has no '%s' cases (fixtures/make-stats-fixtures writes them)", name);
	return a;
}

#define EACH_CASE(name, c)                                                                 \
	for (size_t i_ = 0, n_ = json_array_size(section(name)); i_ < n_; i_++)           \
		for (json_t *c = json_array_get(json_object_get(fixtures, name), i_); c; c = NULL)

static const char *case_name(json_t *c)
{
	json_t *n = json_object_get(c, "name");
	return n ? json_string_value(n) : "case";
}

static void mann_whitney_matches_scipy(void **state)
{
	(void)state;
	EACH_CASE("mann_whitney", c) {
		size_t n, m;
		double *x = sorted(json_object_get(c, "x"), &n), *y = sorted(json_object_get(c, "y"), &m);
		struct mann_whitney r;
		mann_whitney(x, n, y, m, &r);
		assert_close(r.u1, json_object_get(c, "u1"), "U1", case_name(c));
		assert_close(r.p, json_object_get(c, "p"), "p", case_name(c));
		assert_close(r.cliffs_delta, json_object_get(c, "cliffs_delta"), "Cliff's delta", case_name(c));
		assert_int_equal(r.exact, json_is_true(json_object_get(c, "exact")));
		free(x);
		free(y);
	}
}

static void welch_matches_scipy(void **state)
{
	(void)state;
	EACH_CASE("welch", c) {
		size_t n, m;
		double *x = sorted(json_object_get(c, "x"), &n), *y = sorted(json_object_get(c, "y"), &m);
		assert_close(welch_p(x, n, y, m), json_object_get(c, "p"), "p", case_name(c));
		free(x);
		free(y);
	}
}

static void hodges_lehmann_matches_brute_force(void **state)
{
	(void)state;
	EACH_CASE("hodges_lehmann", c) {
		size_t n, m;
		double *x = sorted(json_object_get(c, "x"), &n), *y = sorted(json_object_get(c, "y"), &m);
		struct hodges_lehmann r;
		hodges_lehmann(x, n, y, m, json_number_value(json_object_get(c, "alpha")),
			       json_is_true(json_object_get(c, "exact")), &r);
		assert_close(r.shift, json_object_get(c, "shift"), "shift", case_name(c));
		assert_close(r.lo, json_object_get(c, "lo"), "CI low", case_name(c));
		assert_close(r.hi, json_object_get(c, "hi"), "CI high", case_name(c));
		free(x);
		free(y);
	}
}

static void quantile_ci_matches_binomial(void **state)
{
	(void)state;
	EACH_CASE("quantile_ci", c) {
		size_t n;
		double *x = sorted(json_object_get(c, "x"), &n), lo, hi;
		char name[64];
		snprintf(name, sizeof(name), "n=%zu q=%g", n, json_number_value(json_object_get(c, "q")));
		quantile_ci(x, n, json_number_value(json_object_get(c, "q")),
			    json_number_value(json_object_get(c, "alpha")), &lo, &hi);
		assert_close(lo, json_object_get(c, "lo"), "low", name);
		assert_close(hi, json_object_get(c, "hi"), "high", name);
		free(x);
	}
}

static void fisher_matches_scipy(void **state)
{
	(void)state;
	EACH_CASE("fisher", c) {
		json_t *t = json_object_get(c, "table");
		uint64_t v[4];
		for (size_t i = 0; i < 4; i++)
			v[i] = (uint64_t)json_integer_value(json_array_get(t, i));
		char name[96];
		snprintf(name, sizeof(name), "[[%lu, %lu], [%lu, %lu]]", (unsigned long)v[0], (unsigned long)v[1],
			 (unsigned long)v[2], (unsigned long)v[3]);
		assert_close(fisher_exact_p(v[0], v[1], v[2], v[3]), json_object_get(c, "p"), "p", name);
	}
}

static void wilson_matches_scipy(void **state)
{
	(void)state;
	EACH_CASE("wilson", c) {
		double lo, hi;
		wilson_ci((uint64_t)json_integer_value(json_object_get(c, "k")),
			  (uint64_t)json_integer_value(json_object_get(c, "n")),
			  json_number_value(json_object_get(c, "alpha")), &lo, &hi);
		assert_close(lo, json_object_get(c, "lo"), "low", "wilson");
		assert_close(hi, json_object_get(c, "hi"), "high", "wilson");
	}
}

static void holm_matches_reference(void **state)
{
	(void)state;
	EACH_CASE("holm", c) {
		json_t *p = json_object_get(c, "p"), *adjusted = json_object_get(c, "adjusted");
		size_t n = json_array_size(p);
		double *in = malloc((n + 1) * sizeof(*in)), *out = malloc((n + 1) * sizeof(*out));
		assert_true(n > 0);
		assert_int_equal(json_array_size(adjusted), n);
		for (size_t i = 0; i < n; i++)
			in[i] = json_is_null(json_array_get(p, i)) ? NAN : json_number_value(json_array_get(p, i));
		holm_adjust(in, n, out);
		for (size_t i = 0; i < n; i++)
			assert_close(out[i], json_array_get(adjusted, i), "adjusted", "holm");
		free(in);
		free(out);
	}
}

/* Every order statistic checked against the sorted list of all n*m
 * differences, on samples large enough for the sampling rounds and with
 * heavy ties (where the pivots stall and the tie exits end the loop). */
/* A metric as dataset.c builds it, from a JSON array of runs. */
static void make_metric(json_t *runs, struct metric *m)
{
	size_t k = json_array_size(runs), n = 0;

	memset(m, 0, sizeof(*m));
	m->name = (char *)"pin_latency";
	m->unit = "ns";
	m->kind = METRIC_VALUES;
	m->start = calloc(k + 1, sizeof(*m->start));
	m->runs = calloc(k + 1, sizeof(*m->runs));
	for (size_t r = 0; r < k; r++)
		n += json_array_size(json_array_get(runs, r));
	m->grouped = calloc(n + 1, sizeof(*m->grouped));
	m->v = calloc(n + 1, sizeof(*m->v));
	for (size_t r = 0; r < k; r++) {
		size_t len;
		double *one = sorted(json_array_get(runs, r), &len);
		memcpy(m->grouped + m->start[r], one, len * sizeof(*one));
		m->start[r + 1] = m->start[r] + len;
		m->runs[m->nruns++] = statistic_of_sorted(one, len, STAT_MEDIAN);
		free(one);
	}
	memcpy(m->v, m->grouped, n * sizeof(*m->v));
	m->n = n;
	m->ngroups = k;
	sort_doubles(m->v, n);
	sort_doubles(m->runs, m->nruns);
}

static void free_metric(struct metric *m)
{
	free(m->start);
	free(m->runs);
	free(m->grouped);
	free(m->v);
}

/* Each run's statistic, then Mann-Whitney across runs and the
 * Hodges-Lehmann interval of the log ratio. */
static void per_run_test_matches_scipy(void **state)
{
	(void)state;
	size_t cases = 0;
	EACH_CASE("per_run", c) {
		struct metric b, m;
		struct effect e;
		const char *name = case_name(c);
		int stat = statistic_parse(json_string_value(json_object_get(c, "statistic")));
		assert_true(stat >= 0);
		make_metric(json_object_get(c, "base"), &b);
		make_metric(json_object_get(c, "cand"), &m);
		double *x = malloc((b.ngroups + b.nruns + 1) * sizeof(*x));
		size_t nx = metric_per_run(&b, (enum statistic)stat, x);
		assert_int_equal(nx, json_array_size(json_object_get(c, "x")));
		for (size_t i = 0; i < nx; i++)
			assert_close(x[i], json_array_get(json_object_get(c, "x"), i), "per-run value", name);
		effect_measure(&b, &m, (enum statistic)stat, 0.05, &e);
		assert_int_equal(e.unit, UNIT_RUNS);
		assert_close(e.p, json_object_get(c, "p"), "p", name);
		assert_close(e.change.lo, json_object_get(c, "lo"), "interval low", name);
		assert_close(e.change.hi, json_object_get(c, "hi"), "interval high", name);
		free(x);
		free_metric(&b);
		free_metric(&m);
		cases++;
	}
	assert_int_equal(cases, 4); /* a missing section must not pass */
}

/* The runs a side runs_for_change asks for reach the power in SciPy's
 * simulation of the Mann-Whitney test (4000 draws: within three of its
 * standard errors, as two simulations can differ), and are not far
 * above what that simulation needed. */
static void runs_for_change_reach_simulated_power(void **state)
{
	(void)state;
	size_t cases = 0;
	EACH_CASE("power", c) {
		double sigma = json_number_value(json_object_get(c, "sigma"));
		double change = json_number_value(json_object_get(c, "change"));
		double alpha = json_number_value(json_object_get(c, "alpha"));
		double power = json_number_value(json_object_get(c, "power"));
		json_t *sim = json_object_get(c, "simulated");
		size_t first = (size_t)json_integer_value(json_object_get(c, "first_n")), needed = 0;
		for (size_t i = 0; i < json_array_size(sim) && !needed; i++)
			if (json_number_value(json_array_get(sim, i)) >= power)
				needed = first + i;
		size_t n = runs_for_change(sigma, change, alpha, power);
		assert_true(needed > 0);
		double at_n = n >= first && n - first < json_array_size(sim) ?
			json_number_value(json_array_get(sim, n - first)) : 1;
		if (at_n < power - 3 * sqrt(power * (1 - power) / 4000) ||
		    n > (size_t)fmax(ceil(1.3 * (double)needed), (double)needed + 2))
			fail_msg("sigma %g change %g alpha %g: %zu runs a side, the simulation needed %zu", sigma,
				 change, alpha, n, needed);
		cases++;
	}
	assert_int_equal(cases, 4);
	assert_int_equal(runs_for_change(NAN, 0.05, 0.05, 0.8), 0);
	assert_int_equal(runs_for_change(0.1, 0, 0.05, 0.8), 0);
}

/* n per-run medians of one side, log-normal about 1 ms times (1 + shift):
 * a metric as the dataset builds it, through which effect_measure takes
 * the verdict's own path. */
static void plan_side(struct metric *m, double *runs, size_t n, double sd, double shift, unsigned *seed)
{
	for (size_t i = 0; i < n; i++) {
		double u = (rand_r(seed) + 1.0) / ((double)RAND_MAX + 2), v = (rand_r(seed) + 1.0) / ((double)RAND_MAX + 2);
		runs[i] = 1e6 * (1 + shift) * exp(sd * sqrt(-2 * log(u)) * cos(2 * M_PI * v));
	}
	sort_doubles(runs, n);
	*m = (struct metric){ .name = "pin_latency", .unit = "ns", .kind = METRIC_VALUES, .v = runs, .n = n,
			      .runs = runs, .nruns = n };
}

/* The share of 1000 comparisons of n runs a side, drawn with these
 * spreads and the candidate changed by change, that effect_measure finds
 * significant at alpha (a seed other than the plan's). */
static double verdict_power(size_t n, double sd_base, double sd_cand, double change, double alpha)
{
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
	unsigned seed = 12345;
	size_t rejected = 0;

	for (int t = 0; t < 1000; t++) {
		struct metric base, cand;
		struct effect e;
		plan_side(&base, x, n, sd_base, 0, &seed);
		plan_side(&cand, y, n, sd_cand, change, &seed);
		effect_measure(&base, &cand, STAT_MEDIAN, alpha, &e);
		assert_int_equal(e.unit, UNIT_RUNS);
		rejected += e.p <= alpha;
	}
	free(x);
	free(y);
	return rejected / 1000.0;
}

/* The runs --plan asks for, run through the verdict's own test on data of
 * those spreads, decide as promised: the planned power at the plan's n
 * (within three standard errors of 1000 tries), not already at n - 1;
 * a quiet candidate beside a noisy base needs fewer runs than two noisy
 * sides and more than two quiet ones. */
static void plan_runs_decide_as_promised(void **state)
{
	static const struct { double sd_base, sd_cand, change, alpha; } cases[] = {
		{ 0.21, 0.021, 0.2, 0.05 / 11 }, /* the kernels pair: 6.1's spread against 6.12's, Holm over 11 */
		{ 0.1, 0.1, 0.1, 0.05 },
		{ 0.05, 0.2, -0.15, 0.01 },
	};
	(void)state;
	double slack = 3 * sqrt(0.8 * 0.2 / 1000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = runs_for_change_sides(cases[i].sd_base, cases[i].sd_cand, cases[i].change, cases[i].alpha, 0.8);
		assert_true(n >= runs_to_reach(cases[i].alpha));
		double at_n = verdict_power(n, cases[i].sd_base, cases[i].sd_cand, cases[i].change, cases[i].alpha);
		if (at_n < 0.8 - slack)
			fail_msg("case %zu: %zu runs a side decide in %.3f of tries, not 0.8", i, n, at_n);
		if (n > runs_to_reach(cases[i].alpha)) {
			double below = verdict_power(n - 1, cases[i].sd_base, cases[i].sd_cand, cases[i].change,
						     cases[i].alpha);
			if (below >= 0.8 + slack)
				fail_msg("case %zu: %zu runs a side already decide in %.3f of tries", i, n - 1, below);
		}
	}
	size_t mixed = runs_for_change_sides(0.21, 0.021, 0.2, 0.05, 0.8);
	assert_true(mixed < runs_for_change(0.21, 0.2, 0.05, 0.8));
	assert_true(mixed > runs_for_change(0.021, 0.2, 0.05, 0.8));
	assert_int_equal(runs_for_change_sides(0.1, NAN, 0.1, 0.05, 0.8), 0);
}

static void check_select(const double *x, size_t n, const double *y, size_t m)
{
	uint64_t nm = (uint64_t)n * m;
	double *all = malloc(nm * sizeof(*all));

	for (size_t i = 0, k = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			all[k++] = y[j] - x[i];
	sort_doubles(all, nm); /* blocks sorted by GSL, then merged */
	for (uint64_t i = 1; i < nm; i++)
		if (all[i - 1] > all[i])
			fail_msg("sort_doubles: %.17g before %.17g at %lu", all[i - 1], all[i], (unsigned long)i);
	const uint64_t ranks[] = { 1, 2, nm / 1000, nm / 4, nm / 2, nm / 2 + 1, nm - 12345, nm - 1, nm };
	for (size_t r = 0; r < ARRAY_SIZE(ranks); r++) {
		double got = pairwise_diff_select(x, n, y, m, ranks[r]);
		if (got != all[ranks[r] - 1])
			fail_msg("rank %lu of %lu: got %.17g, want %.17g", (unsigned long)ranks[r],
				 (unsigned long)nm, got, all[ranks[r] - 1]);
	}
	/* the shift and both interval ends, selected together, are the same
	 * order statistics (k from the normal approximation at these sizes) */
	struct hodges_lehmann hl, ci;
	uint64_t k = (uint64_t)floor((double)nm / 2 -
				     gsl_cdf_ugaussian_Qinv(0.025) * sqrt((double)nm * (double)(n + m + 1) / 12));
	hodges_lehmann(x, n, y, m, 0.05, false, &hl);
	hodges_lehmann_interval(x, n, y, m, 0.05, false, &ci);
	assert_true(hl.shift == (all[(nm + 1) / 2 - 1] + all[nm / 2]) / 2);
	assert_true(hl.lo == all[k - 1] && hl.hi == all[nm - k]);
	assert_true(ci.lo == hl.lo && ci.hi == hl.hi && isnan(ci.shift));
	free(all);
}

static void fill_sorted(double *v, size_t n, double scale, double offset, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (double)(splitmix64(seed) >> 11) * 0x1p-53 * scale + offset;
	sort_doubles(v, n);
}

static void select_matches_sorting_all(void **state)
{
	size_t n = 2500, m = 1800;
	double *x = malloc(n * sizeof(*x)), *y = malloc(m * sizeof(*y));
	uint64_t seed = 42;

	(void)state;
	for (size_t i = 0; i < n; i++) /* continuous */
		x[i] = (double)(splitmix64(&seed) >> 11) * 0x1p-53 * 1000;
	for (size_t j = 0; j < m; j++)
		y[j] = (double)(splitmix64(&seed) >> 11) * 0x1p-53 * 1300 + 50;
	sort_doubles(x, n);
	sort_doubles(y, m);
	check_select(x, n, y, m);
	for (size_t i = 0; i < n; i++) /* three values: nearly all ties */
		x[i] = (double)(splitmix64(&seed) % 3);
	for (size_t j = 0; j < m; j++)
		y[j] = (double)(splitmix64(&seed) % 3);
	sort_doubles(x, n);
	sort_doubles(y, m);
	check_select(x, n, y, m);
	free(x);
	free(y);
	/* a few rows of many columns, and many rows of a few */
	const size_t shapes[][2] = { { 3, 900001 }, { 900001, 3 } };
	for (size_t s = 0; s < ARRAY_SIZE(shapes); s++) {
		x = malloc(shapes[s][0] * sizeof(*x));
		y = malloc(shapes[s][1] * sizeof(*y));
		fill_sorted(x, shapes[s][0], 1000, 0, &seed);
		fill_sorted(y, shapes[s][1], 1300, 50, &seed);
		check_select(x, shapes[s][0], y, shapes[s][1]);
		free(x);
		free(y);
	}
}

static void empty_and_single_samples(void **state)
{
	struct describe d;
	struct mann_whitney r;
	struct hodges_lehmann h;
	double one = 7, lo, hi;

	(void)state;
	describe(&one, 0, &d);
	assert_true(isnan(d.p50) && d.n == 0);
	describe(&one, 1, &d);
	assert_true(d.p50 == 7 && d.p999 == 7 && isnan(d.stddev));
	mann_whitney(&one, 0, &one, 1, &r);
	assert_true(isnan(r.p));
	hodges_lehmann(&one, 1, &one, 0, 0.05, true, &h);
	assert_true(isnan(h.shift));
	quantile_ci(&one, 1, 0.5, 0.05, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
	wilson_ci(0, 0, 0.05, &lo, &hi);
	assert_true(isnan(lo));
}

/* Issue 13, item 2: a value of 1e100 made Welch's df inf/inf and GSL's
 * default handler abort the process. t = -1 and df = 1 here: p = 0.5. */
static void welch_huge_values(void **state)
{
	double x[] = { 1e100, 1 }, y[10];

	(void)state;
	for (int i = 0; i < 10; i++)
		y[i] = i + 1;
	assert_true(fabs(welch_p(x, 2, y, 10) - 0.5) < 1e-9);
	double z[] = { 1e300, -1e300, 1e300 };
	double p = welch_p(z, 3, y, 10); /* the variance is inf: no test */
	assert_true(isnan(p) || (p >= 0 && p <= 1));
}

/* With stats_init, a GSL error is counted and the call returns. */
static void gsl_errors_do_not_abort(void **state)
{
	(void)state;
	stats_init();
	stats_gsl_errors();
	assert_true(isnan(gsl_cdf_binomial_P(1, 2.0, 10)));
	assert_int_equal(stats_gsl_errors(), 1);
	assert_int_equal(stats_gsl_errors(), 0);
}

static int load_fixtures(void **state)
{
	char path[4096];
	json_error_t e;
	const char *dir = getenv("SRCDIR");

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/stats.json", dir ? dir : ".");
	fixtures = json_load_file(path, JSON_ALLOW_NUL, &e);
	if (!fixtures)
		fprintf(stderr, "%s:%d: %s\n", path, e.line, e.text);
	return fixtures ? 0 : -1;
}

static int free_fixtures(void **state)
{
	(void)state;
	json_decref(fixtures);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mann_whitney_matches_scipy),
		cmocka_unit_test(welch_matches_scipy),
		cmocka_unit_test(hodges_lehmann_matches_brute_force),
		cmocka_unit_test(quantile_ci_matches_binomial),
		cmocka_unit_test(fisher_matches_scipy),
		cmocka_unit_test(wilson_matches_scipy),
		cmocka_unit_test(holm_matches_reference),
		cmocka_unit_test(per_run_test_matches_scipy),
		cmocka_unit_test(runs_for_change_reach_simulated_power),
		cmocka_unit_test(plan_runs_decide_as_promised),
		cmocka_unit_test(select_matches_sorting_all),
		cmocka_unit_test(empty_and_single_samples),
		cmocka_unit_test(welch_huge_values),
		cmocka_unit_test(gsl_errors_do_not_abort),
	};
	return cmocka_run_group_tests(tests, load_fixtures, free_fixtures);
}
