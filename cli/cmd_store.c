/* pinbench store [--db URL] [--label TEXT] [--host NAME] RUN...: run
 * directories into the results database. Exit 0 stored (or already
 * there), 2 bad input or a database that cannot be used. */
#include "config.h"
#include "cmd.h"
#include "db.h"
#include "log.h"
#include "store.h"
#include "paths.h"
#include "exitcode.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: pinbench store [--db URL] [--label TEXT] [--host NAME] RUN...\n"
	"\n"
	"Adds run directories (also directories of them, pinbench vm and capacity\n"
	"outputs) to the results database. A run stored before is left as it is.\n"
	"  -d, --db URL       sqlite:FILE (default " DB_DEFAULT_URL ") or postgresql://...\n"
	"  -l, --label TEXT   what the runs measured, e.g. a commit (default: the kernel release)\n"
	"  -H, --host NAME    the machine (default: run.json's hostname; a pinbench vm guest's\n"
	"                     runs get this machine's)\n"
	"Exit: 0 stored or already there, 2 bad input or an unusable database; nothing is\n"
	"written unless every run could be read.\n";

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
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "label", required_argument, NULL, 'l' },
		{ "host", required_argument, NULL, 'H' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct store_options o = { 0 };
	const char *url = DB_DEFAULT_URL;
	struct store_counts c;
	struct db db;
	char err[1024];
	int opt;

	while ((opt = getopt_long(argc, argv, "d:l:H:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': url = optarg; break;
		case 'l': o.label = optarg; break;
		case 'H': o.host = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_BAD_INPUT;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pinbench: store needs at least one RUN\n%s", usage);
		return EXIT_BAD_INPUT;
	}
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
