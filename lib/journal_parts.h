/* What journal.c, journal_lock.c and journal_undo.c share; the journal's
 * users include journal.h only. */
#ifndef PB_JOURNAL_PARTS_H
#define PB_JOURNAL_PARTS_H

#include <stddef.h>
#include <sys/types.h>

/* Takes the system-wide lock. 0, -EBUSY (its holder in *holder when
 * known) or -errno. */
int journal_lock_system(pid_t *holder);
void journal_unlock_system(void);
/* The pid holding a flock on path, from /proc/locks; 0 when not found. */
pid_t journal_flock_holder(const char *path);

/* A process's start time as text (what tells a recycled pid apart), or
 * NULL when it is gone or a zombie. */
char *journal_process_start(pid_t pid, char *buf, size_t len);
/* Undoes one entry (kind, a, b), saying so when verbose: 0, -EINVAL for a
 * kind this pinbench does not know, or -errno. */
int journal_undo(const char *kind, const char *a, const char *b, int verbose);

#endif
