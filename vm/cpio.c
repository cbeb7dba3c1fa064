#include "config.h"
#include "cpio.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cpio_begin(struct cpio *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->ino = 1;
}

static void check_stream(struct cpio *c)
{
	if (ferror(c->f) && !c->error)
		c->error = -EIO;
}

static void pad4(struct cpio *c)
{
	static const char zeros[4];
	long at = ftell(c->f);

	if (at >= 0 && at % 4)
		fwrite(zeros, 1, (size_t)(4 - at % 4), c->f);
}

static void header(struct cpio *c, const char *name, unsigned mode, size_t size)
{
	size_t namesize = strlen(name) + 1;

	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	 * devminor, rdevmajor, rdevminor, namesize, check */
	fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		c->ino++, mode, 0, 0, S_ISDIR(mode) ? 2 : 1, 0, size, 0, 0, 0, 0, namesize, 0);
	fwrite(name, 1, namesize, c->f);
	pad4(c);
	check_stream(c);
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

void cpio_add_dir(struct cpio *c, const char *path)
{
	if (seen(c, path))
		return;
	add_parents(c, path);
	header(c, path + (path[0] == '/'), S_IFDIR | 0755, 0);
}

void cpio_add_data(struct cpio *c, const char *path, const void *data, size_t len, unsigned mode)
{
	if (seen(c, path))
		return;
	add_parents(c, path);
	header(c, path + (path[0] == '/'), S_IFREG | mode, len);
	fwrite(data, 1, len, c->f);
	pad4(c);
	check_stream(c);
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
	return 0;
}

int cpio_end(struct cpio *c)
{
	header(c, "TRAILER!!!", 0, 0);
	for (size_t i = 0; i < c->npaths; i++)
		free(c->paths[i]);
	free(c->paths);
	c->paths = NULL;
	c->npaths = 0;
	if (fflush(c->f) && !c->error)
		c->error = -errno;
	return c->error;
}
