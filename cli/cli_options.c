#include "config.h"
#include "cli_options.h"
#include "exitcode.h"
#include "log.h"

#include <assert.h>
#include <stdarg.h>
#include <string.h>

#define USAGE_WIDTH 80
#define HELP_COLUMN_MAX 30

#define EACH_OPTION(o, tables)                                                                     \
	for (const struct cli_option *const *t_ = (tables); *t_; t_++)                              \
		for (const struct cli_option *o = *t_; o->name; o++)

void cli_parser_init(struct cli_parser *p, const struct cli_option *const *tables)
{
	size_t n = 0, s = 0;

	memset(p, 0, sizeof(*p));
	p->optstring[s++] = ':'; /* a missing argument is ':', told apart from an unknown option */
	EACH_OPTION(o, tables) {
		assert(n < CLI_MAX_OPTIONS); /* a table larger than the parser is a bug */
		p->longopts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
		if (o->key < CLI_LONG) {
			p->optstring[s++] = (char)o->key;
			if (o->arg)
				p->optstring[s++] = ':';
		}
	}
}

/* What the last cli_getopt could not take. */
static char bad_option[160];

int cli_getopt(const struct cli_parser *p, int argc, char **argv)
{
	opterr = 0; /* its message, then the whole usage, was too much: one line says it */
	int c = getopt_long(argc, argv, p->optstring, p->longopts, NULL);
	const char *given = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (c == ':' && !strncmp(given, "--", 2))
		snprintf(bad_option, sizeof(bad_option), "option '%.100s' needs an argument", given);
	else if (c == ':')
		snprintf(bad_option, sizeof(bad_option), "option '-%c' needs an argument", optopt);
	else if (c == '?' && optopt)
		snprintf(bad_option, sizeof(bad_option), "unknown option '-%c'", optopt);
	else if (c == '?')
		snprintf(bad_option, sizeof(bad_option), "unknown option '%.*s'", (int)strcspn(given, "="), given);
	return c == ':' ? '?' : c;
}

static int usage_failv(const char *command, const char *fmt, va_list ap)
{
	char why[1024];

	if (fmt)
		vsnprintf(why, sizeof(why), fmt, ap);
	else
		snprintf(why, sizeof(why), "%s", bad_option[0] ? bad_option : "bad usage");
	pb_err("%s: %s; see 'pinbench %s --help'", command, why, command);
	return EXIT_BAD_INPUT;
}

int cli_usage_fail(const char *command, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int ret = usage_failv(command, fmt, ap);
	va_end(ap);
	return ret;
}

int cli_usage_error(const struct cli_usage *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int ret = usage_failv(u->command ? u->command : "COMMAND", fmt, ap);
	va_end(ap);
	return ret;
}

/* "  -o, --output DIR" or "      --force" */
static int option_head(const struct cli_option *o, char *buf, size_t len)
{
	char shortname[8] = "    ";

	if (o->key < CLI_LONG)
		snprintf(shortname, sizeof(shortname), "-%c, ", o->key);
	return snprintf(buf, len, "  %s--%s%s%s", shortname, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* text from column col, words wrapped to USAGE_WIDTH; an explicit newline
 * starts a line too. */
static void print_wrapped(FILE *f, const char *text, int col, int at)
{
	while (*text) {
		size_t room = (size_t)(USAGE_WIDTH - col), n = strcspn(text, "\n");
		if (n > room) {
			n = room;
			while (n && text[n] != ' ')
				n--;
			if (!n) /* one word wider than the room: let it run over */
				n = strcspn(text, " \n");
		}
		fprintf(f, "%*s%.*s\n", col - at, "", (int)n, text);
		text += n;
		text += *text == ' ' || *text == '\n';
		at = 0;
	}
}

void cli_print_options(FILE *f, const struct cli_option *const *tables)
{
	char head[128];
	int col = 0;

	EACH_OPTION(o, tables) {
		int w = option_head(o, head, sizeof(head)) + 2;
		if (o->help && w > col && w <= HELP_COLUMN_MAX)
			col = w;
	}
	EACH_OPTION(o, tables) {
		if (!o->help)
			continue;
		int w = option_head(o, head, sizeof(head));
		fputs(head, f);
		if (w + 2 > col) { /* too wide: the help starts on the next line */
			fputc('\n', f);
			w = 0;
		}
		print_wrapped(f, o->help, col, w);
	}
}

void cli_usage_print(FILE *f, const struct cli_usage *u)
{
	if (u->before)
		fputs(u->before, f);
	cli_print_options(f, u->tables);
	if (u->after)
		fputs(u->after, f);
}
