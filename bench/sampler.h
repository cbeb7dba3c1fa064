/* Background sampling of /proc/vmstat and every node's vmstat into the
 * run's vmstat.csv (long format: time_ns,node,counter,value). To keep the
 * file small, a row is written only when a counter differs from its
 * previous sample; the first sample writes every counter. */
#ifndef PB_SAMPLER_H
#define PB_SAMPLER_H

#include <stdatomic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "counters.h"

/* vmstat.csv's stdio buffer, per node and for the system: a sample
 * writes at most one line of some 50 bytes per counter, and /proc/vmstat
 * has a few hundred. */
#define SAMPLER_BUFFER_PER_NODE (64u << 10)

struct sampler {
	FILE *out;
	char path[4300];
	off_t good;   /* bytes of whole samples written */
	int error;    /* a failed write (-errno): the run stops */
	char *buf;
	uint64_t t0, interval_ns;
	const int *nodes;
	size_t nnodes;
	atomic_int stop;
	pthread_t thread;
	struct vmstat_snapshot prev;
	int have_prev;
	uint64_t samples;
	uint64_t rows;   /* rows of the whole samples on disk: what readers check the file against */
};

int sampler_start(struct sampler *s, const char *path, uint64_t t0, uint64_t interval_ns,
		  const int *nodes, size_t nnodes);
/* Stops, and syncs the file; 0 or the write error. */
int sampler_stop(struct sampler *s);

#endif
