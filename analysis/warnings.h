/* What a verdict can hide and a reader must be told: a first iteration
 * that was still warming up, a tail that moved against the median, two
 * sides that hold the same runs. */
#ifndef PB_WARNINGS_H
#define PB_WARNINGS_H

#include "compare.h"
#include "dataset.h"

#include <jansson.h>
#include <stdio.h>

struct warnings {
	char **text;
	size_t n;
};

/* The pins of the first counted iteration against the later ones
 * (Mann-Whitney on the pooled pins): slower by more than 10 % at alpha. */
void warnings_of_dataset(const struct dataset *d, double alpha, struct warnings *w);
/* Tails against medians, shared runs; and both datasets' own. */
void warnings_of_comparison(const struct comparison *c, struct warnings *w);
void warnings_print(FILE *f, const struct warnings *w, const char *indent);
json_t *warnings_json(const struct warnings *w);
void warnings_free(struct warnings *w);

#endif
