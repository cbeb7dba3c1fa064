#include "config.h"
#include "harness.h"
#include "affinity.h"
#include "range_state.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct harness {
	const struct harness_ops *ops;
	const void *cfg;
	const struct stressor_env *env;
	void *priv;
	atomic_int stop;
	_Atomic uint64_t totals[HARNESS_MAX_COUNTERS];
	atomic_int err;
	size_t nthreads;
	struct harness_thread *threads; /* background */
	struct range_state ranges;      /* pin range -> its harness_thread */
};

const void *harness_cfg(const struct harness *h) { return h->cfg; }
const struct stressor_env *harness_env(const struct harness *h) { return h->env; }
void *harness_priv(const struct harness *h) { return h->priv; }
size_t harness_nthreads(const struct harness *h) { return h->nthreads; }
int harness_error(const struct harness *h) { return atomic_load(&h->err); }

bool harness_stopping(struct harness_thread *t)
{
	return atomic_load_explicit(&t->stop, memory_order_relaxed) ||
	       atomic_load_explicit(&t->h->stop, memory_order_relaxed) || *t->h->env->stop;
}

void harness_count(struct harness *h, size_t i, uint64_t n)
{
	atomic_fetch_add(&h->totals[i], n);
}

uint64_t harness_counter(const struct harness *h, size_t i)
{
	return atomic_load(&((struct harness *)h)->totals[i]);
}

static void thread_init(struct harness_thread *t, struct harness *h)
{
	t->h = h;
	t->cpu = -1;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
}

/* A thread's counters and error go into the totals once it has ended. */
static void thread_end(struct harness_thread *t)
{
	int none = 0;

	if (t->started)
		pthread_join(t->tid, NULL);
	for (size_t i = 0; i < t->h->ops->ncounters; i++)
		harness_count(t->h, i, t->counts[i]);
	if (t->err)
		atomic_compare_exchange_strong(&t->h->err, &none, t->err);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
}

static void *background_main(void *arg)
{
	struct harness_thread *t = arg;

	if (t->h->ops->threads_per_node)
		bind_thread_to_node(t->h->env->topo, t->node);
	t->h->ops->run(t);
	return NULL;
}

static int start_background(struct harness *h, char *why, size_t len)
{
	uint64_t per_node = h->ops->threads_per_node ? h->ops->threads_per_node(h->cfg) : 0;

	h->nthreads = h->ops->threads_per_node ? h->env->nnodes * per_node : 1;
	h->threads = xcalloc(h->nthreads, sizeof(*h->threads));
	for (size_t i = 0; i < h->nthreads; i++) {
		struct harness_thread *t = &h->threads[i];
		thread_init(t, h);
		t->index = (unsigned)i;
		t->node = per_node ? h->env->nodes[i / per_node] : -1;
		t->seed = h->env->seed ^ (i * 0x9e3779b97f4a7c15ULL);
		int ret = -pthread_create(&t->tid, NULL, background_main, t);
		if (ret) {
			snprintf(why, len, "cannot start a thread: %s", strerror(-ret));
			pthread_cond_destroy(&t->cond);
			pthread_mutex_destroy(&t->lock);
			h->nthreads = i;
			return ret;
		}
		t->started = true;
	}
	return 0;
}

/* Stops and joins every thread, then tears down; the counters stay. */
static void finish(struct harness *h)
{
	atomic_store(&h->stop, 1);
	for (size_t i = 0; i < h->nthreads; i++) /* and wake those asleep on their own flag */
		atomic_store(&h->threads[i].stop, 1);
	for (size_t i = 0; i < h->nthreads; i++)
		thread_end(&h->threads[i]);
	if (h->ops->teardown)
		h->ops->teardown(h);
	range_state_free(&h->ranges);
	free(h->threads);
}

int harness_start(const struct harness_ops *ops, const void *cfg, const struct stressor_env *env, void **state,
		  char *why, size_t len)
{
	struct harness *h = xcalloc(1, sizeof(*h));
	int ret = 0;

	h->ops = ops;
	h->cfg = cfg;
	h->env = env;
	h->priv = ops->priv_size ? xcalloc(1, ops->priv_size) : NULL;
	range_state_init(&h->ranges);
	if (ops->setup)
		ret = ops->setup(h, why, len);
	if (!ret && ops->run)
		ret = start_background(h, why, len);
	if (ret) {
		if (ops->setup) /* what setup made, teardown unmakes */
			finish(h);
		else
			range_state_free(&h->ranges);
		free(h->priv);
		free(h);
		return ret;
	}
	*state = h;
	return 0;
}

json_t *harness_stop(void *state)
{
	struct harness *h = state;
	json_t *j = json_object();

	finish(h);
	for (size_t i = 0; i < h->ops->ncounters; i++)
		json_object_set_new(j, h->ops->counters[i], json_integer((json_int_t)harness_counter(h, i)));
	if (h->ops->report)
		h->ops->report(h, j);
	free(h->priv);
	free(h);
	return j;
}

static void *range_main(void *arg)
{
	struct harness_thread *t = arg;

	if (t->cpu >= 0)
		bind_thread_to_cpu(t->h->env->topo, t->cpu);
	t->h->ops->range_run(t);
	harness_ready(t); /* a thread that ends early must not hold the pin up */
	return NULL;
}

void harness_ready(struct harness_thread *t)
{
	pthread_mutex_lock(&t->lock);
	t->ready = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

void harness_park(struct harness_thread *t)
{
	pthread_mutex_lock(&t->lock);
	while (!atomic_load(&t->stop))
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

static int start_range_thread(struct harness_thread *t)
{
	int ret = -pthread_create(&t->tid, NULL, range_main, t);

	if (ret)
		return ret;
	t->started = true;
	if (t->h->ops->wait_ready) {
		pthread_mutex_lock(&t->lock);
		while (!t->ready)
			pthread_cond_wait(&t->cond, &t->lock);
		pthread_mutex_unlock(&t->lock);
	}
	return t->h->ops->wait_ready ? t->err : 0; /* t->err is the thread's until it is ready */
}

int harness_before_pin(void *state, const struct pin_range *r)
{
	struct harness *h = state;
	struct harness_thread *t = xcalloc(1, sizeof(*t));
	int ret = 0;

	thread_init(t, h);
	t->range = *r;
	t->node = r->node;
	if (h->ops->other_cpu)
		t->cpu = other_cpu(h->env->topo, r->pin_cpu);
	if (h->ops->range_begin)
		ret = h->ops->range_begin(t);
	if (ret) {
		thread_end(t);
		free(t);
		return ret;
	}
	if (h->ops->range_run && (ret = start_range_thread(t)) != 0 && !t->started) {
		if (h->ops->range_end)
			h->ops->range_end(t);
		thread_end(t);
		free(t);
		return ret;
	}
	/* kept even when its thread failed: after_unpin ends it */
	range_state_put(&h->ranges, r->addr, t);
	if (h->ops->settle_us)
		usleep(h->ops->settle_us);
	return ret;
}

void harness_after_unpin(void *state, const struct pin_range *r)
{
	struct harness *h = state;
	struct harness_thread *t = range_state_take(&h->ranges, r->addr);

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	atomic_store(&t->stop, 1);
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	if (t->started)
		pthread_join(t->tid, NULL);
	t->started = false;
	if (h->ops->range_end)
		h->ops->range_end(t);
	thread_end(t);
	free(t);
}
