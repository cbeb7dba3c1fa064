/* gzip files read in-process with zlib: the guest's results and
 * /proc/config.gz, where a gzip subprocess used to be spawned. */
#ifndef PB_GZ_H
#define PB_GZ_H

#include <stddef.h>

/* The decompressed contents of a gzip file (every member, as gzip -dc),
 * NUL-terminated, malloc'd, at most max bytes. NULL with a reason in err:
 * missing, not gzip, damaged or cut short, larger than max. */
char *gunzip_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
