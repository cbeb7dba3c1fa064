/* file-reader: while a range is pinned, a thread on another CPU reads the
 * file behind it (the memfd of memfd/memfd-thp memory) with pread, a few
 * bytes of one folio after another. Each read holds a temporary reference on
 * the folio it copies from, reached through the page cache: migration's
 * unmapping does not stop it. That is the second seed's reference: a THP
 * split needs the reference count to be exactly the mappings', and before
 * 6.2 one failed split failed the long-term pin. (A process_vm_readv
 * reader cannot do this: it goes through the page tables, which
 * migration has already cleared.) */
#include "config.h"
#include "harness.h"
#include "stressor.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define READ_MAX 4096 /* the reader's buffer */

struct reader_cfg {
	uint64_t stride;
	uint64_t bytes;
	uint64_t interval_ns;
};

enum { C_READERS, C_READS, C_ERRORS };
static const char *const reader_counters[] = { "readers", "reads", "read_errors" };

static const struct scenario_key reader_options[] = {
	OPT_TYPE("file-reader"),
	OPT_SIZE(struct reader_cfg, stride, "stride", "2M", 1, UINT64_MAX, 0,
		 "distance between reads: one read per folio of this size"),
	OPT_SIZE(struct reader_cfg, bytes, "bytes", "64", 1, READ_MAX, 0, "bytes per read"),
	OPT_DURATION(struct reader_cfg, interval_ns, "interval", "0", "pause between reads: how rarely a reference is held"),
};

/* The folios are read in random order: a reader walking them in address
 * order would fall in step with the migration, which also takes them in
 * order, and meet the same folio at every retry. */
static void read_loop(struct harness_thread *t)
{
	const struct reader_cfg *cfg = harness_cfg(t->h);
	struct timespec pause = { (time_t)(cfg->interval_ns / 1000000000ULL), (long)(cfg->interval_ns % 1000000000ULL) };
	size_t nfolios = (t->range.len + cfg->stride - 1) / cfg->stride;
	uint64_t rng = (uint64_t)(uintptr_t)t ^ now_ns();
	char buf[READ_MAX];

	while (!harness_stopping(t)) {
		off_t off = (off_t)((splitmix64(&rng) % nfolios) * cfg->stride);
		if (pread(t->range.fd, buf, cfg->bytes, off) < 0)
			t->counts[C_ERRORS]++;
		t->counts[C_READS]++;
		if (cfg->interval_ns)
			nanosleep(&pause, NULL);
	}
}

static int reader_begin(struct harness_thread *t)
{
	if (t->range.fd < 0)
		return -EBADF; /* anonymous memory has no file to read */
	t->counts[C_READERS]++;
	return 0;
}

static const struct harness_ops reader_ops = {
	.counters = reader_counters,
	.ncounters = ARRAY_SIZE(reader_counters),
	.range_begin = reader_begin,
	.range_run = read_loop,
	.other_cpu = true,
	.settle_us = 1000, /* reading before the pin starts */
};
HARNESS_START(reader_start, reader_ops)

const struct stressor stressor_file_reader = {
	.type = "file-reader",
	.summary = "reads the pinned memfd through the page cache from another CPU while it is pinned",
	.options = reader_options,
	.noptions = ARRAY_SIZE(reader_options),
	.config_size = sizeof(struct reader_cfg),
	.start = reader_start,
	.before_pin = harness_before_pin,
	.after_unpin = harness_after_unpin,
	.stop = harness_stop,
};
