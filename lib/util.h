/* Small helpers shared by every part: parsing of sizes and durations,
 * clocks, whole-file I/O, errno names. */
#ifndef PB_UTIL_H
#define PB_UTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KIB (1024ULL)
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)

/* "4096", "64K", "512M", "2G", "1T" (binary units, optional trailing B/iB).
 * Returns 0 or -1 with a reason in err. */
int parse_size(const char *s, uint64_t *out, char *err, size_t errlen);
/* "250ms", "2s", "1m", "100us", "0"; a bare number means seconds. */
int parse_duration_ns(const char *s, uint64_t *out, char *err, size_t errlen);
int parse_uint(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen);
int parse_bool(const char *s, bool *out, char *err, size_t errlen);

/* malloc, calloc, realloc and strdup that never return NULL: out of
 * memory, they say so and exit (status 1) instead of letting a NULL crash
 * later. What a run had changed is then undone by 'pinbench env restore'. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* open_memstream, with the same promise. */
FILE *xopen_memstream(char **buf, size_t *len);

/* snprintf at buf + *o, advancing *o but never past len - 1: a piece that
 * does not fit is cut short instead of writing past the buffer. */
void appendf(char *buf, size_t len, size_t *o, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Whether len bytes are UTF-8 (what JSON strings must be); jansson's
 * validator decides. */
bool utf8_valid(const char *s, size_t len);

/* "1.5 GiB", "64 MiB", "4 KiB", "12 B" */
void format_size(uint64_t bytes, char *buf, size_t len);

uint64_t now_ns(void);      /* CLOCK_MONOTONIC */
uint64_t realtime_ns(void); /* CLOCK_REALTIME, for timestamps in results */
void format_iso8601(uint64_t realtime, char *buf, size_t len);
/* Sleeps up to ns, waking early when *stop becomes true. */
void sleep_ns_unless(uint64_t ns, atomic_int *stop);

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
 * temporary file beside path, renamed by close_atomic (2, with the error
 * printed, when anything failed; the temporary file is then removed). */
FILE *open_atomic(const char *path);
int close_atomic(const char *path, FILE *f);

/* fsync of a directory (after a rename in it): 0 or -errno. */
int fsync_dir(const char *path);

int mkdir_p(const char *path, unsigned mode);
/* "results/NAME-YYYYmmdd-HHMMSS" (local time): where a command writes
 * when no -o is given. */
void default_results_dir(const char *name, char *buf, size_t len);
/* The entries of dir that keep(path, name) accepts, as "dir/name" sorted
 * by name (malloc'd, *n of them; free with free_strings). NULL with
 * "dir: reason" in err when dir cannot be read. */
char **list_dir_sorted(const char *dir, bool (*keep)(const char *path, const char *name), size_t *n, char *err,
		       size_t errlen);
void free_strings(char **s, size_t n);
/* The last component of path, after its last '/' (GNU basename: the path
 * is not modified, and "dir/" gives ""). */
const char *path_base(const char *path);
/* Removes a directory tree; used only on our own temporary run directories. */
int remove_tree(const char *path);

/* "ENOMEM"; falls back to the number when glibc does not know the name. */
const char *errno_name(int err, char *buf, size_t len);
/* Its inverse: the errno of a name errno_name gives, or -1. */
int errno_from_name(const char *name);

/* splitmix64: a small seeded generator, identical on every machine. */
uint64_t splitmix64(uint64_t *state);

/* Whether process_vm_readv(2) works here: a kernel built without
 * CONFIG_CROSS_MEMORY_ATTACH answers ENOSYS. 0, or -errno with a sentence. */
int probe_process_vm_readv(char *why, size_t len);

/* FNV-1a, 64 bits: cache keys of files and texts (not cryptographic). */
#define FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t fnv1a(uint64_t h, const void *data, size_t len);
/* Folds a file's contents into *h; 0 or -errno. */
int fnv1a_file(uint64_t *h, const char *path);

#endif
