/* Whether two run directories ran the same thing: the list of what
 * differs between their run.json files, each difference marked as one
 * that makes a comparison meaningless (the scenario, the node count, the
 * run-directory schema) or one a comparison is made for (kernel, config,
 * command line, knobs, zones, pinbench's version). */
#ifndef PB_DIFFERENCES_H
#define PB_DIFFERENCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct difference {
	char *key;         /* scenario.pin.size, kernel.release, knobs./proc/sys/vm/..., topology.numa_nodes */
	char *base, *cand; /* the values as text; "(none)" where a side lacks the key */
	bool refuse;       /* the sides did not run the same thing */
};

struct differences {
	struct difference *d;
	size_t n;
};

/* Appends what differs between two run.json objects to out (which starts
 * zeroed); a NULL side (a plain file of numbers) has nothing to compare. */
void differences_find(json_t *base, json_t *cand, struct differences *out);
void differences_free(struct differences *ds);
/* The first difference that refuses the comparison, or NULL. */
const struct difference *differences_refusing(const struct differences *ds);
/* "scenario.pin.size: 134217728 -> 67108864" lines, at most max (0: all),
 * each after indent; says how many more there are. */
void differences_print(FILE *f, const struct differences *ds, const char *indent, size_t max);
/* A side's value as text shows it: a size in bytes as a size ("1 GiB");
 * value itself otherwise. JSON keeps the number. */
const char *difference_text(const struct difference *d, const char *value, char *buf, size_t len);
/* [ { "key", "base", "candidate", "refuses" }... ] */
json_t *differences_json(const struct differences *ds);

/* A scenario's identity: what differences_find refuses a comparison on
 * (the pin jobs as the run resolved them, [global]'s keys but how many
 * runs, the scenario text without comments, blanks and how many runs,
 * the NUMA node count, the run-directory schema), hashed (FNV-1a, 16 hex
 * digits). Two run.json of one identity compare without --force, two of
 * different identities do not, whatever their scenarios are named. */
#define DIFFERENCES_IDENTITY_LEN 17
void differences_identity(json_t *run, char out[DIFFERENCES_IDENTITY_LEN]);

#endif
