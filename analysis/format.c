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
	else if (v == floor(v) && a < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

void format_percent(double rel, char *buf, size_t len)
{
	if (isnan(rel))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.1f%%", rel * 100);
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
