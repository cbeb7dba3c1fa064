#include "config.h"
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void format_value(double v, const char *unit, char *buf, size_t len)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!strcmp(unit, "ns"))
		snprintf(buf, len, a < 1e3 ? "%.0f ns" : a < 1e6 ? "%.1f us" : a < 1e9 ? "%.1f ms" : "%.2f s",
			 a < 1e3 ? v : a < 1e6 ? v / 1e3 : a < 1e9 ? v / 1e6 : v / 1e9);
	else if (*unit)
		snprintf(buf, len, "%.3g %s", v, unit);
	else if ((v == floor(v) && a < 1e15) || (a >= 1e4 && a < 1e15)) /* counts: 196710, not 1.967e+05 */
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

void format_percent(double rel, char *buf, size_t len)
{
	if (isnan(rel))
		snprintf(buf, len, "-");
	else if (isinf(rel)) /* relative to 0 */
		snprintf(buf, len, "from 0");
	else if (rel == 0)
		snprintf(buf, len, "0%%");
	else if (fabs(rel) < 0.0005) /* not "-0.0%" beside "decreased" */
		snprintf(buf, len, "%+.2g%%", rel * 100);
	else
		snprintf(buf, len, "%+.1f%%", rel * 100);
}

void format_points(double delta, char *buf, size_t len)
{
	if (isnan(delta))
		snprintf(buf, len, "-");
	else if (delta == 0)
		snprintf(buf, len, "0 pp");
	else
		snprintf(buf, len, "%+.3g pp", delta * 100);
}

void format_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 1e-9)
		snprintf(buf, len, "<1e-9");
	else if (p < 0.001)
		snprintf(buf, len, "%.1e", p);
	else
		snprintf(buf, len, "%.3f", p);
}
