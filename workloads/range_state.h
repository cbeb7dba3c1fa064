/* Per-range state of a range stressor: what before_pin set up for a pin
 * range, found again by after_unpin. Workers of different nodes call the
 * hooks concurrently, hence the lock. */
#ifndef PB_RANGE_STATE_H
#define PB_RANGE_STATE_H

#include <pthread.h>
#include <stddef.h>

struct range_state {
	pthread_mutex_t lock;
	size_t n, cap;
	struct { const void *addr; void *data; } *v;
};

void range_state_init(struct range_state *rs);
void range_state_put(struct range_state *rs, const void *addr, void *data);
/* Removes and returns the data put for addr, or NULL. */
void *range_state_take(struct range_state *rs, const void *addr);
void range_state_free(struct range_state *rs);

#endif
