/* The journal of every change pinbench makes to the system.
 *
 * An entry is appended (and synced) before the change is made, so that a
 * run killed at any point can be undone by `pinbench env restore`. Undo
 * runs newest first and is idempotent: an entry whose change never
 * happened, or was already undone, is a no-op. The journal lives in
 * /run/pinbench (tmpfs: a reboot undoes the changes and forgets the
 * journal together); PINBENCH_STATE_DIR overrides the directory.
 *
 * Opening the journal takes an exclusive flock on one system-wide lock
 * file, /run/pinbench.lock, whatever the state directory: two pinbench
 * processes never change the system at once, nor does `env restore` undo
 * what a live run relies on. The lock dies with the process, which is
 * what lets `env restore` run after SIGKILL. Only root can take it (it
 * lives in /run): a run as another user changes nothing and takes no
 * lock; it watches the environment instead (bench/env_watch.h). */
#ifndef PB_JOURNAL_H
#define PB_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>

enum journal_which {
	JOURNAL_ALL,      /* `env restore` */
	JOURNAL_RUNS,     /* every run's (scope != 0): what killed runs left */
	JOURNAL_MINE,     /* this scope's */
};

#define PB_LOCK_PATH "/run/pinbench.lock"

/* Takes the system-wide lock, then opens the journal. Returns 0, -EBUSY
 * (another live pinbench holds it; its pid in *holder when known) or
 * -errno. */
int journal_open(pid_t *holder);
const char *journal_lock_path(void);
/* Another lock file (NULL: the default), for unit tests only: no
 * environment variable may move the lock, or two runs could share the
 * machine again. */
void journal_set_lock_path(const char *path);
void journal_close(void);
const char *journal_path(void);
/* Number of entries of which waiting to be undone (-errno on error). */
long journal_pending(enum journal_which which);

/* Every entry carries a scope: the pid of the run that made it, so a run
 * undoes its own changes and the next run undoes those of a killed one;
 * or 0 for `pinbench env` changes meant to last until `env restore`. */
void journal_set_scope(long scope);

/* Entries. Each returns 0 or -errno; on error the change must not be made. */
int journal_knob(const char *path, const char *old_value);
int journal_memblock(const char *sysdir, unsigned id, const char *old_zone);
/* A directory to remove on undo (a tracefs instance). */
int journal_rmdir(const char *path);
/* A file system pinbench mounted, to unmount on undo (tracefs). */
int journal_umount(const char *path);
/* A child process to end on undo, identified by pid and start time so
 * that a recycled pid is never killed. Journal it right after spawning. */
int journal_process(pid_t pid);
/* Drops the entries of this scope whose second field is value (a process
 * that was waited for, a directory removed): they need no undo. */
int journal_forget(const char *kind, const char *a);
/* journal_forget for a child process journal_process named, once waited for. */
int journal_forget_process(pid_t pid);

/* Undoes the chosen entries, newest first, saying what it did when
 * verbose. Entries that could not be undone stay in the journal and are
 * named on stderr. Returns the number left undone. */
int journal_restore(enum journal_which which, int verbose);

/* The current value of a knob: the [bracketed] choice of a sysfs multiple
 * choice file ("always [madvise] never"), otherwise the content. */
char *knob_current(const char *path);
/* Journals the knob's current value, then writes value. No-op (and no
 * entry) when the knob already has that value. */
int knob_set(const char *path, const char *value);

#endif
