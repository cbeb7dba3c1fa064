#include "config.h"
#include "options.h"
#include "util.h"
#include "units.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool option_is_choice(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices;; p++) {
		const char *bar = strchrnul(p, '|');
		if ((size_t)(bar - p) == n && !strncmp(p, v, n))
			return true;
		if (!*bar)
			return false;
		p = bar;
	}
}

/* "a,b,c" from "|a|b|c": the empty choice is not named. */
static void choice_list(const char *choices, const char *sep, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (const char *p = choices; *p;) {
		size_t n = strcspn(p, "|");
		if (n)
			appendf(buf, len, &o, "%s%.*s", o ? sep : "", (int)n, p);
		p += n + (p[n] == '|');
	}
}

static int choice_error(const char *v, const char *choices, char *err, size_t len)
{
	char list[256];

	choice_list(choices, ",", list, sizeof(list));
	snprintf(err, len, "'%s' is not one of %s", v, list);
	return -1;
}

int option_check_choice(const char *choices, const char *v, char *err, size_t len)
{
	return option_is_choice(choices, v) ? 0 : choice_error(v, choices, err, len);
}

/* A number of o's type in words: "64 MiB", "2 s", "16". */
static void format_value(const struct scenario_key *o, uint64_t v, char *buf, size_t len)
{
	if (o->type == OPT_T_SIZE)
		format_size(v, buf, len);
	else if (o->type == OPT_T_DURATION)
		snprintf(buf, len, "%" PRIu64 " ns", v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static int parse_number(const struct scenario_key *o, const char *v, uint64_t *n, char *err, size_t len)
{
	char a[32];

	if (o->word && !strcmp(v, o->word)) {
		*n = UINT64_MAX;
		return 0;
	}
	if (o->type == OPT_T_SIZE ? parse_size(v, n, err, len)
	    : o->type == OPT_T_DURATION ? parse_duration_ns(v, n, err, len)
					 : parse_uint(v, o->max, n, err, len))
		return -1;
	if (*n < o->min) {
		format_value(o, o->min, a, sizeof(a));
		snprintf(err, len, "must be at least %s", a);
		return -1;
	}
	if (*n > o->max) {
		format_value(o, o->max, a, sizeof(a));
		snprintf(err, len, "'%s' is more than the maximum %s", v, a);
		return -1;
	}
	if (o->align && *n % o->align) {
		format_value(o, o->align, a, sizeof(a));
		snprintf(err, len, "must be a multiple of %s", a);
		return -1;
	}
	return 0;
}

static int parse_text(const struct scenario_key *o, const char *v, char *f, char *err, size_t len)
{
	if (o->type == OPT_T_CHOICE && option_check_choice(o->choices, v, err, len))
		return -1;
	if (o->check && o->check(v, err, len))
		return -1;
	if (strlen(v) >= o->size) {
		snprintf(err, len, "is longer than %zu characters", o->size - 1);
		return -1;
	}
	memcpy(f, v, strlen(v) + 1);
	return 0;
}

int option_parse(const struct scenario_key *o, const char *v, void *base, char *err, size_t len)
{
	void *f = (char *)base + o->offset;

	switch (o->type) {
	case OPT_T_TYPE:
		return 0;
	case OPT_T_CUSTOM:
		return o->parse(v, f, err, len);
	case OPT_T_UINT:
	case OPT_T_SIZE:
	case OPT_T_DURATION:
		return parse_number(o, v, f, err, len);
	case OPT_T_BOOL:
		return parse_bool(v, f, err, len);
	case OPT_T_STRING:
	case OPT_T_CHOICE:
		return parse_text(o, v, f, err, len);
	}
	snprintf(err, len, "internal: key %s has no type", o->key);
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
	for (size_t i = 0; i < n; i++)
		appendf(buf, len, &o, "%s%s", o ? ", " : "", opts[i].key);
}

int option_defaults(const struct scenario_key *opts, size_t n, void *base, char *err, size_t len)
{
	char why[256];

	for (size_t i = 0; i < n; i++) {
		if (!opts[i].def || opts[i].type == OPT_T_TYPE)
			continue;
		if (option_parse(&opts[i], opts[i].def, base, why, sizeof(why))) {
			snprintf(err, len, "internal: default of %s: %s", opts[i].key, why);
			return -1;
		}
	}
	return 0;
}

static void describe_number(const struct scenario_key *o, const char *what, char *buf, size_t len)
{
	char a[32], b[32];
	size_t at = 0;

	appendf(buf, len, &at, "%s", what);
	format_value(o, o->min, a, sizeof(a));
	format_value(o, o->max, b, sizeof(b));
	if (o->max < UINT64_MAX - 1)
		appendf(buf, len, &at, ", %s to %s", a, b);
	else if (o->min)
		appendf(buf, len, &at, ", at least %s", a);
	if (o->align) {
		format_value(o, o->align, a, sizeof(a));
		appendf(buf, len, &at, ", a multiple of %s", a);
	}
	if (o->word)
		appendf(buf, len, &at, ", or %s", o->word);
}

void option_describe(const struct scenario_key *o, char *buf, size_t len)
{
	char list[256];

	buf[0] = '\0';
	switch (o->type) {
	case OPT_T_TYPE: snprintf(buf, len, "the section's kind"); break;
	case OPT_T_UINT: describe_number(o, "a whole number", buf, len); break;
	case OPT_T_SIZE: describe_number(o, "a size (K, M, G, T)", buf, len); break;
	case OPT_T_DURATION: snprintf(buf, len, "a duration (ns, us, ms, s, m, h)"); break;
	case OPT_T_BOOL: snprintf(buf, len, "yes or no"); break;
	case OPT_T_STRING: snprintf(buf, len, "text"); break;
	case OPT_T_CHOICE:
		choice_list(o->choices, ", ", list, sizeof(list));
		snprintf(buf, len, "one of %s%s", list, o->choices[0] == '|' ? ", or empty" : "");
		break;
	case OPT_T_CUSTOM:
		if (o->choice_names)
			snprintf(buf, len, "one of %s", o->choice_names());
		break;
	}
}

/* Every choice of o shorter than its field. */
static int choices_fit(const struct scenario_key *o, char *err, size_t len)
{
	for (const char *p = o->choices; *p;) {
		size_t n = strcspn(p, "|");
		if (n >= o->size) {
			snprintf(err, len, "%s: choice '%.*s' does not fit its %zu bytes", o->key, (int)n, p, o->size);
			return -1;
		}
		p += n + (p[n] == '|');
	}
	return 0;
}

int option_table_check(const struct scenario_key *opts, size_t n, size_t struct_size, char *err, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const struct scenario_key *o = &opts[i];
		if (option_find(opts, i, o->key)) {
			snprintf(err, len, "%s: listed twice", o->key);
			return -1;
		}
		if (o->type != OPT_T_TYPE && (o->offset + o->size > struct_size || !o->help || !*o->help)) {
			snprintf(err, len, "%s: field outside the struct, or no help", o->key);
			return -1;
		}
		if (o->type == OPT_T_CHOICE && choices_fit(o, err, len))
			return -1;
	}
	char *buf = xcalloc(1, struct_size ? struct_size : 1);
	int ret = option_defaults(opts, n, buf, err, len);
	free(buf);
	return ret;
}
