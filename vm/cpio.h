/* The guest's initramfs: "newc" cpio archives, gzip-compressed, written
 * by libarchive. Parent directories are added on demand and each path
 * once; archives written one after the other into one file are unpacked
 * by the kernel in turn, which is how a scenario is added to a cached
 * base archive. */
#ifndef PB_CPIO_H
#define PB_CPIO_H

#include <stddef.h>
#include <stdio.h>

struct archive;

struct cpio {
	struct archive *a;
	unsigned ino;
	char **paths; /* already written: each is added once */
	size_t npaths;
	int error;   /* first write error (-errno), sticky */
};

/* Starts an archive at f's current position. */
void cpio_begin(struct cpio *c, FILE *f);
/* Adds path (absolute inside the archive) with these bytes; a path
 * already in the archive is left as it is. */
void cpio_add_data(struct cpio *c, const char *path, const void *data, size_t len, unsigned mode);
/* Adds the content of a host file (symlinks followed) as path. Returns 0
 * or -errno (also made sticky). */
int cpio_add_file(struct cpio *c, const char *path, const char *host_path, unsigned mode);
void cpio_add_dir(struct cpio *c, const char *path);
/* Writes the trailer and flushes; returns the first error of the whole
 * archive. */
int cpio_end(struct cpio *c);

#endif
