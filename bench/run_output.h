/* The runner's side of the run directory: samples.csv appended as each
 * iteration ends, write errors that stop the run, and the files written
 * in the order that makes a finished directory trustworthy. The format
 * itself is lib/rundir's. */
#ifndef PB_RUN_OUTPUT_H
#define PB_RUN_OUTPUT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "rundir.h"
#include "runner.h"

/* samples.csv while the run goes, shared by the pin workers. */
struct sample_sink {
	pthread_mutex_t lock;
	struct rundir_samples file;
	const struct scenario *sc;
};

int sample_sink_open(struct sample_sink *k, const char *dir, const struct scenario *sc);
/* Appends one iteration's samples; a failure stops the run. */
void sample_sink_write(struct sample_sink *k, const struct sample *s, size_t n);
/* Syncs and closes the file; 0 or -errno. */
int sample_sink_close(struct sample_sink *k);

/* A file of the run directory could not be written: says so once, and
 * stops the run as a signal would (without being one). */
void run_write_failed(const char *path, int err);
/* Whether a write failed during the run. */
bool run_write_error(void);

/* The final files, each durable before the next: samples.csv (with the
 * trace attribution), run.json, summary.json (the only one that says
 * complete), then tmpdir renamed to dir. 0, or -1 with the reason said:
 * the directory then stays at tmpdir, without summary.json. */
int run_output_finish(const char *tmpdir, const char *dir, const struct scenario *sc,
		      const struct sample_list *samples, json_t *run, json_t *summary);

#endif
