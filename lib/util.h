/* Small helpers shared by every part: allocation that cannot return NULL,
 * bounded appending, errno names, hashing and seeded random numbers.
 * Sizes and durations are in units.h, clocks in clock.h, file I/O in
 * files.h, directories and paths in paths.h. */
#ifndef PB_UTIL_H
#define PB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>


#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
/* The Levenshtein distance of a and b (SIZE_MAX when either is over 64
 * characters): what a did-you-mean suggests from. */
size_t edit_distance(const char *a, const char *b);
void appendf(char *buf, size_t len, size_t *o, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Whether len bytes are UTF-8 (what JSON strings must be); jansson's
 * validator decides. */
bool utf8_valid(const char *s, size_t len);

/* Frees n malloc'd strings and the array holding them (list_dir_sorted's). */
void free_strings(char **s, size_t n);

/* "ENOMEM"; falls back to the number when glibc does not know the name. */
const char *errno_name(int err, char *buf, size_t len);
/* m with its host addresses (hex numbers of 9 digits or more, such as
 * QEMU's pointers in "vfio_dma_map(0x55d0..., 0x0, ...)") written 0x...,
 * so that clients failing the same way say the same thing. */
void mask_addresses(const char *m, char *out, size_t len);
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
