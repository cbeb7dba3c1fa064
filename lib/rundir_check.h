/* Inside lib/rundir: a run directory held against itself. summary.json
 * was written from the same pins as samples.csv, after it, so the rows
 * of samples.csv must add up to its counts: per run and per node, the
 * pin calls, the failed ones, the bytes pinned, the unpins and the
 * failed unpins (warm-up iterations left out, as summary.json does). A
 * file cut at a line boundary, or a row dropped or repeated, then fails
 * instead of reading as a shorter run. */
#ifndef PB_RUNDIR_CHECK_H
#define PB_RUNDIR_CHECK_H

#include "rundir.h"

struct rundir_tally;

/* The counts of DIR/summary.json (its warm-up from there, or from
 * run.json for directories written before summary.json carried it), or
 * NULL with "PATH: field 'x': why" in err. */
struct rundir_tally *rundir_tally_new(const char *dir, char *err, size_t errlen);
/* One row of samples.csv (PATH:LINE in errors): -1 when its run or node
 * is not one summary.json has. */
int rundir_tally_add(struct rundir_tally *t, const struct rundir_sample *s, const char *path, unsigned line,
		     char *err, size_t errlen);
/* After the last row: 0 when every count agrees, else -1 with one line
 * saying which run (or node) and which count disagree. */
int rundir_tally_check(const struct rundir_tally *t, const char *path, char *err, size_t errlen);
void rundir_tally_free(struct rundir_tally *t);

#endif
