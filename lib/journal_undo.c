/* How each kind of journal entry is undone (a knob written back, a
 * memory block onlined again, a directory removed, a process ended, a
 * file system unmounted), and the knobs' own reading and writing. */
#include "config.h"
#include "journal.h"
#include "journal_parts.h"
#include "log.h"
#include "memblock.h"
#include "util.h"
#include "files.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. NULL
 * for a process that is gone, zombies included: a zombie holds nothing,
 * and its new parent may never reap it. */
char *journal_process_start(pid_t pid, char *buf, size_t len)
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

static int undo_umount(const char *path, const char *unused)
{
	(void)unused;
	return umount(path) && errno != EINVAL && errno != ENOENT ? -errno : 0;
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
		if (!journal_process_start(pid, now, sizeof(now)) || strcmp(now, start))
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

/* Undoes one entry (kind, a, b), saying so when verbose: 0, -EINVAL for a
 * kind this pinbench does not know, or -errno. */
int journal_undo(const char *kind, const char *a, const char *b, int verbose)
{
	for (size_t i = 0; i < ARRAY_SIZE(undoers); i++) {
		if (strcmp(kind, undoers[i].kind))
			continue;
		int ret = undoers[i].undo(a, b);
		if (!ret && verbose)
			pb_info("%s %s%s%s", undoers[i].what, a, *b ? ": " : "", b);
		return ret;
	}
	return -EINVAL;
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
