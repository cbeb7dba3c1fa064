/* The system-wide lock the journal is opened under (journal.h says why
 * one lock file for the whole machine), and who holds it. */
#include "config.h"
#include "journal.h"
#include "journal_parts.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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
pid_t journal_flock_holder(const char *path)
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
	pid_t pid = journal_flock_holder(lock_path_buf);
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
int journal_lock_system(pid_t *holder)
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

void journal_unlock_system(void)
{
	if (lock_fd >= 0)
		close(lock_fd); /* releases the lock */
	lock_fd = -1;
}
