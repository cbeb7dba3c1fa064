#include "config.h"
#include "options.h"
#include "util.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int opt_count(const char *v, void *f, char *err, size_t len)
{
	uint64_t n;

	if (parse_uint(v, 1000000, &n, err, len))
		return -1;
	if (n == 0) {
		snprintf(err, len, "must be at least 1");
		return -1;
	}
	*(uint64_t *)f = n;
	return 0;
}

int opt_u64(const char *v, void *f, char *err, size_t len)
{
	return parse_uint(v, UINT64_MAX, f, err, len);
}

int opt_size(const char *v, void *f, char *err, size_t len)
{
	return parse_size(v, f, err, len);
}

int opt_duration(const char *v, void *f, char *err, size_t len)
{
	return parse_duration_ns(v, f, err, len);
}

int opt_bool(const char *v, void *f, char *err, size_t len)
{
	return parse_bool(v, f, err, len);
}

int opt_string(const char *v, void *f, char *err, size_t len)
{
	if (strlen(v) >= OPT_STRING_MAX) {
		snprintf(err, len, "is longer than %d characters", OPT_STRING_MAX - 1);
		return -1;
	}
	snprintf(f, OPT_STRING_MAX, "%s", v);
	return 0;
}

int opt_choice(const char *v, const char *choices, void *f, char *err, size_t len)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		const char *bar = strchrnul(p, '|');
		if ((size_t)(bar - p) == n && !strncmp(p, v, n))
			return opt_string(v, f, err, len);
		p = *bar ? bar + 1 : bar;
	}
	char list[256];
	snprintf(list, sizeof(list), "%s", choices);
	for (char *c = list; *c; c++)
		if (*c == '|')
			*c = ',';
	snprintf(err, len, "'%s' is not one of %s", v, list);
	return -1;
}

const struct scenario_key *option_find(const struct scenario_key *opts, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(opts[i].key, key))
			return &opts[i];
	return NULL;
}

void option_names(const struct scenario_key *opts, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", opts[i].key);
}

int option_defaults(const struct scenario_key *opts, size_t n, void *base, char *err, size_t len)
{
	char why[256];

	for (size_t i = 0; i < n; i++) {
		if (!opts[i].def || !opts[i].parse)
			continue;
		if (opts[i].parse(opts[i].def, (char *)base + opts[i].offset, why, sizeof(why))) {
			snprintf(err, len, "internal: default of %s: %s", opts[i].key, why);
			return -1;
		}
	}
	return 0;
}
