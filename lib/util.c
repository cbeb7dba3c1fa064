#include "config.h"
#include "util.h"
#include "log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Splits "12.5ms" into the number and the unit; rejects empty, negative,
 * NaN and trailing garbage. */
static int split_number(const char *s, double *num, const char **unit, char *err, size_t errlen)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '-' || *s == '+' || !(isdigit((unsigned char)*s) || *s == '.')) {
		snprintf(err, errlen, "'%s' is not a non-negative number", s);
		return -1;
	}
	errno = 0;
	*num = strtod(s, &end);
	if (errno || end == s || *num != *num) {
		snprintf(err, errlen, "'%s' is not a number", s);
		return -1;
	}
	*unit = end;
	return 0;
}

int parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
	static const struct { const char *suffix; uint64_t mult; } units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", KIB }, { "kb", KIB }, { "kib", KIB },
		{ "m", MIB }, { "mb", MIB }, { "mib", MIB },
		{ "g", GIB }, { "gb", GIB }, { "gib", GIB },
		{ "t", 1024 * GIB }, { "tb", 1024 * GIB }, { "tib", 1024 * GIB },
	};
	const char *unit;
	double num;

	if (split_number(s, &num, &unit, err, errlen))
		goto bad;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcasecmp(unit, units[i].suffix))
			continue;
		double bytes = num * (double)units[i].mult;
		if (bytes >= 18446744073709551615.0) {
			snprintf(err, errlen, "'%s' is too large", s);
			return -1;
		}
		if (bytes != (double)(uint64_t)bytes) {
			snprintf(err, errlen, "'%s' is not a whole number of bytes", s);
			return -1;
		}
		*out = (uint64_t)bytes;
		return 0;
	}
bad:
	snprintf(err, errlen, "'%s' is not a size (use e.g. 4096, 64K, 512M, 2G)", s);
	return -1;
}

int parse_duration_ns(const char *s, uint64_t *out, char *err, size_t errlen)
{
	static const struct { const char *suffix; double mult; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	const char *unit;
	double num;

	if (split_number(s, &num, &unit, err, errlen))
		goto bad;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(unit, units[i].suffix))
			continue;
		double ns = num * units[i].mult;
		if (ns > 1e18) {
			snprintf(err, errlen, "'%s' is too long", s);
			return -1;
		}
		*out = (uint64_t)(ns + 0.5);
		return 0;
	}
bad:
	snprintf(err, errlen, "'%s' is not a duration (use e.g. 250ms, 2s, 1m)", s);
	return -1;
}

int parse_uint(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s)) {
		snprintf(err, errlen, "'%s' is not a whole number", s);
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end) {
		snprintf(err, errlen, "'%s' is not a whole number", s);
		return -1;
	}
	if (v > max) {
		snprintf(err, errlen, "%llu is more than the maximum %" PRIu64, v, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_bool(const char *s, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	snprintf(err, errlen, "'%s' is not yes or no", s);
	return -1;
}

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

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t i = 0;

	while (v >= 1024 && i + 1 < ARRAY_SIZE(names)) {
		v /= 1024;
		i++;
	}
	if (i == 0 || v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, names[i]);
	else
		snprintf(buf, len, "%.1f %s", v, names[i]);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void format_iso8601(uint64_t realtime, char *buf, size_t len)
{
	time_t secs = (time_t)(realtime / 1000000000ULL);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(realtime % 1000000000ULL / 1000000));
}

void sleep_ns_unless(uint64_t ns, atomic_int *stop)
{
	uint64_t end = now_ns() + ns;

	/* Short slices so an interrupt is honoured within 50 ms. */
	while (!*stop) {
		uint64_t now = now_ns();
		if (now >= end)
			return;
		uint64_t left = end - now;
		if (left > 50000000ULL)
			left = 50000000ULL;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)left };
		nanosleep(&ts, NULL);
	}
}

char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, used = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	for (;;) {
		if (used + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		ssize_t n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
}

char *read_input_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char limit[32], extra, *buf = NULL;
	size_t cap, used = 0;
	/* O_NONBLOCK: opening a FIFO nobody writes to must not hang. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max)
		goto too_large;
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	for (;;) { /* the file may grow while it is read: never past max */
		if (buf && used + 1 >= cap && cap <= max) {
			cap = cap > max / 2 ? max + 1 : cap * 2;
			char *bigger = realloc(buf, cap);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
		if (!buf) {
			errno = ENOMEM;
			goto fail;
		}
		ssize_t n = used + 1 < cap ? read(fd, buf + used, cap - used - 1) : read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			goto too_large;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
too_large:
	format_size(max, limit, sizeof(limit));
	snprintf(err, errlen, "%s: larger than %s, the most pinbench reads from such a file", path, limit);
	goto out;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

char *read_line_file(const char *path)
{
	size_t len;
	char *s = read_file(path, &len);

	if (s && len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	return s;
}

int write_knob(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	int e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	int fd, e = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = -errno;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (!e && fsync(fd))
		e = -errno;
	close(fd);
	if (!e && rename(tmp, path))
		e = -errno;
	if (e)
		unlink(tmp);
	return e;
}

static char *temp_name(const char *path)
{
	char *tmp;

	if (asprintf(&tmp, "%s.tmp-%d", path, (int)getpid()) < 0)
		return NULL;
	return tmp;
}

FILE *open_atomic(const char *path)
{
	char *tmp = temp_name(path);
	FILE *f = tmp ? fopen(tmp, "w") : NULL;

	if (!f)
		pb_err("%s: %s", path, strerror(errno));
	free(tmp);
	return f;
}

int close_atomic(const char *path, FILE *f)
{
	char *tmp = temp_name(path);
	int bad = ferror(f) | fclose(f);

	if (bad || rename(tmp, path)) {
		pb_err("%s: %s", path, strerror(errno ? errno : EIO));
		unlink(tmp);
		free(tmp);
		return 2;
	}
	free(tmp);
	return 0;
}

const char *path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int write_json_atomic(const char *path, const json_t *j, size_t flags)
{
	char *text = j ? json_dumps(j, flags) : NULL;

	if (!text)
		return -EINVAL;
	int ret = write_file_atomic(path, text, strlen(text));
	free(text);
	return ret;
}

int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = fd < 0 || fsync(fd) ? -errno : 0;

	if (fd >= 0)
		close(fd);
	return ret;
}

int mkdir_p(const char *path, unsigned mode)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **list_dir_sorted(const char *dir, bool (*keep)(const char *path, const char *name), size_t *n, char *err,
		       size_t errlen)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[4200];

	*n = 0;
	if (!dh) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(dh))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!keep(path, de->d_name))
			continue;
		names = xrealloc(names, (*n + 1) * sizeof(*names));
		names[(*n)++] = xstrdup(path);
	}
	closedir(dh);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	return names ? names : xcalloc(1, sizeof(*names));
}

void free_strings(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

int remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
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

void default_results_dir(const char *name, char *buf, size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "results/%s-%s", name, stamp);
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
