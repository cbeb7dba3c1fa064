/* Building the kernels `pinbench vm` boots (pinbench kernel build).
 *
 * A variant is a kernel source (Debian's linux-source-6.1 or -6.12
 * package, or a tree given as a directory), the configuration fragment
 * kernel/pinbench.config (with kernel/pinbench-X.Y.config for kernels X.Y
 * and later) merged into tinyconfig, and patches applied in
 * order. Built variants are cached under $PINBENCH_KERNEL_CACHE (default
 * /var/cache/pinbench/kernels) in a directory named by a hash of all three,
 * so asking again for the same variant costs nothing. */
#ifndef PB_KERNEL_BUILD_H
#define PB_KERNEL_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { KERNEL_MAX_PATCHES = 32 };

/* What to build (the first fields, set by the caller) and what the build
 * works out on the way. */
struct build {
	const char *source, *name_arg, *extra_config;
	char *patches[KERNEL_MAX_PATCHES]; /* absolute paths */
	size_t npatches;
	unsigned jobs;
	char cache[1024];
	char tree[1536];       /* the kernel tree built in */
	char source_id[1700];  /* what names the source in the key and build.json */
	char version[64];      /* make kernelversion */
	char name[64];
	char release[128];
	char out[1800];        /* the cached variant's directory */
	char commit[64];       /* a git tree's HEAD ("-dirty" when changed), or "" */
	char tarball[1600];    /* the tarball the tree is unpacked from, or "" */
	uint64_t key;
	bool from_package;     /* a Debian package's series (b->source) */
};

/* The cache directory: $PINBENCH_KERNEL_CACHE or /var/cache/pinbench/kernels. */
const char *kernel_cache_dir(void);
/* The configuration fragment built into pinbench. */
extern const char kernel_config_fragment[];
/* kernel/pinbench-X.Y.config, appended for kernels X.Y and later; a line
 * "# drop: LINE" in one takes LINE out of the fragment above for them.
 * The list ends with a NULL text. */
struct kernel_config_series {
	unsigned major, minor;
	const char *file, *text;
};
extern const struct kernel_config_series kernel_config_series[];
/* The fragment for a kernel MAJOR.MINOR (0.0: the common one alone), as
 * it is merged into tinyconfig; free() it. */
char *kernel_config_for(unsigned major, unsigned minor);

/* What can be built: Debian's linux-source packages installed, fetched
 * into the cache, and (once a fetch has read the archive) known there. */
void kernel_list_sources(FILE *f, const char *cache_dir);

/* Builds the variant b describes (or finds it in the cache) and prints the
 * bzImage's path on standard output. Returns 0, 1 when the build failed,
 * 2 on bad input, 3 when the source cannot be had, 128+N on signal N. */
int kernel_build_variant(struct build *b);

#endif
