/* An INI file read into a list of entries that remember their line, so
 * that every later complaint can name FILE:LINE: [section] key. libinih
 * does the parsing; this adds line numbers, duplicate keys and the checks
 * inih leaves out (over-long lines and section names). */
#ifndef PB_INI_DOC_H
#define PB_INI_DOC_H

#include "options.h"

#include <stdbool.h>
#include <stddef.h>

struct ini_entry {
	char *section, *key, *value;
	unsigned line;
	bool leading_blank;
};

struct ini_doc {
	const char *name;        /* for messages: the file name */
	const char *hint;        /* appended to "key 'k' is outside any section" */
	size_t n;
	struct ini_entry *e;
	char *err;
	size_t errlen;
};

/* Fills d->e from text; 0, or -1 with "NAME:LINE: reason" in d->err. */
int ini_doc_parse(struct ini_doc *d, const char *text);
void ini_doc_free(struct ini_doc *d);

/* The largest INI file read: scenarios and rules are a few KiB. */
#define INI_DOC_MAX_BYTES (1024 * 1024)

/* Reads a text file for parsing: a regular file of at most
 * INI_DOC_MAX_BYTES, UTF-8, without NUL bytes (refused with their line).
 * NULL with "PATH: reason" in err. */
char *ini_doc_read(const char *path, char *err, size_t errlen);

const struct ini_entry *ini_doc_find(const struct ini_doc *d, const char *section, const char *key);
/* The line of the section's first key (0 if it has none). */
unsigned ini_doc_section_line(const struct ini_doc *d, const char *section);
/* Section names in the order they first appear; *n gets the count.
 * The array is malloc'd, the names belong to d. */
const char **ini_doc_sections(const struct ini_doc *d, size_t *n);

/* One option table and the struct it fills. */
struct option_set {
	const struct scenario_key *opts;
	size_t n;
	void *base;
};

/* Applies one section's entries through several option tables (a pin
 * job's and its backend's): a key is looked up in each in turn; one in
 * none of them, and values refused, are errors naming file, line and key. */
int ini_doc_apply_sets(struct ini_doc *d, const char *section, const struct option_set *sets, size_t nsets);
/* Applies one section's entries through an option table: unknown keys and
 * values the table's parsers refuse are errors naming file, line and key. */
int ini_doc_apply(struct ini_doc *d, const char *section, const struct scenario_key *opts, size_t n,
		  void *base);
/* option_defaults, then ini_doc_apply. */
int ini_doc_apply_with_defaults(struct ini_doc *d, const char *section, const struct scenario_key *opts,
				size_t n, void *base);

#endif
