/* Writing a run directory (rundir.h). Every file is written whole or not
 * at all (temporary name, fsync, rename, then the directory synced), except
 * samples.csv and vmstat.csv while the run goes, which only ever end after
 * a whole line. */
#include "config.h"
#include "rundir.h"
#include "util.h"
#include "files.h"
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void samples_header(FILE *f)
{
	for (size_t k = 0; k < RD_NCOLUMNS; k++)
		fprintf(f, "%s%c", rundir_column_names[k], k + 1 < RD_NCOLUMNS ? ',' : '\n');
}

/* An unknown count (-1) is an empty field. */
static void optional(FILE *f, int64_t v, char sep)
{
	if (v >= 0)
		fprintf(f, "%" PRId64, v);
	fputc(sep, f);
}

static void sample_row(FILE *f, const struct rundir_sample *s)
{
	char err[32], uerr[32];

	fprintf(f, "%u,%u,%s,%d,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%s,", s->run, s->iteration, s->job,
		s->node, s->chunk, s->bytes, s->start_ns, s->pin_ns, s->err,
		s->err ? errno_name(s->err, err, sizeof(err)) : "");
	if (s->unpinned)
		fprintf(f, "%" PRIu64 ",%s,", s->unpin_ns,
			s->unpin_err ? errno_name(s->unpin_err, uerr, sizeof(uerr)) : "0");
	else
		fputs(",,", f);
	optional(f, s->movable_before, ',');
	optional(f, s->unpinnable, ',');
	/* all traced, or none */
	if (s->migrate_failed >= 0)
		fprintf(f, "%" PRId64 ",%" PRId64 ",%" PRId64 ",", s->migrate_succeeded, s->migrate_failed,
			s->thp_unsplit);
	else
		fputs(",,,", f);
	csv_write_text(f, s->message ? s->message : "");
	fputc('\n', f);
}

int rundir_samples_open(struct rundir_samples *w, const char *dir)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->path, sizeof(w->path), "%s/samples.csv", dir);
	w->f = fopen(w->path, "we");
	if (!w->f)
		return w->error = -errno;
	return rundir_samples_append(w, NULL, 0);
}

/* The file cut back to its last whole line after a failed write, so
 * that it reads as the rows that made it. */
static int samples_failed(struct rundir_samples *w, int err)
{
	w->error = err ? err : -EIO;
	if (ftruncate(fileno(w->f), w->good)) {
		/* nothing more to do: the reader leaves a cut last line out */
	}
	return w->error;
}

int rundir_samples_append(struct rundir_samples *w, const struct rundir_sample *s, size_t n)
{
	if (w->error)
		return w->error;
	if (!w->good && !ftello(w->f))
		samples_header(w->f);
	for (size_t i = 0; i < n; i++)
		sample_row(w->f, &s[i]);
	errno = 0;
	if (fflush(w->f) || ferror(w->f))
		return samples_failed(w, -errno);
	w->good = ftello(w->f);
	return 0;
}

int rundir_samples_close(struct rundir_samples *w)
{
	if (!w->f)
		return w->error;
	if (!w->error && fsync(fileno(w->f)))
		w->error = -errno;
	if (fclose(w->f) && !w->error)
		w->error = errno ? -errno : -EIO;
	w->f = NULL;
	return w->error;
}

int rundir_write_samples(const char *dir, const struct rundir_sample *s, size_t n)
{
	char path[4200], *buf = NULL;
	size_t len = 0;
	FILE *f = xopen_memstream(&buf, &len);

	samples_header(f);
	for (size_t i = 0; i < n; i++)
		sample_row(f, &s[i]);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	int ret = write_file_atomic(path, buf, len);
	free(buf);
	return ret ? ret : fsync_dir(dir);
}

void rundir_vmstat_header(FILE *f)
{
	fputs("time_ns,node,counter,value\n", f);
}

void rundir_vmstat_row(FILE *f, uint64_t t_ns, const char *node, const char *counter, uint64_t value)
{
	fprintf(f, "%" PRIu64 ",%s,%s,%" PRIu64 "\n", t_ns, node, counter, value);
}

int rundir_write_json(const char *dir, const char *name, const json_t *j)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int ret = write_json_atomic(path, j, JSON_INDENT(2) | JSON_SORT_KEYS);
	/* its name durable before the next file is written */
	return ret ? ret : fsync_dir(dir);
}

int rundir_publish(const char *tmpdir, const char *dir)
{
	char parent[4200];

	if (rename(tmpdir, dir))
		return -errno;
	snprintf(parent, sizeof(parent), "%s", dir);
	return fsync_dir(dirname(parent)) ? 1 : 0;
}
