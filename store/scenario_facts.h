/* What the results database keeps of a stored run's scenario beside its
 * name: its identity (analysis/differences.h: the content a comparison
 * refuses to mix, hashed), and, to tell identities apart in a message,
 * the pin jobs' backends, memory types and sizes and the node count.
 * Selections and history series hold one identity; the name only finds
 * it. */
#ifndef PB_SCENARIO_FACTS_H
#define PB_SCENARIO_FACTS_H

#include "db.h"
#include "differences.h"

#include <jansson.h>
#include <stddef.h>

struct scenario_facts {
	char identity[DIFFERENCES_IDENTITY_LEN];
	long nodes;                                 /* NUMA nodes of the machine (topology) */
	char backend[128], memory[128], sizes[256]; /* of the pin jobs, '/' between jobs */
};

void scenario_facts(json_t *run, struct scenario_facts *f);
/* "iommufd, anon, 64 MiB in 2 MiB chunks, 1 node" */
void scenario_facts_describe(const char *backend, const char *memory, const char *sizes, long nodes, char *buf,
			     size_t len);
/* Schema 2's data step: the facts of every run stored before them, from
 * its run.json. 0, or -1 with one line in err. */
int scenario_facts_backfill(struct db *db, char *err, size_t errlen);

#endif
