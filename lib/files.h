/* Whole-file I/O: reading small files and the inputs users name, writing
 * knobs, and writing results atomically (a temporary file, then rename), so
 * that an interrupted write never leaves half a file under the real name. */
#ifndef PB_FILES_H
#define PB_FILES_H

#include <stddef.h>
#include <stdio.h>

/* Reads a whole (small, possibly procfs) file; NUL-terminated, malloc'd.
 * Returns NULL with errno set. */
char *read_file(const char *path, size_t *len);
/* Reads an input file the user named (scenario, rules, results): refuses
 * what is not a regular file (a FIFO, /dev/zero) and anything larger than
 * max bytes, so that no input can make pinbench hang or eat memory.
 * NULL with "PATH: reason" in err. */
char *read_input_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);
/* Like read_file but strips one trailing newline. */
char *read_line_file(const char *path);
/* Writes s to an existing file (sysfs/procfs knob). Returns 0 or -errno. */
int write_knob(const char *path, const char *s);
/* Writes data to path atomically: a temporary file beside it, then rename. */
int write_file_atomic(const char *path, const char *data, size_t len);
/* json_dumps(j, flags) written with write_file_atomic. A document that
 * cannot be encoded (NULL, a NaN, text that is not UTF-8) is -EINVAL,
 * never a crash. 0 or -errno. */
struct json_t;
int write_json_atomic(const char *path, const struct json_t *j, size_t flags);

/* A stream whose text replaces path only when it is closed whole: a
 * temporary file beside path, renamed by close_atomic (EXIT_BAD_INPUT, with
 * the error printed, when anything failed; the temporary file is then removed). */
FILE *open_atomic(const char *path);
int close_atomic(const char *path, FILE *f);
/* Gives up a file of open_atomic: closed, its temporary file removed,
 * path untouched. */
void abandon_atomic(const char *path, FILE *f);

/* Copies a file whole, written atomically at to: 0 or -errno (-1 when
 * from cannot be read). */
int copy_file(const char *from, const char *to);

/* fsync of a directory (after a rename in it): 0 or -errno. */
int fsync_dir(const char *path);

#endif
