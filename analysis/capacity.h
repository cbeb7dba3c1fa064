/* Capacity planning from a sweep (`pinbench capacity`): a directory of
 * run directories, one per grid point, and sweep.json. Per node: pin time
 * against pinned size (least squares, with prediction intervals),
 * throughput with and without migration, the largest size whose failure
 * rate stays under the target, and the time to pin planned guest sizes.
 * Its tables, text, JSON, plot and document: views/capacity_view.h. */
#ifndef PB_CAPACITY_H
#define PB_CAPACITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sweep directory's description, written by the sweep runner. */
#define SWEEP_JSON "sweep.json"
#define CAPACITY_JSON "capacity.json"

/* [sweep] max_failure_rate: "1%" or a fraction, between 0 and 100 %.
 * 0, or -1 with a reason in why. */
int capacity_parse_rate(const char *s, double *rate, char *why, size_t len);
/* [sweep] plan: "64G, 256G, 1T", at most CAPACITY_MAX_PLAN non-zero sizes. */
#define CAPACITY_MAX_PLAN 16
int capacity_parse_plan(const char *s, uint64_t *plan, size_t *n, char *why, size_t len);

bool capacity_is_sweep(const char *dir);

enum { CAPACITY_MAX_NODES = 64 };

/* A growing array of values. */
struct capacity_values {
	double *v;
	size_t n, cap;
};

/* One sweep point on one node. */
struct point_node {
	double size;             /* bytes asked per iteration (successful or not) */
	uint64_t pins, failures;
};

struct node_cap {
	int node;
	struct capacity_values x, y;    /* per iteration where every pin succeeded: bytes, seconds */
	struct capacity_values gbps_mig, gbps_plain; /* per pin: had to migrate, or not */
	struct point_node *pts;  /* one per complete sweep point */
	size_t npts;
	/* the fit: seconds = c0 + c1 * bytes */
	bool fitted;
	double c0, c1, cov00, cov01, cov11, sumsq, r2, xmax;
};

/* A sweep analysed: per node, the measurements, the fit and the points. */
struct capacity {
	struct node_cap nodes[CAPACITY_MAX_NODES];
	size_t nnodes, points, complete;
	double max_failure_rate, alpha;
	uint64_t plan[CAPACITY_MAX_PLAN];
	size_t nplan;
	char first_run[4400];
	uint64_t host_bytes, movable_bytes; /* of the first point's host (0: unknown) */
};

/* Reads and fits the complete points of the sweep in dir. 0, or -1 after
 * printing why; capacity_free either way. */
int capacity_load(struct capacity *c, const char *dir, double alpha);
void capacity_free(struct capacity *c);
/* Seconds to pin x bytes on a node and the prediction interval (a new
 * observation, not the mean) at 1 - alpha. */
void capacity_predict(const struct node_cap *nc, double x, double alpha, double *y, double *lo, double *hi);
/* The median of values (sorted in place); NAN when there are none. */
double capacity_median(struct capacity_values *g);
/* Pins without a failure that would bound the rate by target. */
double capacity_pins_to_show(double target, double alpha);
/* The largest size whose failure rate is shown to be at most target; 0
 * when none is. */
double capacity_largest_safe_size(const struct node_cap *nc, double target, double alpha);
/* A planned guest split evenly over the nodes: the slowest node's
 * prediction, and how far beyond the sizes measured it reaches. */
void capacity_plan_row(const struct capacity *c, uint64_t guest, double *y, double *lo, double *hi, double *beyond);
/* What the host could not do at all for this guest, or NULL. */
const char *capacity_plan_exceeds(const struct capacity *c, uint64_t guest);

#endif
