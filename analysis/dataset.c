#include "config.h"
#include "dataset_load.h"
#include "differences.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int dataset_load(const char *path, const struct load_options *o, struct dataset *d, char *err, size_t errlen)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path);
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int ret = S_ISDIR(st.st_mode) ? dataset_load_directory(path, d, o, err, errlen)
				      : dataset_load_numbers(path, d, o, err, errlen);
	if (ret)
		dataset_free(d);
	return ret;
}

void dataset_free(struct dataset *d)
{
	for (size_t i = 0; i < d->nm; i++) {
		free(d->m[i].name);
		free(d->m[i].v);
		free(d->m[i].runs);
		free(d->m[i].grouped);
		free(d->m[i].start);
	}
	free(d->m);
	for (size_t i = 0; i < d->ncounters; i++)
		free(d->counters[i]);
	free(d->counters);
	free(d->path);
	json_decref(d->run_json);
	free(d->first.first);
	free(d->first.later);
	for (size_t i = 0; i < d->nrun_ids; i++)
		free(d->run_ids[i]);
	free(d->run_ids);
	struct differences pooled = { d->pooled_differences, d->npooled_differences };
	differences_free(&pooled);
	for (size_t i = 0; i < d->nfailures; i++) {
		free(d->failures[i].where);
		free(d->failures[i].by_errno);
	}
	free(d->failures);
	memset(d, 0, sizeof(*d));
}

const char *dataset_shared_run(const struct dataset *a, const struct dataset *b)
{
	char *ra = realpath(a->path, NULL), *rb = realpath(b->path, NULL);
	bool same_file = ra && rb && !strcmp(ra, rb);

	free(ra);
	free(rb);
	if (same_file)
		return a->path;
	for (size_t i = 0; i < a->nrun_ids; i++)
		for (size_t j = 0; j < b->nrun_ids; j++)
			if (!strcmp(a->run_ids[i], b->run_ids[j]))
				return a->run_ids[i];
	return NULL;
}

const struct metric *dataset_metric(const struct dataset *d, const char *name)
{
	for (size_t i = 0; i < d->nm; i++)
		if (!strcmp(d->m[i].name, name))
			return &d->m[i];
	return NULL;
}

bool dataset_has_counter(const struct dataset *d, const char *counter)
{
	for (size_t i = 0; i < d->ncounters; i++)
		if (!strcmp(d->counters[i], counter))
			return true;
	return false;
}

bool metric_is_gauge(const struct metric *m)
{
	return !strncmp(m->name, "vmstat.nr_", 10);
}

bool metric_is_latency(const struct metric *m)
{
	return !strcmp(m->unit, "ns");
}

enum better counter_better(const char *name)
{
	return strstr(name, "fail") ? BETTER_LOWER : BETTER_NEITHER;
}

const char *better_name(enum better b)
{
	return b == BETTER_LOWER ? "lower" : b == BETTER_HIGHER ? "higher" : "neither";
}

void dataset_describe(const struct dataset *d, char *buf, size_t len)
{
	const char *release = json_string_value(json_object_get(json_object_get(d->run_json, "kernel"), "release"));
	size_t values = d->nm ? d->m[0].n : 0;

	if (d->run_json)
		snprintf(buf, len, "%s (%zu run%s, kernel %s%s%s)", d->path, d->nruns, d->nruns == 1 ? "" : "s",
			 release ? release : "?", d->incomplete ? ", INCOMPLETE" : "",
			 d->env_changed ? ", ENVIRONMENT CHANGED" : "");
	else
		snprintf(buf, len, "%s (%zu values)", d->path, values);
}
