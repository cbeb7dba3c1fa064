#include "config.h"
#include "run_output.h"
#include "env.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_int write_failed;

void run_write_failed(const char *path, int err)
{
	if (atomic_exchange(&write_failed, 1))
		return; /* said once: the rest follows from it */
	pb_err("cannot write %s: %s; stopping the run (what was written so far stays)", path, strerror(-err));
	env_stop_run();
}

bool run_write_error(void)
{
	return atomic_load(&write_failed);
}

static struct rundir_sample to_row(const struct scenario *sc, const struct sample *s)
{
	return (struct rundir_sample){
		.run = s->run, .iteration = s->iteration, .chunk = s->chunk, .job = sc->jobs[s->job].name,
		.node = s->node, .bytes = s->bytes, .start_ns = s->start_ns, .pin_ns = s->pin_ns, .err = s->err,
		.unpinned = s->unpinned, .unpin_ns = s->unpin_ns, .unpin_err = s->unpin_err,
		.movable_before = s->movable_before, .unpinnable = s->unpinnable,
		.migrate_succeeded = s->migrate_succeeded, .migrate_failed = s->migrate_failed,
		.thp_unsplit = s->thp_unsplit, .message = s->message,
	};
}

int sample_sink_open(struct sample_sink *k, const char *dir, const struct scenario *sc)
{
	k->sc = sc;
	pthread_mutex_init(&k->lock, NULL);
	int ret = rundir_samples_open(&k->file, dir);
	if (ret)
		pb_err("cannot write %s: %s", k->file.path, strerror(-ret));
	return ret;
}

void sample_sink_write(struct sample_sink *k, const struct sample *s, size_t n)
{
	struct rundir_sample *rows = xcalloc(n + 1, sizeof(*rows));

	for (size_t i = 0; i < n; i++)
		rows[i] = to_row(k->sc, &s[i]);
	pthread_mutex_lock(&k->lock);
	int ret = rundir_samples_append(&k->file, rows, n);
	pthread_mutex_unlock(&k->lock);
	free(rows);
	if (ret)
		run_write_failed(k->file.path, ret);
}

int sample_sink_close(struct sample_sink *k)
{
	int ret = rundir_samples_close(&k->file);

	if (ret)
		run_write_failed(k->file.path, ret);
	pthread_mutex_destroy(&k->lock);
	return ret;
}

static int write_samples(const char *tmpdir, const struct scenario *sc, const struct sample_list *l)
{
	struct rundir_sample *rows = xcalloc(l->n + 1, sizeof(*rows));

	for (size_t i = 0; i < l->n; i++)
		rows[i] = to_row(sc, &l->v[i]);
	int ret = rundir_write_samples(tmpdir, rows, l->n);
	free(rows);
	if (ret)
		pb_err("cannot write %s/samples.csv: %s (the samples written during the run stay)", tmpdir,
		       strerror(-ret));
	return ret;
}

static int write_json(const char *tmpdir, const char *name, json_t *j)
{
	int ret = rundir_write_json(tmpdir, name, j);

	if (ret)
		pb_err("cannot write %s/%s: %s", tmpdir, name,
		       ret == -EINVAL ? "the data cannot be encoded as JSON" : strerror(-ret));
	return ret;
}

int run_output_finish(const char *tmpdir, const char *dir, const struct scenario *sc,
		      const struct sample_list *samples, json_t *run, json_t *summary)
{
	int ret;

	/* summary.json last: analysis takes a directory with one for a run,
	 * so one cut short before it is never read as finished. */
	if (write_samples(tmpdir, sc, samples) || write_json(tmpdir, "run.json", run) ||
	    write_json(tmpdir, "summary.json", summary))
		return -1;
	ret = rundir_publish(tmpdir, dir);
	if (ret < 0) {
		pb_err("cannot rename %s to %s: %s", tmpdir, dir, strerror(-ret));
		return -1;
	}
	if (ret) /* every file is durable; the new name may not be yet */
		pb_warn("cannot sync the directory holding %s", dir);
	return 0;
}
