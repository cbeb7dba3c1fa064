/* Sizes and durations as users write them in scenarios and flags, and
 * whole numbers and yes/no: parsing with a reason, and printing sizes. */
#ifndef PB_UNITS_H
#define PB_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* "1.5 GiB", "64 MiB", "4 KiB", "12 B" */
void format_size(uint64_t bytes, char *buf, size_t len);
/* Whether a key names a size in bytes: a part of it (between dots) ends
 * in _bytes or _size (memory.present_bytes.node0.Movable, movable_bytes). */
bool key_is_size(const char *key);

#endif
