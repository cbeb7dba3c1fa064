#include "config.h"
#include "zoneinfo.h"
#include "util.h"
#include "files.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fields we keep, as "key value" lines (leading blanks ignored). */
static uint64_t *zone_field(struct zone_info *z, const char *key)
{
	if (!strcmp(key, "present"))
		return &z->present;
	if (!strcmp(key, "managed"))
		return &z->managed;
	if (!strcmp(key, "spanned"))
		return &z->spanned;
	if (!strcmp(key, "nr_free_pages"))
		return &z->free;
	if (!strcmp(key, "nr_free_cma"))
		return &z->free_cma;
	if (!strcmp(key, "start_pfn:"))
		return &z->start_pfn;
	return NULL;
}

int zoneinfo_parse(const char *text, struct zoneinfo *zi, unsigned *bad_line)
{
	struct zone_info *cur = NULL;
	size_t cap = 0;
	unsigned line = 0;

	memset(zi, 0, sizeof(*zi));
	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');
		char buf[256], key[64], name[16];
		size_t len = (size_t)(eol - p);
		int node;
		unsigned long long v;

		line++;
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = *eol ? eol + 1 : eol;

		if (!strncmp(buf, "Node ", 5)) {
			if (sscanf(buf, "Node %d, zone %15s", &node, name) != 2)
				goto bad;
			if (zi->n == cap) {
				cap = cap ? cap * 2 : 8;
				zi->zones = xrealloc(zi->zones, cap * sizeof(*zi->zones));
			}
			cur = &zi->zones[zi->n++];
			memset(cur, 0, sizeof(*cur));
			cur->node = node;
			snprintf(cur->name, sizeof(cur->name), "%s", name);
			continue;
		}
		if (!cur)
			continue;
		/* "pages free N" is the first line of a zone's page counts. */
		if (sscanf(buf, " pages free %llu", &v) == 1) {
			cur->free = v;
			continue;
		}
		if (sscanf(buf, " %63s %llu", key, &v) == 2) {
			uint64_t *f = zone_field(cur, key);
			if (f)
				*f = v;
		}
	}
	return 0;
bad:
	if (bad_line)
		*bad_line = line;
	zoneinfo_free(zi);
	return -1;
}

int zoneinfo_read(struct zoneinfo *zi)
{
	char *text = read_file("/proc/zoneinfo", NULL);
	int ret;

	if (!text)
		return -errno;
	ret = zoneinfo_parse(text, zi, NULL) ? -EINVAL : 0;
	free(text);
	return ret;
}

void zoneinfo_free(struct zoneinfo *zi)
{
	free(zi->zones);
	memset(zi, 0, sizeof(*zi));
}

uint64_t zoneinfo_present(const struct zoneinfo *zi, int node, const char *name)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < zi->n; i++)
		if ((node < 0 || zi->zones[i].node == node) && !strcmp(zi->zones[i].name, name))
			sum += zi->zones[i].present;
	return sum;
}
