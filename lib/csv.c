#include "config.h"
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_finite(const char *s, double *out, char *why, size_t len)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	*out = strtod(s, &end);
	const char *rest = end;
	while (*rest == ' ' || *rest == '\t' || *rest == '\r')
		rest++;
	if (end == s || *rest) {
		snprintf(why, len, "'%.40s' is not a number", s);
		return -1;
	}
	if (!isfinite(*out) || errno == ERANGE) {
		snprintf(why, len, "'%.40s' is not a finite number", s);
		return -1;
	}
	return 0;
}

int csv_each_line(char *text, size_t len, int (*fn)(char *line, unsigned no, void *ctx), void *ctx)
{
	char *p = text, *end = text + len;
	unsigned no = 1;

	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		*eol = '\0';
		int ret = fn(p, no++, ctx);
		if (ret)
			return ret;
		p = eol + 1;
	}
	return 0;
}

/* A quoted field at p ("a, ""b"""), unquoted in place: returns where the
 * field ends (its comma or the line's end). */
static char *unquote(char *p)
{
	char *out = p;

	for (p++; *p; p++) {
		if (*p == '"' && p[1] == '"')
			p++;
		else if (*p == '"') {
			p++;
			break;
		}
		*out++ = *p;
	}
	char *end = p + strcspn(p, ","); /* text after the closing quote is kept out */
	*out = '\0';
	return end;
}

size_t csv_split(char *line, char **field, size_t max)
{
	size_t n = 0;

	for (char *p = line; n < max;) {
		field[n++] = p;
		p = *p == '"' ? unquote(p) : p + strcspn(p, ",");
		if (!*p)
			break;
		*p++ = '\0';
	}
	if (n) { /* tolerate CRLF files */
		char *last = field[n - 1], *cr = strchr(last, '\r');
		if (cr && !cr[1])
			*cr = '\0';
	}
	return n;
}

void csv_write_text(FILE *f, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f); /* one row a line */
	}
	fputc('"', f);
}
