#include "config.h"
#include "document.h"
#include "base64.h"
#include "util.h"
#include "files.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Styles for screen and print; the page works without them too. */
static const char css[] =
	"body{font:15px/1.45 system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}"
	"h1{font-size:1.6em;border-bottom:2px solid #1f77b4}h2{margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:.6em 0;font-size:13px;display:block;overflow-x:auto;max-width:100%}"
	"th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}th{white-space:normal}"
	"th:first-child,td:first-child{text-align:left}th{background:#f2f4f8}"
	"table.wrap{display:table;width:100%}table.wrap th,table.wrap td{white-space:normal;text-align:left;"
	"vertical-align:top}table.wrap td:nth-child(-n+2){white-space:nowrap}"
	".good{color:#1a7f37;font-weight:600}.bad{color:#c62828;font-weight:600}.note{color:#9a6700}.undecided{color:#8250df}"
	".callout{padding:.6em 1em;border-left:5px solid #1f77b4;background:#f2f6fb}"
	".callout.bad{border-color:#c62828;background:#fdf0f0;color:#222}"
	".callout.good{border-color:#1a7f37;background:#f0f8f2;color:#222}"
	".callout.note{border-color:#9a6700;background:#fbf6ea;color:#222}"
	"pre{background:#f6f8fa;padding:.8em;overflow:auto;font-size:12px;white-space:pre-wrap}"
	"figure{margin:1em 0}figcaption{color:#555;font-size:13px}img{max-width:100%;height:auto}";

/* A terminal's output separates blocks by one blank line before the next,
 * so that nothing trails the last; a Markdown document leaves one after
 * each block. */
static bool streamed(const struct doc *d)
{
	return d->stream || d->fmt == DOC_TEXT;
}

static void close_list(struct doc *d)
{
	if (d->in_list && d->fmt == DOC_HTML)
		fputs("</ul>\n", d->f);
	else if (d->in_list && !streamed(d))
		fputc('\n', d->f);
	d->in_list = false;
}

static void block_begin(struct doc *d)
{
	close_list(d);
	if (streamed(d) && d->started)
		fputc('\n', d->f);
	d->started = true;
}

static void block_end(struct doc *d)
{
	if (!streamed(d))
		fputc('\n', d->f);
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

void doc_begin(struct doc *d, const char *title)
{
	d->in_list = false;
	if (d->fmt != DOC_HTML) {
		doc_heading(d, 0, "%s", title);
		return;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>", d->f);
	html_escape(d->f, title);
	fprintf(d->f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
	html_escape(d->f, title);
	fputs("</h1>\n", d->f);
}

void doc_end(struct doc *d)
{
	close_list(d);
	if (d->fmt == DOC_HTML)
		fputs("<p class=\"note\">Written by pinbench " PACKAGE_VERSION ".</p>\n</body>\n</html>\n", d->f);
}

void doc_heading(struct doc *d, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(fmt, ap);
	va_end(ap);

	block_begin(d);
	if (d->fmt != DOC_HTML) {
		fprintf(d->f, "%.*s%s%s\n", d->fmt == DOC_TEXT ? 0 : level + 1, "######", d->fmt == DOC_TEXT ? "" : " ", s);
		block_end(d);
	} else {
		fprintf(d->f, "<h%d>", level + 1);
		html_escape(d->f, s);
		fprintf(d->f, "</h%d>\n", level + 1);
	}
	free(s);
}

static void vpara(struct doc *d, const char *cls, const char *fmt, va_list ap)
{
	char *s = vformat(fmt, ap);

	block_begin(d);
	if (d->fmt != DOC_HTML) {
		fprintf(d->f, "%s%s\n", cls && d->fmt == DOC_MARKDOWN ? "> " : "", s);
		block_end(d);
	} else {
		fprintf(d->f, cls ? "<p class=\"callout %s\">" : "<p>", cls);
		html_escape(d->f, s);
		fputs("</p>\n", d->f);
	}
	free(s);
}

void doc_para(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpara(d, NULL, fmt, ap);
	va_end(ap);
}

void doc_callout(struct doc *d, const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpara(d, kind, fmt, ap);
	va_end(ap);
}

void doc_item(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(fmt, ap);
	va_end(ap);

	if (!d->in_list) {
		block_begin(d);
		if (d->fmt == DOC_HTML)
			fputs("<ul>\n", d->f);
	}
	d->in_list = true;
	if (d->fmt != DOC_HTML) {
		fprintf(d->f, "%s%s\n", d->fmt == DOC_TEXT ? "  " : "- ", s);
	} else {
		fputs("<li>", d->f);
		html_escape(d->f, s);
		fputs("</li>\n", d->f);
	}
	free(s);
}

void doc_table(struct doc *d, const struct table *t)
{
	block_begin(d);
	if (d->fmt != DOC_HTML) {
		table_print(t, d->f, d->fmt == DOC_MARKDOWN, d->colour);
		block_end(d);
	} else {
		table_print_html(t, d->f);
	}
}

void doc_pre(struct doc *d, const char *text)
{
	const char *nl = text[0] && text[strlen(text) - 1] == '\n' ? "" : "\n";

	block_begin(d);
	if (d->fmt == DOC_TEXT) {
		fprintf(d->f, "%s%s", text, nl);
	} else if (d->fmt == DOC_MARKDOWN) {
		fprintf(d->f, "```\n%s%s```\n", text, nl);
		block_end(d);
	} else {
		fputs("<pre>", d->f);
		html_escape(d->f, text);
		fputs("</pre>\n", d->f);
	}
}

void doc_plot(struct doc *d, const char *name)
{
	const struct plot_image *im = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; d->plots && i < d->plots->nimages && !im; i++)
		if (!strncmp(d->plots->images[i].file, name, len) && d->plots->images[i].file[len] == '.')
			im = &d->plots->images[i];
	if (!im || d->fmt == DOC_TEXT)
		return;
	block_begin(d);
	if (d->fmt == DOC_MARKDOWN) {
		fprintf(d->f, "![%s](%s/%s)\n", im->title, d->plots_rel, im->file);
		block_end(d);
		return;
	}
	char path[4400];
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", d->plots->dir, im->file);
	unsigned char *data = (unsigned char *)read_file(path, &n);
	if (!data)
		return;
	bool svg = strstr(im->file, ".svg") != NULL;
	fprintf(d->f, "<figure><img alt=\"");
	html_escape(d->f, im->title);
	fprintf(d->f, "\" src=\"data:image/%s;base64,", svg ? "svg+xml" : "png");
	base64_write(d->f, data, n);
	fputs("\"/><figcaption>", d->f);
	html_escape(d->f, im->title);
	fputs("</figcaption></figure>\n", d->f);
	free(data);
}
