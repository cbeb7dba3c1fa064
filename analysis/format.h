/* Numbers in words, with their unit: what the sentences of the models
 * (verdicts, warnings, gate messages) and every view print, so that a
 * value reads the same in a message and in a table. */
#ifndef PB_FORMAT_H
#define PB_FORMAT_H

#include <stddef.h>

/* "42.1 ms", "1.54 GB/s", "983040": v in the metric's unit ("ns", ...). */
void format_value(double v, const char *unit, char *buf, size_t len);
/* "+3.9%", "-0.025%", "0%", "from 0" (infinite: relative to 0), NAN "-" */
void format_percent(double rel, char *buf, size_t len);
/* A difference of two rates (fractions) in percentage points: "+16.1 pp" */
void format_points(double delta, char *buf, size_t len);
/* "0.0042", "<1e-9" (NAN: "-") */
void format_p(double p, char *buf, size_t len);

#endif
