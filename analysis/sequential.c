#include "config.h"
#include "sequential.h"
#include "dataset.h"
#include "hypothesis.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sequential_open(struct sequential *s, const char *baseline, unsigned warmup, unsigned max_runs, double alpha,
		    char *err, size_t errlen)
{
	struct load_options o = { .warmup_given = true, .warmup = warmup };
	struct dataset d;

	memset(s, 0, sizeof(*s));
	if (dataset_load(baseline, &o, &d, err, errlen))
		return -1;
	const struct metric *m = dataset_metric(&d, "pin_latency");
	if (!d.run_json || !m || m->nruns < 2) {
		snprintf(err, errlen, "%s: a baseline for runs = auto needs two runs or more with successful pins "
			 "(it has %zu)", baseline, m ? m->nruns : 0);
		dataset_free(&d);
		return -1;
	}
	s->path = xstrdup(baseline);
	s->base = xmalloc(m->nruns * sizeof(*s->base));
	memcpy(s->base, m->runs, m->nruns * sizeof(*s->base));
	s->nbase = m->nruns;
	s->run_json = json_incref(d.run_json);
	s->alpha = alpha;
	s->max_runs = max_runs;
	s->alpha_per_look = alpha / (double)(max_runs > 1 ? max_runs - 1 : 1);
	dataset_free(&d);
	return 0;
}

void sequential_close(struct sequential *s)
{
	free(s->path);
	free(s->base);
	json_decref(s->run_json);
	memset(s, 0, sizeof(*s));
}

unsigned sequential_min_runs(const struct sequential *s)
{
	for (unsigned n = 2; n <= s->max_runs; n++)
		if (mann_whitney_min_p(s->nbase, n) <= s->alpha_per_look)
			return n;
	return 0;
}

enum sequential_verdict sequential_look(const struct sequential *s, const double *runs, size_t n, double *p)
{
	double *y = xmalloc((n + 1) * sizeof(*y));
	struct mann_whitney mw;

	memcpy(y, runs, n * sizeof(*y));
	sort_doubles(y, n);
	mann_whitney(s->base, s->nbase, y, n, &mw);
	free(y);
	*p = mw.p;
	if (!(mw.p <= s->alpha_per_look) || mw.cliffs_delta == 0)
		return SEQ_GO_ON;
	return mw.cliffs_delta > 0 ? SEQ_REGRESSED : SEQ_IMPROVED; /* latency: larger is worse */
}

const char *sequential_verdict_name(enum sequential_verdict v)
{
	return v == SEQ_REGRESSED ? "regressed" : v == SEQ_IMPROVED ? "improved" : "undecided";
}
