#include "config.h"
#include "util.h"
#include "hypothesis.h"
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

/* SciPy's rule for method='auto'. */
#define MWU_EXACT_MAX 8

double *mann_whitney_null_cdf(size_t n, size_t m)
{
	if (n > m) { /* the smaller sample sets the number of passes */
		size_t t = n;
		n = m;
		m = t;
	}
	size_t deg = n * m;
	double *c = xcalloc(deg + 1, sizeof(*c));

	/* [m+i choose i]_q = [m+i-1 choose i-1]_q * (1 - q^(m+i)) / (1 - q^i):
	 * each pass multiplies then divides; the coefficients stay counts. */
	c[0] = 1;
	for (size_t i = 1; i <= n; i++) {
		size_t top = i * m, shift = m + i;
		for (size_t k = top; k >= shift && k <= top; k--)
			c[k] -= c[k - shift];
		for (size_t k = i; k <= top; k++)
			c[k] += c[k - i];
	}
	double total = 0;
	for (size_t k = 0; k <= deg; k++)
		total += c[k];
	double run = 0;
	for (size_t k = 0; k <= deg; k++) {
		run += c[k] / total;
		c[k] = fmin(run, 1.0);
	}
	return c;
}

void mann_whitney(const double *x, size_t n, const double *y, size_t m, struct mann_whitney *r)
{
	double r1 = 0, tie_term = 0;
	bool ties = false;
	size_t i = 0, j = 0;

	r->u1 = r->p = r->cliffs_delta = NAN;
	r->exact = false;
	if (!n || !m)
		return;
	/* Merge the sorted samples one group of equal values at a time: each
	 * group shares the mean of the ranks it spans. */
	while (i < n || j < m) {
		double v = j >= m || (i < n && x[i] <= y[j]) ? x[i] : y[j];
		size_t cx = 0, cy = 0;
		while (i + cx < n && x[i + cx] == v)
			cx++;
		while (j + cy < m && y[j + cy] == v)
			cy++;
		double t = (double)(cx + cy);
		double mean_rank = (double)(i + j + 1) + (t - 1) / 2;
		r1 += (double)cx * mean_rank;
		tie_term += t * t * t - t;
		ties |= cx + cy > 1;
		i += cx;
		j += cy;
	}
	double nn = (double)n, mm = (double)m, N = nn + mm;
	r->u1 = r1 - nn * (nn + 1) / 2;
	r->cliffs_delta = (nn * mm - 2 * r->u1) / (nn * mm);
	double u = fmax(r->u1, nn * mm - r->u1);

	if ((n <= MWU_EXACT_MAX || m <= MWU_EXACT_MAX) && !ties) {
		/* P(U >= u) = P(U <= nm - u) by symmetry */
		double *cdf = mann_whitney_null_cdf(n, m);
		r->p = 2 * cdf[(size_t)(nn * mm - u)];
		free(cdf);
		r->exact = true;
	} else {
		double s = sqrt(nn * mm / 12 * ((N + 1) - tie_term / (N * (N - 1))));
		double z = (u - nn * mm / 2 - 0.5) / s;
		r->p = 2 * gsl_cdf_ugaussian_Q(z);
	}
	r->p = fmin(fmax(r->p, 0.0), 1.0);
}

double welch_p(const double *x, size_t n, const double *y, size_t m)
{
	if (n < 2 || m < 2)
		return NAN;
	double mx = gsl_stats_mean(x, 1, n), my = gsl_stats_mean(y, 1, m);
	double vx = gsl_stats_variance_m(x, 1, n, mx) / (double)n;
	double vy = gsl_stats_variance_m(y, 1, m, my) / (double)m;
	double se2 = vx + vy;
	if (se2 == 0) /* as SciPy: t is infinite, or 0/0 when the means agree */
		return mx == my ? NAN : 0.0;
	double t = (my - mx) / sqrt(se2);
	/* Welch-Satterthwaite on the variances scaled by the larger one:
	 * squaring 1e200 overflowed to inf/inf, a NaN df. */
	double s = fmax(vx, vy), a = vx / s, b = vy / s;
	double df = (a + b) * (a + b) / (a * a / (double)(n - 1) + b * b / (double)(m - 1));
	if (!isfinite(t) || !isfinite(df)) /* a variance beyond double's range */
		return NAN;
	stats_gsl_errors();
	double p = fmin(1.0, 2 * gsl_cdf_tdist_Q(fabs(t), df));
	return stats_gsl_errors() ? NAN : p;
}

double fisher_exact_p(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	/* Rows: the two samples; the first column: the events. Tables with
	 * the same margins differ in a alone. */
	unsigned row1 = (unsigned)(a + b), row2 = (unsigned)(c + d), col1 = (unsigned)(a + c);
	unsigned lo = col1 > row2 ? col1 - row2 : 0, hi = col1 < row1 ? col1 : row1;

	if (!row1 || !row2 || col1 == 0 || col1 == row1 + row2)
		return 1.0;
	/* SciPy's tolerance for tables exactly as likely as the observed one */
	double observed = gsl_ran_hypergeometric_pdf((unsigned)a, row1, row2, col1) * (1 + 1e-7);
	double p = 0;
	for (unsigned k = lo; k <= hi; k++) {
		double pk = gsl_ran_hypergeometric_pdf(k, row1, row2, col1);
		if (pk <= observed)
			p += pk;
	}
	return fmin(p, 1.0);
}

void holm_adjust(const double *p, size_t n, double *adjusted)
{
	size_t *order = xmalloc((n + 1) * sizeof(*order)), *where = xmalloc((n + 1) * sizeof(*where));
	double *valid = xcalloc(n + 1, sizeof(*valid)), *adj = xcalloc(n + 1, sizeof(*adj));
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		adjusted[i] = NAN;
		if (!isnan(p[i])) {
			where[m] = i;
			valid[m++] = p[i];
		}
	}
	/* Step down from the smallest p: multiply by the hypotheses left and
	 * never let an adjusted p fall below the one before it. */
	gsl_sort_index(order, valid, 1, m);
	double running = 0;
	for (size_t r = 0; r < m; r++) {
		running = fmax(running, fmin(1.0, (double)(m - r) * valid[order[r]]));
		adj[order[r]] = running;
	}
	for (size_t k = 0; k < m; k++)
		adjusted[where[k]] = adj[k];
	free(order);
	free(where);
	free(valid);
	free(adj);
}

double mann_whitney_min_p(size_t n, size_t m)
{
	double *x = xmalloc((n + m + 1) * sizeof(*x));
	struct mann_whitney mw;

	for (size_t i = 0; i < n + m; i++)
		x[i] = (double)i;
	mann_whitney(x, n, x + n, m, &mw);
	free(x);
	return mw.p;
}
