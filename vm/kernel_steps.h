/* The steps of a kernel build, shared by kernel_build.c (variant, build,
 * cache), kernel_source.c (where the source comes from) and kernel_tree.c
 * (what is changed in the tree: patches and configuration). Not for use
 * outside these three. */
#ifndef PB_KERNEL_STEPS_H
#define PB_KERNEL_STEPS_H

#include "kernel_build.h"

#include <stdbool.h>

/* Runs argv and returns its exit status; its output goes to *out (stdout
 * and stderr) for the caller to show. */
int kernel_run(char **out, char *const argv[]);
/* Runs argv; on failure says what failed with its output. */
int kernel_run_or_say(const char *what, char *const argv[]);

/* The tree of b->source: Debian's package in the cache, or a directory. */
int kernel_resolve_source(struct build *b);
/* Debian's linux-source-SERIES (b->source) fetched into the cache, once:
 * the path of its tarball and the package's version. */
int kernel_fetch_package(const struct build *b, char *tarball, size_t tlen, char *version, size_t vlen);
/* Unpacks the package's tarball into the cache once (under the lock). */
int kernel_unpack_package(const struct build *b);
/* b->version from the tree's Makefile. */
int kernel_read_version(struct build *b);

/* Reverses the patches the tree records, last first. */
int kernel_reverse_applied(const struct build *b);
int kernel_apply_patches(const struct build *b);
/* MAJOR.MINOR of the source: the package's series, or the tree's Makefile
 * (0.0 when unknown). */
void kernel_build_series(const struct build *b, unsigned *major, unsigned *minor);
/* Whether series fragment c is for a kernel MAJOR.MINOR. */
bool kernel_series_applies(const struct kernel_config_series *c, unsigned major, unsigned minor);
/* tinyconfig, the fragments, olddefconfig; checks every setting stayed. */
int kernel_configure(const struct build *b);

#endif
