/* pinbench history: the series of one metric over the stored runs of a
 * scenario on a host, with its change points. Exit 0 (whether or not a
 * change point was found), 2 bad input or an unusable database. */
#include "config.h"
#include "cmd.h"
#include "analysis_cli.h"
#include "history.h"
#include "log.h"
#include "util.h"
#include "units.h"
#include "exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_HTML = CLI_LONG, OPT_PNG, OPT_SEED, OPT_IDENTITY };

static const struct cli_option history_options[] = {
	{ "db", 'd', "URL", "sqlite:FILE (default " DB_DEFAULT_URL ") or postgresql://..." },
	{ "scenario", 's', "S", "the scenario's name (needed when the database holds several): the scenarios "
				"(by content) of the runs stored under it" },
	{ "identity", OPT_IDENTITY, "ID", "the scenario by content: 4 to 16 hex digits of its identity, as a "
					  "refusal lists them" },
	{ "force", OPT_FORCE, NULL, "one series of runs of different scenarios (by content); what they differ in "
				    "is listed" },
	{ "host", 'H', "H", "the machine (needed when the runs come from several)" },
	{ "label", 'l', "L", "only runs with this label" },
	{ "last", 'n', "N", "only the newest N runs" },
	{ "metric", 'm', "M", "pin_latency (default), pin_throughput, failure_rate, vmstat.NAME..." },
	{ "format", 'f', "F", "text (default), json or csv" },
	{ "output", 'o', "FILE", "write there instead of stdout" },
	{ "html", OPT_HTML, "FILE", "an HTML page: the trend plot with change points marked, the tables" },
	{ "png", OPT_PNG, NULL, "PNG plots instead of SVG" },
	{ "alpha", 'a', "A", "significance of a change point (default 0.05)" },
	{ "permutations", 'r', "R", "permutations per test (default 199)" },
	{ "min-size", 'k', "K", "runs on each side of a change point, at least 2 (default 3)" },
	{ "seed", OPT_SEED, "S", "seed of the permutations (default 1)" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_history_options[] = { history_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench history [--db URL] [--scenario S] [--identity ID] [--force]\n"
	"         [--host H] [--label L] [--last N] [--metric M] [--format text|json|csv]\n"
	"         [-o FILE] [--html FILE [--png]] [--alpha A] [--permutations R]\n"
	"         [--min-size K] [--seed S]\n"
	"\n"
	"One value per stored run (default: the median of its per-run medians of pin_latency;\n"
	"any metric compare knows), oldest first, and the change points of that series\n"
	"(E-divisive: energy statistic, bisection, permutation test). A series is one\n"
	"scenario by content: runs of an edited scenario under its old name are refused.\n",
	cmd_history_options,
	NULL,
	"history",
};

struct history_args {
	struct analysis_args a; /* first: analysis_option gets it */
	struct history h;
	const char *url, *html;
	bool png, format_given;
};

static int parse_count(const char *arg, uint64_t min, uint64_t max, const char *what, uint64_t *out)
{
	char why[160], msg[300];

	if (parse_uint(arg, max, out, why, sizeof(why)) || *out < min) {
		snprintf(msg, sizeof(msg), "%s '%s': a whole number from %llu to %llu", what, arg,
			 (unsigned long long)min, (unsigned long long)max);
		analysis_usage(&usage, msg);
		return -1;
	}
	return 0;
}

static int history_option(struct analysis_args *a, int opt, const char *arg)
{
	struct history_args *g = (struct history_args *)a;
	uint64_t v;

	switch (opt) {
	case 'd': g->url = arg; return 0;
	case 's': g->h.filter.scenario = arg; return 0;
	case OPT_IDENTITY:
		if (!store_identity_valid(arg)) {
			analysis_usage(&usage, "--identity is 4 to 16 lowercase hex digits of a scenario's identity");
			return -1;
		}
		g->h.filter.identity = arg;
		return 0;
	case OPT_FORCE: g->h.filter.force = true; return 0;
	case 'H': g->h.filter.host = arg; return 0;
	case 'l': g->h.filter.label = arg; return 0;
	case 'm': g->h.metric = arg; return 0;
	case OPT_HTML: g->html = arg; return 0;
	case 'f':
	case 'o':
		g->format_given = true;
		return analysis_option(a, opt, arg, &usage);
	case OPT_PNG: g->png = true; return 0;
	case 'n':
		if (parse_count(arg, 1, 1000000000, "--last", &v))
			return -1;
		g->h.filter.last = (size_t)v;
		return 0;
	case 'r':
		if (parse_count(arg, 19, 100000, "--permutations", &v))
			return -1;
		g->h.params.permutations = (unsigned)v;
		return 0;
	case 'k':
		if (parse_count(arg, 2, 100000, "--min-size", &v))
			return -1;
		g->h.params.min_size = (size_t)v;
		return 0;
	case OPT_SEED:
		if (parse_count(arg, 0, UINT64_MAX, "--seed", &v))
			return -1;
		g->h.params.seed = v;
		return 0;
	case 'a':
		if (analysis_option(a, opt, arg, &usage))
			return -1;
		g->h.params.alpha = a->alpha;
		return 0;
	default:
		return analysis_option(a, opt, arg, &usage);
	}
}

static int write_output(struct history_args *g)
{
	int ret;
	FILE *f = analysis_open_output(&g->a, &ret);

	if (!f)
		return ret;
	if (!strcmp(g->a.format, "json"))
		analysis_print_json(f, history_json(&g->h));
	else if (!strcmp(g->a.format, "csv"))
		history_print_csv(&g->h, f);
	else
		history_print_text(&g->h, f);
	return analysis_close_output(&g->a, f);
}

/* No run of the selection has the metric: the nearest name they have,
 * when it is a near miss, and the names. */
static void no_value(struct db *db, const struct history_args *g, char *err, size_t len)
{
	char **names;
	size_t n, o = 0, best_d = 4;
	const char *best = NULL;

	o = (size_t)snprintf(err, len, "%s: no stored run has a value of '%s' for this selection", g->url, g->h.metric);
	if (store_metric_names(db, &g->h.filter, &names, &n, err + o, len - o)) /* the query's error instead */
		return;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(g->h.metric, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	if (best)
		appendf(err, len, &o, "; did you mean %s?", best);
	if (n)
		appendf(err, len, &o, " (its runs have:");
	for (size_t i = 0; i < n && i < 12; i++)
		appendf(err, len, &o, " %s", names[i]);
	if (n)
		appendf(err, len, &o, "%s)", n > 12 ? " ..." : "");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int cmd_history(int argc, char **argv)
{
	struct history_args g = { .a = { .alpha = 0.05, .format = "text" }, .url = DB_DEFAULT_URL };
	struct db db;
	char err[2048];
	int opt, ret;

	cp_defaults(&g.h.params);
	g.h.metric = "pin_latency";
	struct cli_parser parser;

	cli_parser_init(&parser, cmd_history_options);
	while ((opt = cli_getopt(&parser, argc, argv)) != -1)
		if (history_option(&g.a, opt, optarg))
			return opt == 'h' ? EXIT_OK : EXIT_BAD_INPUT;
	if (optind < argc)
		return analysis_usage(&usage, "history takes options only");
	if (strcmp(g.a.format, "text") && strcmp(g.a.format, "json") && strcmp(g.a.format, "csv"))
		return analysis_usage(&usage, "--format is text, json or csv");
	if (g.png && !g.html)
		return cli_usage_error(&usage, "--png draws the plots of --html; give it");
	g.h.url = g.url;
	if (db_open(&db, g.url, false, err, sizeof(err))) {
		pb_err("%s", err);
		return EXIT_BAD_INPUT;
	}
	ret = history_load(&g.h, &db, err, sizeof(err));
	if (!ret && !g.h.n) {
		no_value(&db, &g, err, sizeof(err));
		ret = -1;
	}
	db_close(&db);
	if (ret) {
		pb_err("%s", err);
		history_free(&g.h);
		return EXIT_BAD_INPUT;
	}
	/* with --html alone the page is the output */
	ret = g.html && !g.format_given ? 0 : write_output(&g);
	struct doc_options o = { .path = g.html, .fmt = DOC_HTML, .png = g.png, .alpha = g.h.params.alpha };
	if (!ret && g.html && history_document(&g.h, &o))
		ret = EXIT_BAD_INPUT;
	history_free(&g.h);
	return ret;
}
