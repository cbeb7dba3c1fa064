/* Declarative option tables: every key a section may hold, its default,
 * its parser and its help. Scenario sections (pin jobs, stressors) are
 * each described by one table. */
#ifndef PB_OPTIONS_H
#define PB_OPTIONS_H

#include <stddef.h>

/* (text) -> field at base + offset; 0, or -1 with a reason in err. */
typedef int (*opt_parser)(const char *val, void *field, char *err, size_t len);

struct scenario_key {
	const char *key;
	const char *def; /* NULL: no default */
	opt_parser parse;
	size_t offset;
	const char *help;
};

/* Field types: uint64_t for count/u64/size/duration, bool for bool,
 * char[OPT_STRING_MAX] for string. */
#define OPT_STRING_MAX 192
int opt_count(const char *v, void *field, char *err, size_t len);    /* 1..1000000 */
int opt_u64(const char *v, void *field, char *err, size_t len);
int opt_size(const char *v, void *field, char *err, size_t len);
int opt_duration(const char *v, void *field, char *err, size_t len); /* ns */
int opt_bool(const char *v, void *field, char *err, size_t len);
int opt_string(const char *v, void *field, char *err, size_t len);

/* Checks v is one of the words in choices ("a|b|c"); copies it into
 * field (char[OPT_STRING_MAX]). */
int opt_choice(const char *v, const char *choices, void *field, char *err, size_t len);

const struct scenario_key *option_find(const struct scenario_key *opts, size_t n, const char *key);
/* "a, b, c" */
void option_names(const struct scenario_key *opts, size_t n, char *buf, size_t len);
/* Parses every default into base. 0, or -1 with the key in err. */
int option_defaults(const struct scenario_key *opts, size_t n, void *base, char *err, size_t len);

#endif
