/* pinbench store [--db URL] [--label TEXT] [--host NAME] RUN...: run
 * directories into the results database. Exit 0 stored (or already
 * there), 2 bad input or a database that cannot be used. */
#include "config.h"
#include "cmd.h"
#include "db.h"
#include "exitcode.h"
#include "log.h"
#include "paths.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

static const struct cli_option store_options[] = {
	{ "db", 'd', "URL", "sqlite:FILE (default " DB_DEFAULT_URL ") or postgresql://..." },
	{ "label", 'l', "TEXT", "what the runs measured, e.g. a commit (default: the kernel release)" },
	{ "host", 'H', "NAME",
	  "the machine (default: run.json's hostname; a pinbench vm guest's runs get this machine's)" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_store_options[] = { store_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench store [--db URL] [--label TEXT] [--host NAME] RUN...\n"
	"\n"
	"Adds run directories (also directories of them, pinbench vm and capacity\n"
	"outputs) to the results database. A run stored before is left as it is.\n",
	cmd_store_options,
	"Exit: 0 stored or already there, 2 bad input or an unusable database; nothing is\n"
	"written unless every run could be read.\n",
	"store",
};

/* The default SQLite file's directory exists in a checkout; elsewhere
 * the first store makes it. */
static void make_parent(const char *url)
{
	char dir[1024];
	const char *slash;

	if (strncmp(url, "sqlite:", 7) || !(slash = strrchr(url + 7, '/')) || slash == url + 7)
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - url - 7), url + 7);
	mkdir_p(dir, 0755);
}

int cmd_store(int argc, char **argv)
{
	struct store_options o = { 0 };
	const char *url = DB_DEFAULT_URL;
	struct store_counts c;
	struct db db;
	char err[1024];
	struct cli_parser parser;
	int opt;

	cli_parser_init(&parser, cmd_store_options);
	while ((opt = cli_getopt(&parser, argc, argv)) != -1) {
		switch (opt) {
		case 'd': url = optarg; break;
		case 'l': o.label = optarg; break;
		case 'H': o.host = optarg; break;
		case 'h': cli_usage_print(stdout, &usage); return 0;
		default: return cli_usage_error(&usage, NULL);
		}
	}
	if (optind >= argc)
		return cli_usage_error(&usage, "needs at least one RUN");
	make_parent(url);
	if (db_open(&db, url, true, err, sizeof(err))) {
		pb_err("%s", err);
		return EXIT_BAD_INPUT;
	}
	int ret = store_runs(&db, argv + optind, (size_t)(argc - optind), &o, &c, err, sizeof(err));
	db_close(&db);
	if (ret) {
		pb_err("%s", err);
		return EXIT_BAD_INPUT;
	}
	printf("%zu run(s) stored in %s", c.stored, url);
	if (c.already)
		printf(", %zu stored before (left as they were)", c.already);
	printf("\n");
	return 0;
}
