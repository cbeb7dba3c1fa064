/* What the libFuzzer targets share: the input as a file, since the
 * readers under test take paths (and refuse what is not a regular file),
 * and a scratch directory. Built by tests/fuzz/run, not by make. */
#ifndef PB_FUZZ_H
#define PB_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stats.h"

/* The input in a memfd (a regular file), named by /proc/self/fd/N. */
static inline const char *fuzz_input_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz input");
		abort();
	}
	return path;
}

/* The input written to dir/name. */
static inline void fuzz_write(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		abort();
	}
}

/* One directory per process, under $TMPDIR, for the targets that need
 * files beside the input. Left for the run script to remove. */
static inline const char *fuzz_scratch_dir(void)
{
	static char dir[256];

	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/pinbench-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror(dir);
			abort();
		}
	}
	return dir;
}

/* What pinbench's main() does first: no GSL error may abort. */
static inline void fuzz_init(void)
{
	stats_init();
}

#endif
