/* The journal itself (journal.h): its file, entries appended before each
 * change, and restore replaying them newest first. The system-wide lock is
 * journal_lock.c; how each kind of entry is undone, journal_undo.c. */
#include "config.h"
#include "journal.h"
#include "journal_parts.h"
#include "log.h"
#include "util.h"
#include "files.h"
#include "paths.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int journal_fd = -1;
/* Entries are added and forgotten from several threads (a VMM backend's
 * workers journal and forget their QEMU processes). */
static pthread_mutex_t entries_lock = PTHREAD_MUTEX_INITIALIZER;
static long journal_scope = -1; /* -1: this process's pid */
static char path_buf[4096];

const char *journal_path(void)
{
	const char *dir = getenv("PINBENCH_STATE_DIR");

	snprintf(path_buf, sizeof(path_buf), "%s/journal", dir && *dir ? dir : "/run/pinbench");
	return path_buf;
}

static void state_dir(char *buf, size_t len)
{
	const char *dir = getenv("PINBENCH_STATE_DIR");

	snprintf(buf, len, "%s", dir && *dir ? dir : "/run/pinbench");
}

int journal_open(pid_t *holder)
{
	char dir[4096];
	int ret;

	if (journal_fd >= 0)
		return 0;
	ret = journal_lock_system(holder);
	if (ret)
		return ret;
	state_dir(dir, sizeof(dir));
	ret = mkdir_p(dir, 0700);
	if (!ret && (journal_fd = open(journal_path(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		ret = -errno;
	/* The journal's own lock keeps out a pinbench that predates the
	 * system-wide one. */
	if (!ret && flock(journal_fd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (holder)
			*holder = journal_flock_holder(journal_path());
	}
	if (ret) {
		if (journal_fd >= 0)
			close(journal_fd);
		journal_fd = -1;
		journal_unlock_system();
	}
	return ret;
}

void journal_close(void)
{
	if (journal_fd < 0)
		return;
	close(journal_fd);
	journal_fd = -1;
	journal_unlock_system();
}

/* Values may hold any byte but tab and newline separate fields and
 * entries; escape those and the backslash. -E2BIG when out is too small:
 * a value cut short could not be restored. */
static int escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in; in++) {
		if (o + 3 > len - 1)
			return -E2BIG;
		switch (*in) {
		case '\t': out[o++] = '\\'; out[o++] = 't'; break;
		case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
		case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
		default: out[o++] = *in;
		}
	}
	out[o] = '\0';
	return 0;
}

static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

void journal_set_scope(long scope)
{
	journal_scope = scope;
}

static long current_scope(void)
{
	return journal_scope >= 0 ? journal_scope : (long)getpid();
}

/* An entry is one line: scope, kind, and two fields. */
static int journal_append(const char *kind, const char *a, const char *b)
{
	char ea[4096], eb[4096], line[8400];
	int n, ret = 0;

	if (journal_fd < 0)
		return -EBADF;
	if (escape(a, ea, sizeof(ea)) || escape(b, eb, sizeof(eb)))
		return -E2BIG;
	n = snprintf(line, sizeof(line), "%ld\t%s\t%s\t%s\n", current_scope(), kind, ea, eb);
	pthread_mutex_lock(&entries_lock);
	if (write(journal_fd, line, (size_t)n) != n)
		ret = errno ? -errno : -EIO;
	/* The entry must be on disk before the change it describes. */
	else if (fdatasync(journal_fd))
		ret = -errno;
	pthread_mutex_unlock(&entries_lock);
	return ret;
}

int journal_knob(const char *path, const char *old_value)
{
	return journal_append("knob", path, old_value);
}

int journal_memblock(const char *sysdir, unsigned id, const char *old_zone)
{
	char where[4200];

	snprintf(where, sizeof(where), "%s/memory%u", sysdir, id);
	return journal_append("memblock", where, old_zone);
}

int journal_rmdir(const char *path)
{
	return journal_append("rmdir", path, "");
}

int journal_umount(const char *path)
{
	return journal_append("umount", path, "");
}

int journal_process(pid_t pid)
{
	char who[32], start[32];

	snprintf(who, sizeof(who), "%d", (int)pid);
	if (!journal_process_start(pid, start, sizeof(start)))
		return -ESRCH;
	return journal_append("process", who, start);
}

struct entry {
	long scope;
	char *kind, *a, *b;
};

/* Splits a line in place; 0 or -EINVAL. */
static int entry_split(char *line, struct entry *e)
{
	char *f[4];
	int n = 0;

	for (char *p = line; n < 4; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n != 3)
		return -EINVAL;
	e->scope = strtol(f[0], NULL, 10);
	e->kind = f[1];
	e->a = f[2];
	e->b = f[3];
	unescape(e->a);
	unescape(e->b);
	return 0;
}

static int undo_entry(const struct entry *e, int verbose)
{
	return journal_undo(e->kind, e->a, e->b, verbose);
}

static bool entry_selected(long scope, enum journal_which which)
{
	switch (which) {
	case JOURNAL_ALL: return true;
	case JOURNAL_RUNS: return scope != 0;
	case JOURNAL_MINE: return scope == current_scope();
	}
	return false;
}

/* The journal is only ever appended to, so that a crash at any moment
 * leaves every pending entry in it: an entry that was undone (or
 * forgotten) is followed by a line "0<TAB>done<TAB>N", N its 0-based line
 * number, and the file is emptied only when no entry is left. */
#define DONE_KIND "done"

/* The journal's pending entries, one line each, and their line numbers in
 * the file; *text holds them. 0 or -errno. */
static int read_lines(char **text, char ***lines, size_t **idx, size_t *n)
{
	char **all = NULL;
	size_t nall = 0;

	*text = read_file(journal_path(), NULL);
	*lines = NULL;
	*idx = NULL;
	*n = 0;
	if (!*text)
		return -errno;
	/* strsep, not strtok: empty lines keep their number */
	for (char *rest = *text, *l; (l = strsep(&rest, "\n"));) {
		if (!rest && !*l)
			break; /* after the last newline */
		all = xrealloc(all, (nall + 1) * sizeof(*all));
		all[nall++] = l;
	}
	bool *done = xcalloc(nall + 1, sizeof(*done));
	for (size_t i = 0; i < nall; i++) {
		char kind[sizeof(DONE_KIND) + 1];
		unsigned long line;
		if (sscanf(all[i], "0\t%5[a-z]\t%lu", kind, &line) == 2 && !strcmp(kind, DONE_KIND)) {
			done[i] = true;
			if (line < nall)
				done[line] = true;
		}
	}
	for (size_t i = 0; i < nall; i++) {
		if (done[i] || !*all[i])
			continue;
		*lines = xrealloc(*lines, (*n + 1) * sizeof(**lines));
		*idx = xrealloc(*idx, (*n + 1) * sizeof(**idx));
		(*lines)[*n] = all[i];
		(*idx)[(*n)++] = i;
	}
	free(done);
	free(all);
	return 0;
}

/* Marks the entries not kept as done (one write), or empties the journal
 * when none is kept. */
static int mark_done(const size_t *idx, const bool *kept, size_t n)
{
	char *buf = NULL;
	size_t len = 0, left = 0;

	if (journal_fd < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		left += kept[i];
	if (!left)
		return ftruncate(journal_fd, 0) || fdatasync(journal_fd) ? -errno : 0;
	FILE *f = xopen_memstream(&buf, &len);
	for (size_t i = 0; i < n; i++)
		if (!kept[i])
			fprintf(f, "0\t" DONE_KIND "\t%zu\t\n", idx[i]);
	fclose(f);
	int ret = len && write(journal_fd, buf, len) != (ssize_t)len ? (errno ? -errno : -EIO) : 0;
	free(buf);
	if (!ret && fdatasync(journal_fd))
		ret = -errno;
	return ret;
}

long journal_pending(enum journal_which which)
{
	char *text, **lines;
	size_t n, *idx;
	long pending = 0;
	int ret = read_lines(&text, &lines, &idx, &n);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	for (size_t i = 0; i < n; i++)
		pending += entry_selected(strtol(lines[i], NULL, 10), which);
	free(idx);
	free(lines);
	free(text);
	return pending;
}

int journal_restore(enum journal_which which, int verbose)
{
	char *text, **lines;
	size_t n, *idx;
	int failed = 0, ret = read_lines(&text, &lines, &idx, &n);
	bool *kept;

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	kept = xcalloc(n + 1, sizeof(*kept));
	for (size_t i = n; i-- > 0;) {
		char copy[8400];
		struct entry e;
		snprintf(copy, sizeof(copy), "%s", lines[i]);
		ret = entry_split(copy, &e);
		if (!ret && !entry_selected(e.scope, which)) {
			kept[i] = true;
			continue;
		}
		if (!ret)
			ret = undo_entry(&e, verbose);
		if (ret) {
			pb_err("could not undo '%s': %s (left in %s)", lines[i], strerror(-ret), journal_path());
			kept[i] = true;
			failed++;
		}
	}
	mark_done(idx, kept, n); /* what could not be undone stays */
	free(kept);
	free(idx);
	free(lines);
	free(text);
	return failed;
}

int journal_forget_process(pid_t pid)
{
	char who[24];

	snprintf(who, sizeof(who), "%d", (int)pid);
	return journal_forget("process", who);
}

static int forget_locked(const char *kind, const char *a)
{
	char *text, **lines;
	size_t n, *idx;
	int ret = read_lines(&text, &lines, &idx, &n);
	bool *kept;

	if (ret)
		return ret;
	kept = xcalloc(n + 1, sizeof(*kept));
	for (size_t i = 0; i < n; i++) {
		char copy[8400];
		struct entry e;
		snprintf(copy, sizeof(copy), "%s", lines[i]);
		kept[i] = entry_split(copy, &e) || e.scope != current_scope() || strcmp(e.kind, kind) ||
			  strcmp(e.a, a);
	}
	ret = mark_done(idx, kept, n);
	free(kept);
	free(idx);
	free(lines);
	free(text);
	return ret;
}

int journal_forget(const char *kind, const char *a)
{
	pthread_mutex_lock(&entries_lock);
	int ret = forget_locked(kind, a);
	pthread_mutex_unlock(&entries_lock);
	return ret;
}

