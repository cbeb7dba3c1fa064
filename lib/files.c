#include "config.h"
#include "files.h"
#include "log.h"
#include "units.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	/* O_TRUNC as a shell's echo: ftrace's filter files add to what they
	 * hold without it (sysfs and procfs ignore it) */
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
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

int write_json_atomic(const char *path, const json_t *j, size_t flags)
{
	char *text = j ? json_dumps(j, flags) : NULL;

	if (!text)
		return -EINVAL;
	int ret = write_file_atomic(path, text, strlen(text));
	free(text);
	return ret;
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
		return EXIT_BAD_INPUT;
	}
	free(tmp);
	return 0;
}

void abandon_atomic(const char *path, FILE *f)
{
	char *tmp = temp_name(path);

	fclose(f);
	if (tmp)
		unlink(tmp);
	free(tmp);
}

int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = fd < 0 || fsync(fd) ? -errno : 0;

	if (fd >= 0)
		close(fd);
	return ret;
}

int copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = read_file(from, &len);
	int ret = data ? write_file_atomic(to, data, len) : -1;

	free(data);
	return ret;
}
