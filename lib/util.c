#include "config.h"
#include "util.h"
#include "files.h"
#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static void *checked(void *p)
{
	if (!p) {
		pb_err("out of memory (if a run was under way, 'pinbench env restore' undoes its changes)");
		exit(EXIT_FAILURE);
	}
	return p;
}

void *xmalloc(size_t n)
{
	return checked(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return checked(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return checked(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
	return checked(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return checked(strndup(s, n));
}

FILE *xopen_memstream(char **buf, size_t *len)
{
	return checked(open_memstream(buf, len));
}

void appendf(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;

	if (!len || *o >= len - 1)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *o, len - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o = *o + (size_t)n < len ? *o + (size_t)n : len - 1;
}

bool utf8_valid(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);

	json_decref(j);
	return j != NULL;
}

void free_strings(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

const char *errno_name(int err, char *buf, size_t len)
{
#ifdef HAVE_STRERRORNAME_NP
	const char *name = strerrorname_np(err);
	if (name)
		return name;
#endif
	snprintf(buf, len, "E%d", err);
	return buf;
}

int errno_from_name(const char *name)
{
	char buf[32], *end;

	if (name[0] == 'E' && name[1] >= '1' && name[1] <= '9') { /* errno_name's fallback */
		long n = strtol(name + 1, &end, 10);
		if (!*end && n < 4096)
			return (int)n;
	}
	for (int e = 1; e < 4096; e++)
		if (!strcmp(errno_name(e, buf, sizeof(buf)), name))
			return e;
	return -1;
}

uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int fnv1a_file(uint64_t *h, const char *path)
{
	size_t len;
	char *data = read_file(path, &len);

	if (!data)
		return -errno;
	*h = fnv1a(*h, data, len);
	free(data);
	return 0;
}

int probe_process_vm_readv(char *why, size_t len)
{
	char from = 1, to = 0;
	struct iovec local = { &to, 1 }, remote = { &from, 1 };

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1)
		return 0;
	int err = errno;
	if (err == ENOSYS)
		snprintf(why, len, "process_vm_readv is not in this kernel (built without CONFIG_CROSS_MEMORY_ATTACH)");
	else
		snprintf(why, len, "process_vm_readv: %s", strerror(err));
	return -err;
}

void mask_addresses(const char *m, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = m; *p && o + 1 < len;) {
		size_t digits = p[0] == '0' && p[1] == 'x' ? strspn(p + 2, "0123456789abcdefABCDEF") : 0;
		if (digits >= 9) {
			o += (size_t)snprintf(out + o, len - o, "0x...");
			p += 2 + digits;
		} else {
			out[o++] = *p++;
		}
	}
	out[o < len ? o : len - 1] = '\0';
}


/* Levenshtein distance; SIZE_MAX beyond 64 characters. */
size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), prev[65], cur[65];

	if (m > 64 || n > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (m + 1) * sizeof(*prev));
	}
	return prev[m];
}
