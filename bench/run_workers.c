/* One repetition of a run: a pin worker thread per (job, node), joined
 * while the progress line is drawn, the environment watched, and a pin
 * call that outlives pin_timeout reported with its kernel stack. */
#include "config.h"
#include "env.h"
#include "ksym.h"
#include "plan.h"
#include "log.h"
#include "util.h"
#include "files.h"
#include "clock.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* "run 1/3  iteration 2/5  calls 12/40  30%  elapsed 3s  ETA 7s" */
static void progress(const struct plan *p, unsigned run, const struct worker *w, size_t nw,
		     uint64_t per_run, uint64_t started)
{
	uint64_t done = 0, iterations = 0;
	unsigned it = UINT_MAX;

	for (size_t k = 0; k < nw; k++) {
		done += atomic_load(&w[k].calls_done);
		unsigned wi = atomic_load(&w[k].iteration);
		it = wi < it ? wi : it; /* the slowest worker's */
		if (w[k].job->iterations > iterations)
			iterations = w[k].job->iterations;
	}
	double total = (double)per_run * (double)p->sc->global.runs;
	double frac = ((double)(run - 1) * (double)per_run + (double)done) / total;
	double el = (double)(now_ns() - started) / 1e9;
	char eta[32] = "-";

	if (frac > 0.02)
		snprintf(eta, sizeof(eta), "%.0fs", el / frac - el);
	fprintf(stderr, "\r  run %u/%" PRIu64 "  iteration %u/%" PRIu64 "  calls %" PRIu64 "/%" PRIu64
		"  %3.0f%%  elapsed %.0fs  ETA %s   ", run, p->sc->global.runs, it ? it : 1, iterations,
		done, per_run, frac * 100, el, eta);
	fflush(stderr);
}

/* A task's kernel stack reads empty while it runs on a CPU: a call busy
 * retrying a migration is caught between two sleeps by sampling. */
static char *kernel_stack(int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	for (int i = 0; i < 100; i++) {
		char *stack = read_file(path, NULL);
		if (!stack || *stack)
			return stack;
		free(stack);
		usleep(10000);
	}
	return NULL;
}

/* A kernel without kallsyms prints bare addresses: named from the
 * kernel's System.map where one is found (a `pinbench vm` guest's /boot
 * has its build's), or PINBENCH_SYSTEM_MAP. */
static char *named_stack(char *stack)
{
	const char *env = getenv("PINBENCH_SYSTEM_MAP");
	char path[512];
	struct utsname u;

	if (!stack || !strstr(stack, "] 0x"))
		return stack;
	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else if (uname(&u) == 0)
		snprintf(path, sizeof(path), "/boot/System.map-%s", u.release);
	else
		return stack;
	char *named = ksym_symbolize_file(stack, path);
	if (!named)
		return stack;
	free(stack);
	return named;
}

/* A pin call that does not return: what the kernel is doing in it, for
 * the terminal and summary.json's "hang". */
static void report_hang(const struct plan *p, struct worker *w, uint64_t t0)
{
	char *stack = named_stack(kernel_stack(w->tid));
	double s = (double)(now_ns() - t0) / 1e9;

	pb_err("HANG: [%s] node %d: the pin call of chunk %u (iteration %u, %s) has not returned after %.3f s "
	       "(pin_timeout); thread %d's kernel stack:\n%s", w->job->name, w->node, atomic_load(&w->call_chunk),
	       atomic_load(&w->iteration), w->job->backend->name, s, w->tid,
	       stack ? stack : "(not readable: needs root and CONFIG_STACKTRACE, or the task never slept)\n");
	json_t *h = json_pack("{s:s, s:i, s:i, s:i, s:s, s:i, s:f, s:s?}", "job", w->job->name, "node", w->node,
			      "chunk", (int)atomic_load(&w->call_chunk), "iteration", (int)atomic_load(&w->iteration),
			      "backend", w->job->backend->name, "tid", w->tid, "seconds", s, "kernel_stack", stack);
	if (h)
		json_array_append_new(p->hangs, h);
	free(stack);
	atomic_store(&w->hung, true);
}

/* Joins workers first.. first+nw-1, drawing the progress line (of every
 * worker before them too) and watching the environment, and gives up on
 * one whose pin call outlives pin_timeout: its thread is left to the
 * kernel, and the run ends once the others have finished theirs. */
static void wait_workers(struct plan *p, struct worker *all, pthread_t *all_t, size_t first, size_t nw,
			 unsigned run, uint64_t per_run, uint64_t started)
{
	struct worker *w = all + first;
	pthread_t *t = all_t + first;
	bool show = !p->quiet && pb_stderr_is_tty();
	size_t left = nw;
	char when[32];

	snprintf(when, sizeof(when), "during run %u", run);
	bool *joined = calloc(nw, sizeof(*joined));

	while (left && joined) {
		for (size_t i = 0; i < nw; i++) {
			if (joined[i] || w[i].hung)
				continue;
			if (pthread_tryjoin_np(t[i], NULL) == 0) {
				joined[i] = true;
				left--;
				continue;
			}
			uint64_t t0 = atomic_load(&w[i].call_t0);
			if (p->sc->global.pin_timeout_ns && t0 && now_ns() - t0 > p->sc->global.pin_timeout_ns) {
				report_hang(p, &w[i], t0);
				pthread_detach(t[i]);
				left--;
			}
		}
		if (left && show)
			progress(p, run, all, first + nw, per_run, started);
		if (left)
			env_watch_poll(&p->watch, when);
		if (left)
			usleep(100000);
	}
	for (size_t i = 0; !joined && i < nw; i++) /* no memory to watch with: just wait */
		pthread_join(t[i], NULL);
	free(joined);
}

/* Whether a worker of the first n hung or had to stop: the jobs after it
 * do not start (sequential). */
static bool job_went_wrong(const struct worker *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (atomic_load(&w[i].hung) || w[i].fatal)
			return true;
	return false;
}

int run_workers(struct plan *p, struct run_context *ctx, unsigned run, struct sample_list *all,
		    double *place_sum, double *place_min, unsigned *place_n, uint64_t started)
{
	size_t nw = 0;
	uint64_t per_run = 0;
	int fatal = 0;

	for (size_t j = 0; j < p->sc->njobs; j++) {
		nw += p->sc->jobs[j].nnodes;
		per_run += p->sc->jobs[j].nnodes * pin_worker_calls(&p->sc->jobs[j]);
	}
	struct worker *w = xcalloc(nw, sizeof(*w));
	pthread_t *t = xcalloc(nw, sizeof(*t));

	/* Workers start in order; after one that cannot, none does, and
	 * only the started ones are joined. With sequential, a job's workers
	 * start once the job before has ended well. */
	size_t started_n = 0, joined_n = 0, total = nw;
	int create_err = 0;
	nw = 0;
	for (size_t j = 0; j < p->sc->njobs && !create_err; j++) {
		for (unsigned k = 0; k < p->sc->jobs[j].nnodes; k++, nw++) {
			w[nw].ctx = ctx;
			w[nw].job = &p->sc->jobs[j];
			w[nw].job_idx = (unsigned)j;
			w[nw].node = p->sc->jobs[j].nodes[k];
			w[nw].run = run;
			if (!create_err && !(create_err = pthread_create(&t[nw], NULL, pin_worker_run, &w[nw])))
				started_n++;
		}
		if (!p->sc->global.sequential || create_err)
			continue;
		wait_workers(p, w, t, joined_n, started_n - joined_n, run, per_run, started);
		joined_n = started_n;
		if (env_stop || job_went_wrong(w, joined_n))
			break;
	}
	if (create_err) {
		pb_err("cannot start a pin worker thread (%zu of %zu started): %s", started_n, total,
		       strerror(create_err));
		fatal = -1;
	}
	wait_workers(p, w, t, joined_n, started_n - joined_n, run, per_run, started);
	if (!p->quiet && pb_stderr_is_tty())
		fprintf(stderr, "\r%*s\r", 100, "");
	for (size_t i = 0; i < nw; i++) {
		int ni = plan_node_index(p, w[i].node);
		if (w[i].placement_n) {
			place_sum[ni] += w[i].placement_sum;
			if (!place_n[ni] || w[i].placement_min < place_min[ni])
				place_min[ni] = w[i].placement_min;
			place_n[ni] += w[i].placement_n;
		}
		if (atomic_load(&w[i].hung)) { /* its thread still owns them */
			fatal = RUN_HUNG;
			continue;
		}
		sample_list_append(all, &w[i].samples);
		if (w[i].fatal) {
			pb_err("%s", w[i].why);
			fatal = fatal ? fatal : -1;
		}
	}
	if (fatal != RUN_HUNG) /* a hung thread still points into them */
		free(w);
	free(t);
	return fatal;
}
