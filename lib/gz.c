#include "config.h"
#include "gz.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* zlib's reason for the last failure of f. */
static const char *gz_reason(gzFile f)
{
	int code;
	const char *msg = gzerror(f, &code);

	return code == Z_ERRNO ? strerror(errno) : msg && *msg ? msg : "damaged";
}

char *gunzip_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	gzFile f = gzopen(path, "rb");
	size_t n = 0, cap = 65536;
	char *buf;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, errno ? strerror(errno) : "cannot open");
		return NULL;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap)
			buf = xrealloc(buf, (cap *= 2) + 1);
		int got = gzread(f, buf + n, (unsigned)(cap - n < (1u << 30) ? cap - n : 1u << 30));
		if (got < 0 || (got > 0 && gzdirect(f))) {
			snprintf(err, errlen, "%s: %s", path, got < 0 ? gz_reason(f) : "not gzip data");
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			snprintf(err, errlen, "%s: more than %zu bytes once decompressed", path, max);
			goto fail;
		}
	}
	/* a stream cut short reads as a short end; gzclose_r says so */
	if (gzclose_r(f) != Z_OK) {
		snprintf(err, errlen, "%s: cut short or damaged", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	gzclose_r(f);
	free(buf);
	return NULL;
}
