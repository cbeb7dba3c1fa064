#include "config.h"
#include "ini_doc.h"
#include "util.h"
#include "files.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The section buffer size inside libinih (MAX_SECTION in its ini.c, not
 * exported by ini.h). */
#define INIH_MAX_SECTION 50

struct reader {
	struct ini_doc *d;
	const char *p;      /* rest of the text */
	unsigned line;      /* lines handed to inih so far */
	bool blank_start;   /* the current line begins with white space */
	bool too_long;
	bool long_section;
	unsigned fail_line; /* first line our handler refused */
	bool failed;
	/* the [section] lines so far: one given twice would read as a key
	 * set twice, or merge two sections without a word */
	char **sections;
	unsigned *section_lines;
	size_t nsections;
	unsigned dup_line, dup_first; /* a section given again, and where first */
	char dup_name[INIH_MAX_SECTION];
};

/* A "[name]" line (after blanks, as inih reads it): 0, or -1 when the
 * section was given before (r->dup_* say which). */
static int note_section(struct reader *r, const char *buf)
{
	const char *p = buf + strspn(buf, " \t");
	const char *close_ = *p == '[' ? strchr(p, ']') : NULL;

	if (!close_)
		return 0;
	size_t n = (size_t)(close_ - p - 1);
	for (size_t i = 0; i < r->nsections; i++)
		if (strlen(r->sections[i]) == n && !strncmp(r->sections[i], p + 1, n)) {
			r->dup_line = r->line;
			r->dup_first = r->section_lines[i];
			snprintf(r->dup_name, sizeof(r->dup_name), "%.*s", (int)n, p + 1);
			return -1;
		}
	r->sections = xrealloc(r->sections, (r->nsections + 1) * sizeof(*r->sections));
	r->section_lines = xrealloc(r->section_lines, (r->nsections + 1) * sizeof(*r->section_lines));
	r->section_lines[r->nsections] = r->line;
	r->sections[r->nsections++] = xstrndup(p + 1, n);
	return 0;
}

/* fgets for a string, counting lines: inih calls the handler right after
 * reading the line a key is on, so the count is that key's line. */
static char *reader_gets(char *buf, int size, void *stream)
{
	struct reader *r = stream;
	const char *eol;
	size_t len;

	if (!*r->p)
		return NULL;
	/* A line ends at \n, \r\n or a lone \r (old Mac files). */
	eol = r->p + strcspn(r->p, "\r\n");
	len = (size_t)(eol - r->p) + (*eol != '\0') + (eol[0] == '\r' && eol[1] == '\n');
	r->line++;
	if (len >= (size_t)size) {
		r->too_long = true;
		return NULL;
	}
	memcpy(buf, r->p, len);
	buf[len] = '\0';
	/* inih cuts longer section names short without a word: refuse them. */
	const char *close_ = buf[0] == '[' ? strchr(buf, ']') : NULL;
	if (close_ && close_ - buf - 1 >= INIH_MAX_SECTION) {
		r->long_section = true;
		return NULL;
	}
	if (!r->failed && note_section(r, buf))
		return NULL;
	r->blank_start = buf[0] == ' ' || buf[0] == '\t';
	r->p += len;
	return buf;
}

static int reader_fail(struct reader *r)
{
	r->failed = true;
	r->fail_line = r->line;
	return 0;
}

static int reader_oom(struct reader *r)
{
	snprintf(r->d->err, r->d->errlen, "%s:%u: %s", r->d->name, r->line, strerror(ENOMEM));
	return reader_fail(r);
}

static int reader_handler(void *user, const char *section, const char *key, const char *value)
{
	struct reader *r = user;
	struct ini_doc *d = r->d;

	if (r->failed) /* inih reads on after an error; the first one is reported */
		return 0;
	if (!*section) {
		snprintf(d->err, d->errlen, "%s:%u: key '%s' is outside any section%s", d->name, r->line, key,
			 d->hint ? d->hint : "");
		return reader_fail(r);
	}
	const struct ini_entry *first = ini_doc_find(d, section, key);
	struct ini_entry *last = d->n ? &d->e[d->n - 1] : NULL;
	if (r->blank_start && last && first == last) {
		/* inih hands an indented line on as the previous key's value
		 * again: it continues that value, joined by a space. */
		size_t old = strlen(last->value);
		char *joined = realloc(last->value, old + strlen(value) + 2);
		if (!joined)
			return reader_oom(r);
		last->value = joined;
		sprintf(joined + old, " %s", value);
		return 1;
	}
	if (first) {
		snprintf(d->err, d->errlen, "%s:%u: [%s] key '%s' is set twice (first on line %u)", d->name,
			 r->line, section, key, first->line);
		return reader_fail(r);
	}
	struct ini_entry *e = realloc(d->e, (d->n + 1) * sizeof(*d->e));
	if (!e)
		return reader_oom(r);
	d->e = e;
	e = &d->e[d->n];
	*e = (struct ini_entry){ strdup(section), strdup(key), strdup(value), r->line, r->blank_start };
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		return reader_oom(r);
	}
	d->n++;
	return 1;
}

int ini_doc_parse(struct ini_doc *d, const char *text)
{
	struct reader r = { .d = d, .p = text };
	int ret = ini_parse_stream(reader_gets, &r, reader_handler, &r);

	if (r.too_long) {
		snprintf(d->err, d->errlen, "%s:%u: line is longer than %d characters", d->name, r.line,
			 INI_MAX_LINE - 2);
		ret = -1;
	} else if (r.long_section) {
		snprintf(d->err, d->errlen, "%s:%u: section name is longer than %d characters", d->name, r.line,
			 INIH_MAX_SECTION - 1);
		ret = -1;
	} else if (ret > 0 && (!r.failed || (unsigned)ret < r.fail_line)) {
		/* inih's own syntax error came first */
		snprintf(d->err, d->errlen, "%s:%d: not a [section], key = value, or ; comment", d->name, ret);
	} else if (!ret && r.dup_line) {
		snprintf(d->err, d->errlen, "%s:%u: section [%s] appears twice (first on line %u): give each "
			 "section's keys together, once", d->name, r.dup_line, r.dup_name, r.dup_first);
		ret = -1;
	}
	for (size_t i = 0; i < r.nsections; i++)
		free(r.sections[i]);
	free(r.sections);
	free(r.section_lines);
	return ret ? -1 : 0;
}

void ini_doc_free(struct ini_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->e[i].section);
		free(d->e[i].key);
		free(d->e[i].value);
	}
	free(d->e);
	d->e = NULL;
	d->n = 0;
}

/* The line of text's first byte that is not UTF-8, 0 if there is none:
 * every name and value ends up in JSON, which must be UTF-8. */
static unsigned first_non_utf8_line(const char *text, size_t len)
{
	unsigned line = 1;

	if (utf8_valid(text, len))
		return 0;
	for (const char *p = text, *end = text + len; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (!utf8_valid(p, n))
			return line;
		p += n + 1;
	}
	return line;
}

char *ini_doc_read(const char *path, char *err, size_t errlen)
{
	size_t len;
	unsigned line = 1;
	char *text = read_input_file(path, INI_DOC_MAX_BYTES, &len, err, errlen);

	if (!text)
		return NULL;
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		snprintf(err, errlen, "%s:%u: NUL byte: not a text file", path, line);
		free(text);
		return NULL;
	}
	line = first_non_utf8_line(text, len);
	if (line) {
		snprintf(err, errlen, "%s:%u: not UTF-8 text (save the file as UTF-8)", path, line);
		free(text);
		return NULL;
	}
	return text;
}

const struct ini_entry *ini_doc_find(const struct ini_doc *d, const char *section, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->e[i].section, section) && !strcmp(d->e[i].key, key))
			return &d->e[i];
	return NULL;
}

unsigned ini_doc_section_line(const struct ini_doc *d, const char *section)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->e[i].section, section))
			return d->e[i].line;
	return 0;
}

const char **ini_doc_sections(const struct ini_doc *d, size_t *n)
{
	const char **names = xmalloc((d->n + 1) * sizeof(*names));

	*n = 0;
	for (size_t i = 0; i < d->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < *n && !seen; j++)
			seen = !strcmp(names[j], d->e[i].section);
		if (!seen)
			names[(*n)++] = d->e[i].section;
	}
	return names;
}

/* The set holding key, and its entry in *o; NULL when none does. */
static const struct option_set *find_in_sets(const struct option_set *sets, size_t nsets, const char *key,
					     const struct scenario_key **o)
{
	for (size_t i = 0; i < nsets; i++)
		if ((*o = option_find(sets[i].opts, sets[i].n, key)))
			return &sets[i];
	return NULL;
}

static void set_names(const struct option_set *sets, size_t nsets, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nsets; i++) {
		char part[512];
		option_names(sets[i].opts, sets[i].n, part, sizeof(part));
		if (*part)
			appendf(buf, len, &o, "%s%s", o ? ", " : "", part);
	}
}

int ini_doc_apply_sets(struct ini_doc *d, const char *section, const struct option_set *sets, size_t nsets)
{
	char why[256], known[512];

	for (size_t i = 0; i < d->n; i++) {
		struct ini_entry *e = &d->e[i];
		const struct scenario_key *o;
		if (strcmp(e->section, section))
			continue;
		const struct option_set *set = find_in_sets(sets, nsets, e->key, &o);
		if (!set) {
			set_names(sets, nsets, known, sizeof(known));
			snprintf(d->err, d->errlen, "%s:%u: [%s] unknown key '%s' (known: %s)", d->name, e->line,
				 section, e->key, known);
			return -1;
		}
		if (option_parse(o, e->value, set->base, why, sizeof(why))) {
			snprintf(d->err, d->errlen, "%s:%u: [%s] key '%s': %s", d->name, e->line, section, e->key,
				 why);
			return -1;
		}
	}
	return 0;
}

int ini_doc_apply(struct ini_doc *d, const char *section, const struct scenario_key *opts, size_t n, void *base)
{
	struct option_set set = { opts, n, base };

	return ini_doc_apply_sets(d, section, &set, 1);
}

int ini_doc_apply_with_defaults(struct ini_doc *d, const char *section, const struct scenario_key *opts,
				size_t n, void *base)
{
	return option_defaults(opts, n, base, d->err, d->errlen) || ini_doc_apply(d, section, opts, n, base);
}
