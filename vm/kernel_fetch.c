/* Debian's linux-source-SERIES when it is not installed: fetched once into
 * the kernel cache through a private apt sources list, never through the
 * machine's apt configuration.
 *
 * The private list names the Debian suites that carry kernel sources
 * (bookworm's 6.1 and 6.12, trixie's and its backports' 6.12 to 7.x, sid's
 * newest); apt picks the candidate as it always does, and the package is
 * unpacked (dpkg-deb -x) beside its list, so that only
 * /usr/src/linux-source-SERIES.tar.xz is kept. A fetched source is reused
 * by every later build without the network; removing its directory
 * (`pinbench kernel list` names it) fetches the newest again. */
#include "config.h"
#include "kernel_steps.h"
#include "log.h"
#include "util.h"
#include "files.h"
#include "paths.h"
#include "subprocess.h"
#include "exitcode.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEBIAN_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define FETCHED_MARKER ".pinbench-fetched"

/* The suites a kernel source may come from, oldest first. */
static const char *const suites[] = { "bookworm", "bookworm-updates", "bookworm-backports", "trixie",
				      "trixie-updates", "trixie-backports", "sid" };

static const char *mirror(void)
{
	const char *m = getenv("PINBENCH_DEBIAN_MIRROR");

	return m && *m ? m : "http://deb.debian.org/debian";
}

/* <cache>/apt, where the list, apt's state and the fetched sources live. */
static void apt_dir(const char *cache, char *buf, size_t len)
{
	snprintf(buf, len, "%s/apt", cache);
}

static int write_sources_list(const char *dir)
{
	char path[1200], *text;
	size_t len;
	FILE *f = xopen_memstream(&text, &len);

	fprintf(f, "# pinbench's own list for fetching linux-source-SERIES; the machine's apt\n"
		   "# configuration is not read (Dir::Etc::SourceParts=/dev/null).\n");
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
		fprintf(f, "deb [signed-by=%s] %s %s main\n", DEBIAN_KEYRING, mirror(), suites[i]);
	fclose(f);
	snprintf(path, sizeof(path), "%s/sources.list", dir);
	int ret = write_file_atomic(path, text, len);
	free(text);
	return ret;
}

/* The options that move every path apt reads its sources and lists from,
 * or writes its lists, caches and locks to, into dir. */
struct apt_paths {
	char list[1200], parts[40], lists[1200], cache[1200];
};

/* argv = PROGRAM, the options of p, then args; NULL-terminated. */
static void private_apt_argv(const char *program, const char *dir, struct apt_paths *p, char *const args[],
			     char **argv, size_t max)
{
	size_t n = 0;

	snprintf(p->list, sizeof(p->list), "Dir::Etc::SourceList=%s/sources.list", dir);
	snprintf(p->parts, sizeof(p->parts), "Dir::Etc::SourceParts=/dev/null");
	snprintf(p->lists, sizeof(p->lists), "Dir::State::Lists=%s/lists", dir);
	snprintf(p->cache, sizeof(p->cache), "Dir::Cache=%s/cache", dir);
	char *head[] = { (char *)program, "-q", "-o", p->list, "-o", p->parts, "-o", p->lists, "-o", p->cache };
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		argv[n++] = head[i];
	for (size_t i = 0; args[i] && n < max - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
}

/* apt-get ARGS on pinbench's own list: the system's lists, caches and
 * locks are left alone. */
static int private_apt(const char *dir, const char *cwd, const char *what, char *const args[])
{
	struct apt_paths p;
	char *argv[16];

	private_apt_argv("apt-get", dir, &p, args, argv, ARRAY_SIZE(argv));
	char *out;
	size_t len;
	int ret = spawn_capture_in(cwd, true, argv, &out, &len);
	if (ret)
		pb_err("kernel: %s failed (%s):\n%s", what, ret < 0 ? strerror(-ret) : "apt-get's exit status non-zero",
		       out ? out : "");
	free(out);
	return ret ? -1 : 0;
}

/* Whether dir/name is a whole fetched source (its marker is written last). */
static bool is_fetched(const char *dir, const char *name)
{
	char marker[1600];

	snprintf(marker, sizeof(marker), "%s/%s/" FETCHED_MARKER, dir, name);
	return access(marker, F_OK) == 0;
}

/* The directory a fetched linux-source-SERIES was unpacked into (the
 * newest by name when several were), or "". */
static void find_fetched(const char *dir, const char *series, char *buf, size_t len)
{
	char prefix[96];
	DIR *d = opendir(dir);
	struct dirent *e;

	buf[0] = '\0';
	snprintf(prefix, sizeof(prefix), "linux-source-%s_", series);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)) && is_fetched(dir, e->d_name) &&
		    (!buf[0] || strverscmp(e->d_name, path_base(buf)) > 0))
			snprintf(buf, len, "%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
}

/* Unpacks the one .deb apt-get download left in tmp to dir/PKG_VERSION. */
static int unpack_deb(const char *dir, const char *tmp, const char *series)
{
	char deb[1600] = "", version[128] = "", to[1800], marker[1900];
	DIR *d = opendir(tmp);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".deb"))
			snprintf(deb, sizeof(deb), "%s/%s", tmp, e->d_name);
	if (d)
		closedir(d);
	char *out = NULL;
	char *field[] = { "dpkg-deb", "-f", deb, "Version", NULL };
	if (!deb[0] || kernel_run(&out, field) || !out || sscanf(out, "%127[^\n]", version) != 1) {
		pb_err("kernel: apt-get download left no readable linux-source-%s package in %s", series, tmp);
		free(out);
		return EXIT_CANNOT;
	}
	free(out);
	snprintf(to, sizeof(to), "%s/linux-source-%s_%s", dir, series, version);
	remove_tree(to);
	char *extract[] = { "dpkg-deb", "-x", deb, to, NULL };
	if (kernel_run_or_say("unpacking the package", extract))
		return EXIT_CANNOT;
	snprintf(marker, sizeof(marker), "%s/" FETCHED_MARKER, to);
	if (write_file_atomic(marker, version, strlen(version))) {
		pb_err("kernel: cannot write %s: %s", marker, strerror(errno));
		return EXIT_CANNOT;
	}
	return 0;
}

static int fetch(const char *dir, const char *series)
{
	char sub[1200], tmp[1200], pkg[64];
	char *update[] = { "update", NULL };
	char *download[] = { "download", pkg, NULL };

	snprintf(pkg, sizeof(pkg), "linux-source-%s", series);
	snprintf(sub, sizeof(sub), "%s/lists/partial", dir);
	int ret = mkdir_p(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/cache/archives/partial", dir);
	ret = ret ? ret : mkdir_p(sub, 0755);
	snprintf(tmp, sizeof(tmp), "%s/.download-%d", dir, (int)getpid());
	ret = ret ? ret : mkdir_p(tmp, 0755);
	if (ret || write_sources_list(dir)) {
		pb_err("kernel: cannot prepare %s: %s", dir, strerror(errno));
		return EXIT_CANNOT;
	}
	pb_info("kernel: linux-source-%s is not installed; fetching it from %s (%s)", series, mirror(), dir);
	ret = private_apt(dir, NULL, "apt-get update with pinbench's list", update);
	ret = ret ? ret : private_apt(dir, tmp, "apt-get download", download);
	ret = ret ? EXIT_CANNOT : unpack_deb(dir, tmp, series);
	remove_tree(tmp);
	return ret;
}

int kernel_fetch_package(const struct build *b, char *tarball, size_t tlen, char *version, size_t vlen)
{
	char dir[1100], found[1400];
	const char *series = b->source;

	apt_dir(b->cache, dir, sizeof(dir));
	find_fetched(dir, series, found, sizeof(found));
	if (!found[0]) {
		int ret = fetch(dir, series);
		if (ret)
			return ret;
		find_fetched(dir, series, found, sizeof(found));
	}
	char marker[1500], *v;
	snprintf(marker, sizeof(marker), "%s/" FETCHED_MARKER, found);
	v = found[0] ? read_line_file(marker) : NULL;
	snprintf(tarball, tlen, "%s/usr/src/linux-source-%s.tar.xz", found, series);
	if (!v || access(tarball, R_OK)) {
		pb_err("kernel: the fetched linux-source-%s in %s has no %s", series, found[0] ? found : dir, tarball);
		free(v);
		return EXIT_CANNOT;
	}
	snprintf(version, vlen, "%s", v);
	free(v);
	return 0;
}

/* The series of the linux-source-SERIES packages apt's private lists know
 * (after a fetch), on one line. */
static void list_fetchable(FILE *f, const char *dir)
{
	char lists[1200], *out = NULL, *argv[16];
	char *args[] = { "pkgnames", "linux-source-", NULL };
	struct apt_paths p;
	size_t len;

	snprintf(lists, sizeof(lists), "%s/lists", dir);
	if (access(lists, F_OK))
		return;
	private_apt_argv("apt-cache", dir, &p, args, argv, ARRAY_SIZE(argv));
	if (spawn_capture_in(NULL, false, argv, &out, &len) == 0 && out) {
		char *save = NULL;
		fprintf(f, "  in Debian's archive (pinbench's lists):");
		for (char *name = strtok_r(out, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
			unsigned a, b;
			int n = 0;
			if (sscanf(name, "linux-source-%u.%u%n", &a, &b, &n) == 2 && !name[n])
				fprintf(f, " %u.%u", a, b);
		}
		fputc('\n', f);
	}
	free(out);
}

void kernel_list_sources(FILE *f, const char *cache_dir)
{
	char dir[1100], *out = NULL;
	char *installed[] = { "dpkg-query", "-W", "-f", "${db:Status-Abbrev} ${Package} ${Version}\n", "linux-source-*", NULL };
	size_t len;

	fprintf(f, "sources (--source SERIES):\n");
	if (spawn_capture_in(NULL, false, installed, &out, &len) >= 0 && out) {
		char *save = NULL;
		for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char status[8], pkg[64], version[64];
			if (sscanf(line, "%7s linux-source-%63s %63s", status, pkg, version) == 3 && status[1] == 'i')
				fprintf(f, "  %-6s installed  linux-source-%s %s\n", pkg, pkg, version);
		}
	}
	free(out);
	apt_dir(cache_dir, dir, sizeof(dir));
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char series[64] = "", version[128] = "";
		if (is_fetched(dir, e->d_name) && sscanf(e->d_name, "linux-source-%63[^_]_%127s", series, version) == 2)
			fprintf(f, "  %-6s fetched    linux-source-%s %s (%s/%s)\n", series, series, version, dir, e->d_name);
	}
	if (d)
		closedir(d);
	list_fetchable(f, dir);
	fprintf(f, "  any other series Debian has (bookworm to sid) is fetched when first asked for\n");
}
