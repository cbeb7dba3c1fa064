/* pinbench capacity below the command line: the grid of a [sweep]
 * section and the runs of its points, with progress and ETA for the whole
 * sweep; resumes an interrupted sweep keeping the points already complete. */
#include "config.h"
#include "sweep.h"
#include "env.h"
#include "ini_doc.h"
#include "log.h"
#include "rundir.h"
#include "scenario.h"
#include "subprocess.h"
#include "util.h"
#include "clock.h"
#include "files.h"
#include "paths.h"
#include "exitcode.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void sweep_free(struct sweep *sw)
{
	for (size_t i = 0; i < sw->naxes; i++) {
		for (size_t j = 0; j < sw->a[i].n; j++)
			free(sw->a[i].values[j]);
		free(sw->a[i].values);
	}
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int add_axis(struct sweep *sw, const struct ini_entry *e, const char *file, char *err, size_t len)
{
	const char *dot = strchr(e->key, '.');
	struct sweep_axis *a = &sw->a[sw->naxes];
	char *copy = xstrdup(e->value), *save;

	if (!dot || dot == e->key || !dot[1] || sw->naxes == SWEEP_MAX_AXES) {
		snprintf(err, len, "%s:%u: [sweep] key '%s': %s", file, e->line, e->key,
			 sw->naxes == SWEEP_MAX_AXES ? "too many swept keys" : "name a key as SECTION.KEY (pin.size)");
		free(copy);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	snprintf(a->section, sizeof(a->section), "%.*s", (int)(dot - e->key), e->key);
	snprintf(a->key, sizeof(a->key), "%s", dot + 1);
	a->line = e->line;
	for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		a->values = xrealloc(a->values, (a->n + 1) * sizeof(*a->values));
		a->values[a->n++] = xstrdup(trim(v));
	}
	free(copy);
	sw->naxes++;
	if (!a->n) {
		snprintf(err, len, "%s:%u: [sweep] key '%s': no values", file, e->line, e->key);
		return -1;
	}
	return 0;
}

int sweep_read(struct ini_doc *doc, struct sweep *sw, sweep_check_fn check, char *err, size_t len)
{
	memset(sw, 0, sizeof(*sw));
	snprintf(sw->max_failure_rate, sizeof(sw->max_failure_rate), "1%%");
	sw->npoints = 1;
	for (size_t i = 0; i < doc->n; i++) {
		const struct ini_entry *e = &doc->e[i];
		if (strcmp(e->section, "sweep"))
			continue;
		bool is_rate = !strcmp(e->key, "max_failure_rate"), is_plan = !strcmp(e->key, "plan");
		if (is_rate || is_plan) {
			/* Checked now, not after the whole sweep has run. */
			char *to = is_rate ? sw->max_failure_rate : sw->plan, why[256];
			size_t max = is_rate ? sizeof(sw->max_failure_rate) : sizeof(sw->plan);
			int bad = strlen(e->value) >= max;
			if (bad)
				snprintf(why, sizeof(why), "is longer than %zu characters", max - 1);
			else
				bad = check(e->key, e->value, why, sizeof(why));
			if (bad) {
				snprintf(err, len, "%s:%u: [sweep] key '%s': %s", doc->name, e->line, e->key, why);
				return -1;
			}
			snprintf(to, max, "%s", e->value);
		} else if (add_axis(sw, e, doc->name, err, len)) {
			return -1;
		} else {
			sw->npoints *= sw->a[sw->naxes - 1].n;
		}
	}
	if (!sw->naxes) {
		snprintf(err, len, "%s: no [sweep] section with SECTION.KEY = values (see pinbench capacity --help)",
			 doc->name);
		return -1;
	}
	if (sw->npoints > SWEEP_MAX_POINTS) {
		snprintf(err, len, "%s: the sweep has %zu points; at most %d", doc->name, sw->npoints, SWEEP_MAX_POINTS);
		return -1;
	}
	return 0;
}

/* The value of each axis at point p (the first axis varies slowest). */
static void point_indices(const struct sweep *sw, size_t p, size_t *idx)
{
	for (size_t i = sw->naxes; i-- > 0;) {
		idx[i] = p % sw->a[i].n;
		p /= sw->a[i].n;
	}
}

static const char *override(const struct sweep *sw, const size_t *idx, const char *section, const char *key)
{
	for (size_t i = 0; i < sw->naxes; i++)
		if (!strcmp(sw->a[i].section, section) && !strcmp(sw->a[i].key, key))
			return sw->a[i].values[idx[i]];
	return NULL;
}

/* The scenario of one point: every section but [sweep], with the swept
 * keys set. */
static char *point_text(const struct ini_doc *doc, const struct sweep *sw, const size_t *idx)
{
	size_t nsections, len;
	const char **sections = ini_doc_sections(doc, &nsections);
	char *text = NULL;
	FILE *f = xopen_memstream(&text, &len);
	bool global = false;

	for (size_t s = 0; s < nsections; s++) {
		if (!strcmp(sections[s], "sweep"))
			continue;
		global |= !strcmp(sections[s], "global");
		fprintf(f, "[%s]\n", sections[s]);
		for (size_t i = 0; i < doc->n; i++) {
			const struct ini_entry *e = &doc->e[i];
			const char *v = override(sw, idx, e->section, e->key);
			if (!strcmp(e->section, sections[s]))
				fprintf(f, "%s = %s\n", e->key, v ? v : e->value);
		}
		for (size_t a = 0; a < sw->naxes; a++)
			if (!strcmp(sw->a[a].section, sections[s]) && !ini_doc_find(doc, sections[s], sw->a[a].key))
				fprintf(f, "%s = %s\n", sw->a[a].key, sw->a[a].values[idx[a]]);
		fputc('\n', f);
	}
	for (size_t a = 0; a < sw->naxes && !global; a++)
		if (!strcmp(sw->a[a].section, "global"))
			fprintf(f, "[global]\n%s = %s\n", sw->a[a].key, sw->a[a].values[idx[a]]);
	fclose(f);
	free(sections);
	return text;
}

/* Every point must parse before the first one runs. */
int sweep_check_points(const struct ini_doc *doc, const struct sweep *sw, char *err, size_t len)
{
	size_t idx[SWEEP_MAX_AXES];
	char why[512];

	for (size_t a = 0; a < sw->naxes; a++)
		if (strcmp(sw->a[a].section, "global") && !ini_doc_section_line(doc, sw->a[a].section)) {
			snprintf(err, len, "%s:%u: [sweep] key '%s.%s': the scenario has no section [%s]", doc->name,
				 sw->a[a].line, sw->a[a].section, sw->a[a].key, sw->a[a].section);
			return -1;
		}
	for (size_t p = 0; p < sw->npoints; p++) {
		struct scenario sc = { 0 };
		point_indices(sw, p, idx);
		char *text = point_text(doc, sw, idx);
		int ret = scenario_parse("point", text, &sc, why, sizeof(why));
		free(text);
		if (ret) {
			/* "point:LINE: [pin] key 'size': reason" -> the reason */
			const char *reason = strstr(why, "]") ? strstr(why, "]") + 2 : why;
			for (size_t a = 0; a < sw->naxes; a++)
				if (strstr(why, sw->a[a].key)) {
					snprintf(err, len, "%s:%u: [sweep] key '%s.%s' = '%s': %s", doc->name, sw->a[a].line,
						 sw->a[a].section, sw->a[a].key, sw->a[a].values[idx[a]], reason);
					return -1;
				}
			snprintf(err, len, "%s: at sweep point %zu: %s", doc->name, p + 1, why);
			return -1;
		}
		scenario_free(&sc);
	}
	return 0;
}

static void point_label(const struct sweep *sw, const size_t *idx, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t a = 0; a < sw->naxes && o < len; a++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s.%s=%s", a ? " " : "", sw->a[a].section, sw->a[a].key,
				      sw->a[a].values[idx[a]]);
}

char *sweep_point_text(const struct ini_doc *doc, const struct sweep *sw, size_t p)
{
	size_t idx[SWEEP_MAX_AXES];

	point_indices(sw, p, idx);
	return point_text(doc, sw, idx);
}

void sweep_point_label(const struct sweep *sw, size_t p, char *buf, size_t len)
{
	size_t idx[SWEEP_MAX_AXES];

	point_indices(sw, p, idx);
	point_label(sw, idx, buf, len);
}

int sweep_write_json(const char *path, const char *scenario, const struct sweep *sw)
{
	json_t *axes = json_array(), *points = json_array();
	size_t idx[SWEEP_MAX_AXES];
	char name[32], key[140];

	for (size_t a = 0; a < sw->naxes; a++) {
		json_t *values = json_array();
		for (size_t j = 0; j < sw->a[a].n; j++)
			json_array_append_new(values, json_string(sw->a[a].values[j]));
		snprintf(key, sizeof(key), "%s.%s", sw->a[a].section, sw->a[a].key);
		json_array_append_new(axes, json_pack("{s:s, s:o}", "key", key, "values", values));
	}
	for (size_t p = 0; p < sw->npoints; p++) {
		json_t *values = json_object();
		point_indices(sw, p, idx);
		for (size_t a = 0; a < sw->naxes; a++) {
			snprintf(key, sizeof(key), "%s.%s", sw->a[a].section, sw->a[a].key);
			json_object_set_new(values, key, json_string(sw->a[a].values[idx[a]]));
		}
		snprintf(name, sizeof(name), "point-%02zu", p + 1);
		json_array_append_new(points, json_pack("{s:s, s:o}", "dir", name, "values", values));
	}
	json_t *root = json_pack("{s:i, s:s, s:s, s:s, s:o, s:o}", "schema_version", 1, "scenario", scenario,
				 "max_failure_rate", sw->max_failure_rate, "plan", sw->plan, "axes", axes, "points",
				 points);
	int ret = write_json_atomic(path, root, JSON_INDENT(2));
	if (ret)
		pb_err("capacity: cannot write %s: %s", path, strerror(-ret));
	json_decref(root);
	return ret;
}

/* A new directory, or one holding an interrupted sweep of the same
 * scenario (kept as DIR/scenario.ini). */
int sweep_prepare_dir(const char *dir, const char *text)
{
	char path[4200], *old;
	struct stat st;

	snprintf(path, sizeof(path), "%s/scenario.ini", dir);
	if (stat(dir, &st) == 0) {
		old = read_file(path, NULL);
		bool same = old && !strcmp(old, text);
		free(old);
		if (!same) {
			pb_err("capacity: %s exists and is not a sweep of this scenario; choose another -o", dir);
			return -1;
		}
		printf("resuming the sweep in %s\n", dir);
		return 0;
	}
	if (mkdir_p(dir, 0755) || write_file_atomic(path, text, strlen(text))) {
		pb_err("capacity: cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Complete: its summary.json says so. An incomplete attempt (interrupted,
 * or a .partial left by SIGKILL) is moved aside, never deleted. */
static bool point_complete(const char *run_dir)
{
	char aside[4400];
	bool complete = rundir_complete(run_dir);

	if (!complete && access(run_dir, F_OK) == 0) {
		snprintf(aside, sizeof(aside), "%s.interrupted-%ld", run_dir, (long)time(NULL));
		if (rename(run_dir, aside) == 0)
			pb_warn("kept the interrupted attempt as %s", aside);
	}
	return complete;
}

/* `pinbench run -q POINT.ini -o RUN_DIR`, its output in RUN_DIR.log. */
static int run_point(const char *dir, size_t p, const char *text)
{
	char ini[4300], run_dir[4300], log[4300];
	pid_t pid;
	int status;

	snprintf(ini, sizeof(ini), "%s/point-%02zu.ini", dir, p + 1);
	snprintf(run_dir, sizeof(run_dir), "%s/point-%02zu", dir, p + 1);
	snprintf(log, sizeof(log), "%s/point-%02zu.log", dir, p + 1);
	if (write_file_atomic(ini, text, strlen(text)))
		return -errno;
	unlink(log);
	char *argv[] = { "/proc/self/exe", "run", "-q", ini, "-o", run_dir, NULL };
	int ret = spawn_background(argv, log, &pid);
	if (ret)
		return ret;
	bool forwarded = false;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
		/* A terminal's Ctrl-C reaches the run too; a SIGTERM or SIGHUP
		 * to us alone is passed on once (twice would abort the run). */
		if (env_stop && env_stop_signal != SIGINT && !forwarded) {
			kill(pid, SIGINT);
			forwarded = true;
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void last_error(const char *dir, size_t p, char *buf, size_t len)
{
	char path[4300], *log;

	snprintf(path, sizeof(path), "%s/point-%02zu.log", dir, p + 1);
	log = read_file(path, NULL);
	const char *e = log ? strstr(log, "error: ") : NULL;
	snprintf(buf, len, "%.*s", e ? (int)strcspn(e, "\n") : 0, e ? e : "");
	free(log);
}

int sweep_run(const char *dir, const struct ini_doc *doc, const struct sweep *sw)
{
	size_t idx[SWEEP_MAX_AXES], done = 0, ran = 0;
	double spent = 0;
	char label[512], run_dir[4300], why[512];

	for (size_t p = 0; p < sw->npoints && !env_stop; p++) {
		point_indices(sw, p, idx);
		point_label(sw, idx, label, sizeof(label));
		snprintf(run_dir, sizeof(run_dir), "%s/point-%02zu", dir, p + 1);
		if (point_complete(run_dir)) {
			printf("[%zu/%zu] %s: complete, kept\n", p + 1, sw->npoints, label);
			done++;
			continue;
		}
		char *text = point_text(doc, sw, idx);
		uint64_t t0 = now_ns();
		int ret = run_point(dir, p, text);
		free(text);
		double secs = (double)(now_ns() - t0) / 1e9;
		if (ret && env_stop) /* interrupted: the point's run directory says so */
			return EXIT_FAILED;
		if (ret) {
			last_error(dir, p, why, sizeof(why));
			pb_err("capacity: point %zu (%s): pinbench run exited %d%s%s; see %s/point-%02zu.log", p + 1,
			       label, ret, why[0] ? ": " : "", why, dir, p + 1);
			return ret == EXIT_CANNOT ? EXIT_CANNOT : EXIT_FAILED;
		}
		spent += secs;
		ran++;
		done++;
		double eta = spent / (double)ran * (double)(sw->npoints - done);
		printf("[%zu/%zu] %s: %.1f s; sweep %zu%%, ETA %.0f s\n", p + 1, sw->npoints, label, secs,
		       100 * done / sw->npoints, eta);
		fflush(stdout);
	}
	return env_stop ? EXIT_FAILED : EXIT_OK;
}

