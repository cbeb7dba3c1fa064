/* NUMA node lists as the kernel prints them and scenarios write them:
 * "0", "0-1", "0,2-3". One parser for the scenario's `nodes =`, `env
 * movable` and the node list a guest reports. */
#ifndef PB_NODELIST_H
#define PB_NODELIST_H

#include <stddef.h>

/* The most nodes a list may name (the kernel's MAX_NUMNODES at most). */
#define NODE_LIST_MAX 1024

/* Parses text into nodes[] (at most NODE_LIST_MAX entries) and *n.
 * 0, or -1 with a reason in err: malformed, empty, a node out of range or
 * listed twice. */
int node_list_parse(const char *text, int *nodes, unsigned *n, char *err, size_t len);

#endif
