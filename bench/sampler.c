#include "config.h"
#include "sampler.h"
#include "run_output.h"
#include "rundir.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t write_changes(struct sampler *s, uint64_t t, const char *node,
			      const struct counters *prev, const struct counters *cur)
{
	uint64_t rows = 0;

	for (size_t i = 0; i < cur->n; i++) {
		long j = prev ? counters_find(prev, cur->names[i], i) : -1;
		if (j >= 0 && prev->values[j] == cur->values[i])
			continue;
		rundir_vmstat_row(s->out, t, node, cur->names[i], cur->values[i]);
		rows++;
	}
	return rows;
}

/* A failed write stops the run, and the file is cut back to its last
 * whole sample. */
static void write_failed(struct sampler *s, int err)
{
	s->error = err ? err : -EIO;
	if (ftruncate(fileno(s->out), s->good)) {
		/* the readers leave a cut last line out */
	}
	run_write_failed(s->path, s->error);
}

static void take(struct sampler *s)
{
	struct vmstat_snapshot cur;
	char node[16];

	if (s->error || vmstat_snapshot_take(&cur, s->nodes, s->nnodes))
		return;
	uint64_t t = cur.t_ns - s->t0;
	uint64_t rows = write_changes(s, t, "all", s->have_prev ? &s->prev.system : NULL, &cur.system);
	for (size_t i = 0; i < cur.nnodes; i++) {
		snprintf(node, sizeof(node), "%d", cur.node_ids[i]);
		rows += write_changes(s, t, node, s->have_prev ? &s->prev.nodes[i] : NULL, &cur.nodes[i]);
	}
	if (s->have_prev)
		vmstat_snapshot_free(&s->prev);
	s->prev = cur;
	s->have_prev = 1;
	s->samples++;
	/* The buffer holds a whole sample: the file only ever ends after
	 * one, whenever the run is killed. */
	errno = 0;
	if (fflush(s->out) || ferror(s->out)) {
		write_failed(s, -errno);
	} else {
		s->good = ftello(s->out);
		s->rows += rows;
	}
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;

	while (!s->stop) {
		uint64_t next = now_ns() + s->interval_ns;
		take(s);
		if (now_ns() < next)
			sleep_ns_unless(next - now_ns(), &s->stop);
	}
	take(s); /* the state at the end */
	return NULL;
}

int sampler_start(struct sampler *s, const char *path, uint64_t t0, uint64_t interval_ns,
		  const int *nodes, size_t nnodes)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->out = fopen(path, "we");
	if (!s->out)
		return -errno;
	/* Large enough for a sample of every counter of every node, so that
	 * stdio never writes part of one (it flushes whole buffers). */
	size_t size = (nnodes + 1) * SAMPLER_BUFFER_PER_NODE;
	s->buf = xmalloc(size);
	setvbuf(s->out, s->buf, _IOFBF, size);
	rundir_vmstat_header(s->out);
	s->t0 = t0;
	s->interval_ns = interval_ns ? interval_ns : 100000000ULL;
	s->nodes = nodes;
	s->nnodes = nnodes;
	return -pthread_create(&s->thread, NULL, sampler_main, s);
}

int sampler_stop(struct sampler *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	if (s->have_prev)
		vmstat_snapshot_free(&s->prev);
	/* on disk before summary.json says the run is complete */
	if (!s->error && (fflush(s->out) || fsync(fileno(s->out))))
		write_failed(s, -errno);
	if (fclose(s->out) && !s->error)
		write_failed(s, -errno);
	free(s->buf);
	return s->error;
}
