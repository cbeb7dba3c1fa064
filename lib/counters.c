#include "config.h"
#include "counters.h"
#include "util.h"
#include "clock.h"
#include "files.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void counters_push(struct counters *c, const char *name, size_t namelen, uint64_t v, size_t *cap)
{
	if (c->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		c->names = xrealloc(c->names, *cap * sizeof(*c->names));
		c->values = xrealloc(c->values, *cap * sizeof(*c->values));
	}
	c->names[c->n] = xstrndup(name, namelen);
	c->values[c->n] = v;
	c->n++;
}

int counters_parse(const char *text, struct counters *c, unsigned *bad_line)
{
	size_t cap = 0;
	unsigned line = 0;

	memset(c, 0, sizeof(*c));
	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');
		const char *sp = memchr(p, ' ', (size_t)(eol - p));
		char *end;

		line++;
		if (eol == p) { /* empty line */
			p = *eol ? eol + 1 : eol;
			continue;
		}
		if (!sp || sp == p)
			goto bad;
		errno = 0;
		unsigned long long v = strtoull(sp + 1, &end, 10);
		if (errno || end == sp + 1 || end != eol || sp[1] == '-')
			goto bad;
		counters_push(c, p, (size_t)(sp - p), v, &cap);
		p = *eol ? eol + 1 : eol;
	}
	return 0;
bad:
	if (bad_line)
		*bad_line = line;
	counters_free(c);
	return -1;
}

int counters_read(const char *path, struct counters *c)
{
	char *text = read_file(path, NULL);
	int ret;

	if (!text)
		return -errno;
	ret = counters_parse(text, c, NULL) ? -EINVAL : 0;
	free(text);
	return ret;
}

void counters_free(struct counters *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

long counters_find(const struct counters *c, const char *name, size_t hint)
{
	if (hint < c->n && !strcmp(c->names[hint], name))
		return (long)hint;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name))
			return (long)i;
	return -1;
}

int64_t counters_delta(const struct counters *before, const struct counters *after, size_t i)
{
	long j = counters_find(before, after->names[i], i);
	uint64_t old = j < 0 ? 0 : before->values[j];

	return (int64_t)(after->values[i] - old);
}

int vmstat_snapshot_take(struct vmstat_snapshot *s, const int *node_ids, size_t nnodes)
{
	char path[128];
	int ret;

	memset(s, 0, sizeof(*s));
	s->t_ns = now_ns();
	ret = counters_read("/proc/vmstat", &s->system);
	if (ret)
		return ret;
	s->nnodes = nnodes;
	s->node_ids = xcalloc(nnodes ? nnodes : 1, sizeof(*s->node_ids));
	s->nodes = xcalloc(nnodes ? nnodes : 1, sizeof(*s->nodes));
	for (size_t i = 0; i < nnodes; i++) {
		s->node_ids[i] = node_ids[i];
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/vmstat", node_ids[i]);
		/* A kernel without CONFIG_NUMA has no per-node files: leave empty. */
		counters_read(path, &s->nodes[i]);
	}
	return 0;
}

void vmstat_snapshot_free(struct vmstat_snapshot *s)
{
	counters_free(&s->system);
	for (size_t i = 0; i < s->nnodes; i++)
		counters_free(&s->nodes[i]);
	free(s->nodes);
	free(s->node_ids);
	memset(s, 0, sizeof(*s));
}

bool counter_is_migration_related(const char *name)
{
	static const char *const prefixes[] = {
		"pgmigrate_", "thp_migration_", "thp_split_", "compact_", "cma_",
		"nr_isolated_", "numa_pages_migrated",
	};

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}
