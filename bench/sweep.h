/* A capacity sweep: the grid a scenario's [sweep] section spans, the
 * scenario of each point, and running the points one `pinbench run` each
 * (DIR/point-NN), resuming an interrupted sweep. Fitting the results is
 * analysis' (capacity.h); cli/cmd_capacity.c joins the two. */
#ifndef PB_SWEEP_H
#define PB_SWEEP_H

#include "ini_doc.h"

#include <stddef.h>

enum { SWEEP_MAX_AXES = 8, SWEEP_MAX_POINTS = 1000 };

struct sweep_axis {
	char section[64], key[64];
	char **values;
	size_t n;
	unsigned line;
};

struct sweep {
	struct sweep_axis a[SWEEP_MAX_AXES];
	size_t naxes, npoints;
	char max_failure_rate[32], plan[256];
};

/* Checks the value of a [sweep] key that is not an axis (max_failure_rate,
 * plan) as its user will read it: 0, or -1 with the reason in why. */
typedef int (*sweep_check_fn)(const char *key, const char *value, char *why, size_t len);

/* The [sweep] section of doc; -1 with "FILE:LINE: ..." in err. */
int sweep_read(struct ini_doc *doc, struct sweep *sw, sweep_check_fn check, char *err, size_t len);
/* Point p's scenario text (malloc'd) and its label ("pin.size=64M"). */
char *sweep_point_text(const struct ini_doc *doc, const struct sweep *sw, size_t p);
void sweep_point_label(const struct sweep *sw, size_t p, char *buf, size_t len);
/* Whether every point's scenario parses, naming the swept key at fault. */
int sweep_check_points(const struct ini_doc *doc, const struct sweep *sw, char *err, size_t len);
void sweep_free(struct sweep *sw);
/* The grid and its points as JSON at path (the point directories' names). */
int sweep_write_json(const char *path, const char *scenario, const struct sweep *sw);
/* A new dir, or one holding an interrupted sweep of the same scenario text. */
int sweep_prepare_dir(const char *dir, const char *text);
/* Runs every point not yet complete: EXIT_OK, EXIT_FAILED when it stopped
 * (interrupted or a point failed), or EXIT_CANNOT when a point could not
 * run here. */
int sweep_run(const char *dir, const struct ini_doc *doc, const struct sweep *sw);

#endif
