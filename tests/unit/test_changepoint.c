/* E-divisive change points on synthetic series with known steps, and the
 * incremental scan against the energy statistic computed directly. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "changepoint.h"
#include "util.h"

/* n values around 100 with uniform noise of +-noise %, times (1 + step)
 * from index at on (steps at up to two places). */
static double *series(size_t n, double noise, const size_t *at, const double *step, size_t nsteps, uint64_t seed)
{
	double *v = xmalloc(n * sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		double u = (double)(splitmix64(&seed) >> 11) / (double)(1ULL << 53);
		v[i] = 100 * (1 + noise / 100 * (2 * u - 1));
		for (size_t k = 0; k < nsteps; k++)
			if (i >= at[k])
				v[i] *= 1 + step[k];
	}
	return v;
}

/* The statistic of one split, straight from its definition. */
static double energy(const double *v, size_t n, size_t tau)
{
	double b = 0, wx = 0, wy = 0, m = (double)tau, k = (double)(n - tau);

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double d = fabs(v[i] - v[j]);
			if (j < tau)
				wx += d;
			else if (i >= tau)
				wy += d;
			else
				b += d;
		}
	return m * k / (m + k) * (2 * b / (m * k) - wx / (m * (m - 1) / 2) - wy / (k * (k - 1) / 2));
}

static void test_scan_matches_definition(void **state)
{
	(void)state;
	double *v = series(40, 20, NULL, NULL, 0, 7), q, best = -INFINITY;
	size_t want = 0;

	for (size_t tau = 3; tau + 3 <= 40; tau++)
		if (energy(v, 40, tau) > best) {
			best = energy(v, 40, tau);
			want = tau;
		}
	assert_int_equal(cp_best_split(v, 40, 3, &q), want);
	assert_true(fabs(q - best) <= 1e-9 * fabs(best));
	free(v);
}

static void test_one_step(void **state)
{
	(void)state;
	struct cp_params p;
	struct change_point *cp;
	size_t at = 13;
	double step = 0.12;
	double *v = series(30, 3, &at, &step, 1, 42);

	cp_defaults(&p);
	size_t n = cp_find(v, 30, &p, &cp);
	assert_int_equal(n, 1);
	assert_true(cp[0].index >= 12 && cp[0].index <= 14);
	assert_true(cp[0].p < 0.05);
	assert_true(fabs(cp[0].after / cp[0].before - 1.12) < 0.03);
	free(cp);
	free(v);
}

/* Pure noise: a split is found in about alpha of the series, no more. */
static void test_no_step(void **state)
{
	(void)state;
	struct cp_params p;
	struct change_point *cp;
	unsigned found = 0;

	cp_defaults(&p);
	for (uint64_t seed = 1; seed <= 200; seed++) {
		double *v = series(30, 3, NULL, NULL, 0, seed);
		found += cp_find(v, 30, &p, &cp) > 0;
		free(cp);
		free(v);
	}
	if (found > 20) /* 10 expected; 20 is beyond 3 standard deviations */
		fail_msg("%u of 200 noise series have a change point at alpha 0.05", found);
	print_message("noise series with a change point: %u of 200\n", found);
}

static void test_two_steps(void **state)
{
	(void)state;
	struct cp_params p;
	struct change_point *cp;
	size_t at[] = { 20, 40 };
	double step[] = { 0.15, -0.25 };
	double *v = series(60, 3, at, step, 2, 9);

	cp_defaults(&p);
	size_t n = cp_find(v, 60, &p, &cp);
	assert_int_equal(n, 2);
	assert_true(cp[0].index >= 19 && cp[0].index <= 21);
	assert_true(cp[1].index >= 39 && cp[1].index <= 41);
	assert_true(cp[1].after < cp[1].before);
	free(cp);
	free(v);
}

static void test_flat_and_short(void **state)
{
	(void)state;
	struct cp_params p;
	struct change_point *cp;
	double flat[12] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 }, q;

	cp_defaults(&p);
	assert_int_equal(cp_find(flat, 12, &p, &cp), 0);
	free(cp);
	assert_int_equal(cp_best_split(flat, 5, 3, &q), 5); /* too short for two sides of 3 */
	assert_int_equal(cp_find(flat, 0, &p, &cp), 0);
	free(cp);
}

/* The same series and seed give the same p; another seed, nearly so. */
/* An 8x step in n runs: found exactly when the least p a split of n can
 * get is below alpha (6 and 7 runs cannot, 8 can), and never with a p
 * below that least p. */
static void test_too_few_runs(void **state)
{
	struct cp_params p;
	double v[16];

	(void)state;
	cp_defaults(&p);
	assert_true(cp_smallest_p(5, &p) == 1);
	for (size_t n = 6; n <= 12; n++) {
		for (size_t i = 0; i < n; i++)
			v[i] = (i < n / 2 ? 10 : 80) + (double)i * 1e-3;
		struct change_point *cp;
		size_t found = cp_find(v, n, &p, &cp);
		double least = cp_smallest_p(n, &p);
		if ((found > 0) != (least < p.alpha))
			fail_msg("%zu runs: %zu change points with the least p %.3g", n, found, least);
		if (found && cp[0].p < least - 0.02)
			fail_msg("%zu runs: p %.3g below the least p %.3g", n, cp[0].p, least);
		free(cp);
	}
}

static void test_reproducible(void **state)
{
	(void)state;
	struct cp_params p;
	struct change_point *a, *b;
	size_t at = 15;
	double step = 0.05;
	double *v = series(30, 3, &at, &step, 1, 3);

	cp_defaults(&p);
	size_t na = cp_find(v, 30, &p, &a), nb = cp_find(v, 30, &p, &b);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].index, b[i].index);
		assert_true(a[i].p == b[i].p);
	}
	free(a);
	free(b);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_matches_definition), cmocka_unit_test(test_one_step),
		cmocka_unit_test(test_no_step), cmocka_unit_test(test_two_steps),
		cmocka_unit_test(test_flat_and_short), cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_too_few_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
