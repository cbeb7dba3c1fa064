#include "config.h"
#include "nodelist.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Appends lo..hi unless one is already there. */
static int add_range(long lo, long hi, int *nodes, unsigned *n, char *err, size_t len)
{
	for (long node = lo; node <= hi; node++) {
		for (unsigned i = 0; i < *n; i++) {
			if (nodes[i] == node) {
				snprintf(err, len, "node %ld is listed twice", node);
				return -1;
			}
		}
		nodes[(*n)++] = (int)node;
	}
	return 0;
}

int node_list_parse(const char *text, int *nodes, unsigned *n, char *err, size_t len)
{
	const char *p = text;

	*n = 0;
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi;
		if (end == p || lo < 0 || lo >= NODE_LIST_MAX)
			goto bad;
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi >= NODE_LIST_MAX)
				goto bad;
		}
		if (add_range(lo, hi, nodes, n, err, len))
			return -1;
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (*n)
		return 0;
bad:
	snprintf(err, len, "'%s' is not 'all' or a node list such as 0,2-3", text);
	return -1;
}
