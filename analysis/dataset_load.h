/* Between the dataset's files: the loaders dataset_load picks from, and
 * what they need of the builder beyond its public calls (dataset.h). */
#ifndef PB_DATASET_LOAD_H
#define PB_DATASET_LOAD_H

#include "dataset.h"

/* A run directory, or a directory of run directories pooled in name
 * order (dataset_rundir.c). */
int dataset_load_directory(const char *dir, struct dataset *d, const struct load_options *o, char *err,
			   size_t errlen);
/* A plain file of numbers, or o->column of a CSV file (dataset_numbers.c). */
int dataset_load_numbers(const char *path, struct dataset *d, const struct load_options *o, char *err, size_t errlen);

/* The runs added so far: where the next run directory's runs start. */
size_t dataset_builder_runs(const struct dataset_builder *b);
/* The metrics of b into d (none when ret is non-zero: a load failed), and
 * b freed; ret, or -1 with a message naming what when there is no pin. */
int dataset_builder_end(struct dataset_builder *b, struct dataset *d, int ret, const char *what, char *err,
			size_t errlen);

#endif
