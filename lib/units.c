#include "config.h"
#include "units.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits "12.5ms" into the number and the unit; rejects empty, negative,
 * NaN and trailing garbage. */
static int split_number(const char *s, double *num, const char **unit, char *err, size_t errlen)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '-' || *s == '+' || !(isdigit((unsigned char)*s) || *s == '.')) {
		snprintf(err, errlen, "'%s' is not a non-negative number", s);
		return -1;
	}
	errno = 0;
	*num = strtod(s, &end);
	if (errno || end == s || *num != *num) {
		snprintf(err, errlen, "'%s' is not a number", s);
		return -1;
	}
	*unit = end;
	return 0;
}

int parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
	static const struct { const char *suffix; uint64_t mult; } units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", KIB }, { "kb", KIB }, { "kib", KIB },
		{ "m", MIB }, { "mb", MIB }, { "mib", MIB },
		{ "g", GIB }, { "gb", GIB }, { "gib", GIB },
		{ "t", 1024 * GIB }, { "tb", 1024 * GIB }, { "tib", 1024 * GIB },
	};
	const char *unit;
	double num;

	if (split_number(s, &num, &unit, err, errlen))
		goto bad;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcasecmp(unit, units[i].suffix))
			continue;
		double bytes = num * (double)units[i].mult;
		if (bytes >= 18446744073709551615.0) {
			snprintf(err, errlen, "'%s' is too large", s);
			return -1;
		}
		if (bytes != (double)(uint64_t)bytes) {
			snprintf(err, errlen, "'%s' is not a whole number of bytes", s);
			return -1;
		}
		*out = (uint64_t)bytes;
		return 0;
	}
bad:
	snprintf(err, errlen, "'%s' is not a size (use e.g. 4096, 64K, 512M, 2G)", s);
	return -1;
}

int parse_duration_ns(const char *s, uint64_t *out, char *err, size_t errlen)
{
	static const struct { const char *suffix; double mult; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	const char *unit;
	double num;

	if (split_number(s, &num, &unit, err, errlen))
		goto bad;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(unit, units[i].suffix))
			continue;
		double ns = num * units[i].mult;
		if (ns > 1e18) {
			snprintf(err, errlen, "'%s' is too long", s);
			return -1;
		}
		*out = (uint64_t)(ns + 0.5);
		return 0;
	}
bad:
	snprintf(err, errlen, "'%s' is not a duration (use e.g. 250ms, 2s, 1m)", s);
	return -1;
}

int parse_uint(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s)) {
		snprintf(err, errlen, "'%s' is not a whole number", s);
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end) {
		snprintf(err, errlen, "'%s' is not a whole number", s);
		return -1;
	}
	if (v > max) {
		snprintf(err, errlen, "%llu is more than the maximum %" PRIu64, v, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_bool(const char *s, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	snprintf(err, errlen, "'%s' is not yes or no", s);
	return -1;
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t i = 0;

	while (v >= 1024 && i + 1 < ARRAY_SIZE(names)) {
		v /= 1024;
		i++;
	}
	if (i == 0 || v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, names[i]);
	else
		snprintf(buf, len, "%.1f %s", v, names[i]);
}

bool key_is_size(const char *key)
{
	for (const char *part = key; *part;) {
		size_t n = strcspn(part, ".");
		if ((n > 6 && !strncmp(part + n - 6, "_bytes", 6)) || (n > 5 && !strncmp(part + n - 5, "_size", 5)))
			return true;
		part += n + (part[n] == '.');
	}
	return false;
}
