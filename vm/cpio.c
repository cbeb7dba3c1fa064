#include "config.h"
#include "cpio.h"
#include "log.h"
#include "util.h"
#include "files.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libarchive's failure, said once; the archive is then worthless. */
static void fail(struct cpio *c)
{
	if (c->error)
		return;
	c->error = archive_errno(c->a) > 0 ? -archive_errno(c->a) : -EIO;
	pb_debug("cpio: %s", archive_error_string(c->a) ? archive_error_string(c->a) : "write error");
}

void cpio_begin(struct cpio *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->ino = 1;
	c->a = archive_write_new();
	if (!c->a) {
		c->error = -ENOMEM;
		return;
	}
	/* No padding to a 10 KiB block after the trailer: the archives of one
	 * file follow each other directly (the kernel skips NUL padding, but
	 * there is no need for it), and no timestamp in the gzip header, so
	 * the same inputs give the same bytes. */
	if (archive_write_set_format_cpio_newc(c->a) || archive_write_add_filter_gzip(c->a) ||
	    archive_write_set_filter_option(c->a, "gzip", "timestamp", NULL) ||
	    archive_write_set_bytes_in_last_block(c->a, 1) || archive_write_open_FILE(c->a, f))
		fail(c);
}

static bool has(const struct cpio *c, const char *path)
{
	for (size_t i = 0; i < c->npaths; i++)
		if (!strcmp(c->paths[i], path))
			return true;
	return false;
}

/* Whether path was already added; remembers it when not. */
static bool seen(struct cpio *c, const char *path)
{
	if (has(c, path))
		return true;
	c->paths = xrealloc(c->paths, (c->npaths + 1) * sizeof(*c->paths));
	c->paths[c->npaths++] = xstrdup(path);
	return false;
}

/* Every directory above path, outermost first. */
static void add_parents(struct cpio *c, const char *path)
{
	char *dir = xstrdup(path);

	for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		cpio_add_dir(c, dir);
		*slash = '/';
	}
	free(dir);
}

/* One entry, owned by root, time 0: the same inputs give the same archive. */
static void entry(struct cpio *c, const char *path, unsigned mode, const void *data, size_t len)
{
	struct archive_entry *e;

	if (c->error)
		return;
	e = archive_entry_new();
	archive_entry_set_pathname(e, path + (path[0] == '/'));
	archive_entry_set_mode(e, mode);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_nlink(e, S_ISDIR(mode) ? 2 : 1);
	archive_entry_set_ino(e, c->ino++);
	if (archive_write_header(c->a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(c->a, data, len) != (la_ssize_t)len))
		fail(c);
	archive_entry_free(e);
}

void cpio_add_dir(struct cpio *c, const char *path)
{
	if (seen(c, path))
		return;
	add_parents(c, path);
	entry(c, path, S_IFDIR | 0755, NULL, 0);
}

void cpio_add_data(struct cpio *c, const char *path, const void *data, size_t len, unsigned mode)
{
	if (seen(c, path))
		return;
	add_parents(c, path);
	entry(c, path, S_IFREG | mode, data, len);
}

int cpio_add_file(struct cpio *c, const char *path, const char *host_path, unsigned mode)
{
	size_t len;
	char *data;

	if (has(c, path))
		return 0;
	data = read_file(host_path, &len);
	if (!data) {
		int err = -errno;
		if (!c->error)
			c->error = err;
		return err;
	}
	cpio_add_data(c, path, data, len, mode);
	free(data);
	return c->error;
}

int cpio_end(struct cpio *c)
{
	if (c->a && archive_write_close(c->a) != ARCHIVE_OK)
		fail(c);
	if (c->a)
		archive_write_free(c->a);
	c->a = NULL;
	for (size_t i = 0; i < c->npaths; i++)
		free(c->paths[i]);
	free(c->paths);
	c->paths = NULL;
	c->npaths = 0;
	return c->error;
}
