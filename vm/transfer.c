#include "config.h"
#include "transfer.h"
#include "base64.h"
#include "nodelist.h"
#include "util.h"
#include "files.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One file being received. */
struct incoming {
	char name[64];
	size_t size;
	char *b64;
	size_t b64_len;
	bool open;
};

/* Only plain names: the guest never writes outside dir. */
static bool good_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= 64 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static void fact(struct guest_report *r, const char *key, const char *value)
{
	r->started = true;
	if (!strcmp(key, "release"))
		snprintf(r->release, sizeof(r->release), "%s", value);
	else if (!strcmp(key, "nodes"))
		snprintf(r->nodes, sizeof(r->nodes), "%s", value);
	else if (!strcmp(key, "movable_pages"))
		r->movable_pages = strtol(value, NULL, 10);
	else if (!strcmp(key, "cma_kb"))
		r->cma_kb = *value ? strtol(value, NULL, 10) : 0;
	else if (!strcmp(key, "vfio"))
		snprintf(r->vfio, sizeof(r->vfio), "%s", value);
	else if (!strcmp(key, "mem_kb"))
		r->mem_kb = strtol(value, NULL, 10);
	else if (!strcmp(key, "uptime_init"))
		r->uptime_init = strtod(value, NULL);
	else if (!strcmp(key, "uptime_run"))
		r->uptime_run = strtod(value, NULL);
	else if (!strcmp(key, "uptime_sent"))
		r->uptime_sent = strtod(value, NULL);
}

static int finish_file(struct incoming *in, const char *dir, char *err, size_t errlen)
{
	long n = base64_decode(in->b64 ? in->b64 : "", in->b64_len);
	char path[4200];
	int ret;

	in->open = false;
	if (n < 0 || (size_t)n != in->size) {
		snprintf(err, errlen, "%s arrived damaged (%s)", in->name, n < 0 ? "bad base64" : "wrong size");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, in->name);
	ret = write_file_atomic(path, in->b64 ? in->b64 : "", (size_t)n);
	if (ret)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret ? -1 : 0;
}

static int start_file(struct incoming *in, const char *args, char *err, size_t errlen)
{
	unsigned long long size;

	if (sscanf(args, "%63s %llu", in->name, &size) != 2 || !good_name(in->name)) {
		snprintf(err, errlen, "bad file header '%s'", args);
		return -1;
	}
	in->size = (size_t)size;
	in->b64_len = 0;
	in->open = true;
	return 0;
}

static void append_b64(struct incoming *in, const char *line, size_t n)
{
	in->b64 = xrealloc(in->b64, in->b64_len + n + 1);
	memcpy(in->b64 + in->b64_len, line, n);
	in->b64_len += n;
}

static int handle_line(struct incoming *in, char *line, const char *dir, struct guest_report *r, char *err,
		       size_t errlen)
{
	char key[32];
	int value_at = 0;

	if (in->open && !strncmp(line, "PINBENCH-END ", 13)) {
		if (strcmp(line + 13, in->name)) {
			snprintf(err, errlen, "%s ended as '%s'", in->name, line + 13);
			return -1;
		}
		if (finish_file(in, dir, err, errlen))
			return -1;
		r->nfiles++;
	} else if (in->open) {
		append_b64(in, line, strlen(line));
	} else if (!strncmp(line, "PINBENCH-FILE ", 14)) {
		return start_file(in, line + 14, err, errlen);
	} else if (!strncmp(line, "PINBENCH-EXIT ", 14)) {
		r->exit_status = atoi(line + 14);
	} else if (sscanf(line, "PINBENCH-FACT %31s %n", key, &value_at) == 1 && value_at) {
		fact(r, key, line + value_at);
	}
	return 0;
}

int transfer_read(const char *stream, size_t len, const char *dir, struct guest_report *r, char *err,
		  size_t errlen)
{
	struct incoming in = { 0 };
	const char *p = stream, *end = stream + len;
	char line[4096];
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->movable_pages = r->cma_kb = r->mem_kb = -1;
	r->uptime_init = r->uptime_run = r->uptime_sent = NAN;
	r->exit_status = -1;
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) /* the stream was cut in this line */
			break;
		size_t n = (size_t)(nl - p);
		while (n && p[n - 1] == '\r')
			n--;
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		ret = handle_line(&in, line, dir, r, err, errlen);
		p = nl + 1;
	}
	if (!ret && in.open)
		snprintf(r->truncated, sizeof(r->truncated), "%s", in.name);
	free(in.b64);
	return ret;
}

unsigned node_list_count(const char *list)
{
	int nodes[NODE_LIST_MAX];
	unsigned n;
	char why[128];

	return node_list_parse(list, nodes, &n, why, sizeof(why)) ? 0 : n;
}
