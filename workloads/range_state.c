#include "config.h"
#include "util.h"
#include "range_state.h"

#include <stdlib.h>

void range_state_init(struct range_state *rs)
{
	pthread_mutex_init(&rs->lock, NULL);
	rs->n = rs->cap = 0;
	rs->v = NULL;
}

void range_state_put(struct range_state *rs, const void *addr, void *data)
{
	pthread_mutex_lock(&rs->lock);
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	rs->v[rs->n].addr = addr;
	rs->v[rs->n].data = data;
	rs->n++;
	pthread_mutex_unlock(&rs->lock);
}

void *range_state_take(struct range_state *rs, const void *addr)
{
	void *data = NULL;

	pthread_mutex_lock(&rs->lock);
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->v[i].addr == addr) {
			data = rs->v[i].data;
			rs->v[i] = rs->v[--rs->n];
			break;
		}
	}
	pthread_mutex_unlock(&rs->lock);
	return data;
}

void range_state_free(struct range_state *rs)
{
	free(rs->v);
	rs->v = NULL;
	rs->n = rs->cap = 0;
}
