#include "config.h"
#include "journal.h"
#include "log.h"
#include "memblock.h"
#include "util.h"
#include "files.h"
#include "paths.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int journal_fd = -1;
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

/* The system-wide lock: one file whatever PINBENCH_STATE_DIR says, so
 * that no two pinbench processes change (or measure) this machine at
 * once. In /run, which only root may write: in the world-writable
 * /run/lock a user could create the file first and hold it, or make
 * root's open of it fail (fs.protected_regular). */
static char lock_path_buf[4096] = PB_LOCK_PATH;
static int lock_fd = -1;

const char *journal_lock_path(void)
{
	return lock_path_buf;
}

void journal_set_lock_path(const char *path)
{
	snprintf(lock_path_buf, sizeof(lock_path_buf), "%s", path ? path : PB_LOCK_PATH);
}

/* The pid holding a flock on path, from /proc/locks (the kernel's word;
 * a pid written in a file can be stale); 0 when not found. */
static pid_t flock_holder(const char *path)
{
	struct stat st;
	char line[256];
	pid_t found = 0;
	FILE *f;

	if (stat(path, &st) || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		int pid;
		unsigned maj, min;
		unsigned long ino;
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &pid, &maj, &min, &ino) == 4 &&
		    maj == major(st.st_dev) && min == minor(st.st_dev) && ino == st.st_ino)
			found = pid;
	}
	fclose(f);
	return found;
}

/* The holder also writes its pid into the lock file, so the "busy"
 * message can name it where /proc/locks cannot. */
static pid_t read_holder(void)
{
	pid_t pid = flock_holder(lock_path_buf);
	char *s;

	if (pid)
		return pid;
	s = read_line_file(lock_path_buf);
	if (s)
		pid = (pid_t)atoi(s);
	free(s);
	return pid;
}

/* Takes the system-wide lock. 0, -EBUSY or -errno. */
static int lock_system(pid_t *holder)
{
	char pid[32];
	int n;

	lock_fd = open(lock_path_buf, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock_fd < 0)
		return -errno;
	if (flock(lock_fd, LOCK_EX | LOCK_NB)) {
		int ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(lock_fd);
		lock_fd = -1;
		if (holder)
			*holder = read_holder();
		return ret;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(lock_fd, 0) || pwrite(lock_fd, pid, (size_t)n, 0) != n) {
		/* only the busy message's fallback is lost */
	}
	return 0;
}

static void unlock_system(void)
{
	if (lock_fd >= 0)
		close(lock_fd); /* releases the lock */
	lock_fd = -1;
}

int journal_open(pid_t *holder)
{
	char dir[4096];
	int ret;

	if (journal_fd >= 0)
		return 0;
	ret = lock_system(holder);
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
			*holder = flock_holder(journal_path());
	}
	if (ret) {
		if (journal_fd >= 0)
			close(journal_fd);
		journal_fd = -1;
		unlock_system();
	}
	return ret;
}

void journal_close(void)
{
	if (journal_fd < 0)
		return;
	close(journal_fd);
	journal_fd = -1;
	unlock_system();
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
	int n;

	if (journal_fd < 0)
		return -EBADF;
	if (escape(a, ea, sizeof(ea)) || escape(b, eb, sizeof(eb)))
		return -E2BIG;
	n = snprintf(line, sizeof(line), "%ld\t%s\t%s\t%s\n", current_scope(), kind, ea, eb);
	if (write(journal_fd, line, (size_t)n) != n)
		return errno ? -errno : -EIO;
	/* The entry must be on disk before the change it describes. */
	return fdatasync(journal_fd) ? -errno : 0;
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

static int undo_umount(const char *path, const char *unused)
{
	(void)unused;
	return umount(path) && errno != EINVAL && errno != ENOENT ? -errno : 0;
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. NULL
 * for a process that is gone, zombies included: a zombie holds nothing,
 * and its new parent may never reap it. */
static char *process_start_time(pid_t pid, char *buf, size_t len)
{
	char path[64];
	char *stat, *p;
	unsigned long long start = 0;
	char state = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = read_file(path, NULL);
	if (!stat)
		return NULL;
	p = strrchr(stat, ')'); /* the command name may hold spaces */
	if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &state, &start) != 2 || state == 'Z' || state == 'X') {
		free(stat);
		return NULL;
	}
	free(stat);
	snprintf(buf, len, "%llu", start);
	return buf;
}

int journal_process(pid_t pid)
{
	char who[32], start[32];

	snprintf(who, sizeof(who), "%d", (int)pid);
	if (!process_start_time(pid, start, sizeof(start)))
		return -ESRCH;
	return journal_append("process", who, start);
}

static int undo_rmdir(const char *path, const char *unused)
{
	(void)unused;
	return rmdir(path) && errno != ENOENT ? -errno : 0;
}

static int undo_process(const char *who, const char *start)
{
	pid_t pid = (pid_t)atoi(who);
	char now[32];

	for (int i = 0; i < 100; i++) {
		if (!process_start_time(pid, now, sizeof(now)) || strcmp(now, start))
			return 0; /* gone, or the pid now belongs to someone else */
		kill(pid, i < 50 ? SIGTERM : SIGKILL);
		usleep(20000);
	}
	return -EBUSY;
}

static int undo_knob(const char *path, const char *value)
{
	char *cur = knob_current(path);
	int ret = 0;

	if (!cur || strcmp(cur, value))
		ret = write_knob(path, value);
	free(cur);
	return ret;
}

static int undo_memblock(const char *where, const char *zone)
{
	char sysdir[4200];
	const char *slash = strrchr(where, '/');
	unsigned id;

	if (!slash || sscanf(slash + 1, "memory%u", &id) != 1)
		return -EINVAL;
	snprintf(sysdir, sizeof(sysdir), "%.*s", (int)(slash - where), where);
	return memblock_restore(sysdir, id, zone);
}

static const struct {
	const char *kind;
	int (*undo)(const char *a, const char *b);
	const char *what; /* said on a verbose restore: "<what> <a>: <b>" */
} undoers[] = {
	{ "knob", undo_knob, "restored" },
	{ "memblock", undo_memblock, "restored memory block" },
	{ "rmdir", undo_rmdir, "removed" },
	{ "process", undo_process, "ended process" },
	{ "umount", undo_umount, "unmounted" },
};

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
	for (size_t i = 0; i < ARRAY_SIZE(undoers); i++) {
		if (strcmp(e->kind, undoers[i].kind))
			continue;
		int ret = undoers[i].undo(e->a, e->b);
		if (!ret && verbose)
			pb_info("%s %s%s%s", undoers[i].what, e->a, *e->b ? ": " : "", e->b);
		return ret;
	}
	return -EINVAL;
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

int journal_forget(const char *kind, const char *a)
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

char *knob_current(const char *path)
{
	char *s = read_line_file(path);
	char *open, *close_;

	if (!s)
		return NULL;
	open = strchr(s, '[');
	close_ = open ? strchr(open, ']') : NULL;
	if (open && close_) {
		memmove(s, open + 1, (size_t)(close_ - open - 1));
		s[close_ - open - 1] = '\0';
	}
	return s;
}

int knob_set(const char *path, const char *value)
{
	char *cur = knob_current(path);
	int ret;

	if (!cur)
		return -errno;
	if (!strcmp(cur, value)) {
		free(cur);
		return 0;
	}
	ret = journal_knob(path, cur);
	free(cur);
	if (ret)
		return ret;
	return write_knob(path, value);
}
