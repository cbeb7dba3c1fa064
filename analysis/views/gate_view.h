/* pinbench gate's views of its verdicts: the summary (terminal text, or
 * Markdown for a CI comment), JSON and JUnit XML, one testcase per rule:
 * every one from the same rule results, each with its reason. */
#ifndef PB_GATE_VIEW_H
#define PB_GATE_VIEW_H

#include <stdbool.h>
#include <jansson.h>
#include <stdio.h>

#include "gate.h"
#include "table.h"

void gate_print(FILE *f, const struct rules *rs, const struct rule_result *res, struct gate_tally t,
		const struct comparison *c, const struct gate_family *fam, bool markdown, bool colour);
void gate_junit(FILE *f, const struct rules *rs, const struct rule_result *res, struct gate_tally t,
		const struct comparison *c, const struct gate_family *fam);

json_t *gate_json(const struct rules *rs, const struct rule_result *res, struct gate_tally t,
		  const struct comparison *c, const struct gate_family *fam);

#endif
