/* pinbench kernel build: the machinery (see kernel_build.h).
 *
 * A package's source is unpacked once into the cache and built in place;
 * patches are applied for a build and reversed after it, so switching
 * variants recompiles only the files they touch. The patches applied are
 * recorded in the tree before the build starts: a build killed half-way is
 * undone by the next one. */
#include "config.h"
#include "kernel_build.h"
#include "boot.h"
#include "log.h"
#include "subprocess.h"
#include "util.h"
#include "kernel_config.h"
#include "exitcode.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MAX_PATCHES = KERNEL_MAX_PATCHES, PROGRESS_S = 15 };

/* Bump when the way a variant is built changes: every cached one is then
 * built anew. */
#define BUILD_FORMAT "pinbench-kernel-build 1"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

const char *kernel_cache_dir(void)
{
	const char *c = getenv("PINBENCH_KERNEL_CACHE");

	return c && *c ? c : "/var/cache/pinbench/kernels";
}

/* Runs argv and returns its exit status; its output goes to *out (stdout
 * and stderr) for the caller to show. */
static int run(char **out, char *const argv[])
{
	size_t len;
	int ret;

	*out = NULL;
	ret = spawn_capture_in(NULL, true, argv, out, &len);
	if (ret < 0 && asprintf(out, "cannot run %s: %s", argv[0], strerror(-ret)) < 0)
		*out = NULL;
	return ret;
}

/* Runs argv; on failure says what failed with its output. */
static int run_or_say(const char *what, char *const argv[])
{
	char *out;
	int ret = run(&out, argv);

	if (ret)
		pb_err("kernel: %s failed (exit %d):\n%s", what, ret, out ? out : "");
	free(out);
	return ret ? -1 : 0;
}

static int copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = read_file(from, &len);
	int ret = data ? write_file_atomic(to, data, len) : -1;

	free(data);
	return ret;
}

/* ---- the source ---- */

static bool is_series(const char *s)
{
	unsigned a, b;
	int n = 0;

	return sscanf(s, "%u.%u%n", &a, &b, &n) == 2 && !s[n];
}

/* Debian's package version of linux-source-SERIES, or "" when absent. */
static void package_version(const char *series, char *buf, size_t len)
{
	char pkg[64], *out = NULL;
	char *argv[] = { "dpkg-query", "-W", "-f", "${Version}", pkg, NULL };

	snprintf(pkg, sizeof(pkg), "linux-source-%s", series);
	buf[0] = '\0';
	if (run(&out, argv) == 0 && out)
		snprintf(buf, len, "%s", out);
	free(out);
}

static void tarball_path(const char *series, char *buf, size_t len)
{
	snprintf(buf, len, "/usr/src/linux-source-%s.tar.xz", series);
}

/* Names the tree of Debian's linux-source-SERIES in the cache. */
static int package_source(struct build *b)
{
	char version[128], tarball[256];
	const char *series = b->source;

	package_version(series, version, sizeof(version));
	tarball_path(series, tarball, sizeof(tarball));
	if (!version[0] || access(tarball, R_OK)) {
		pb_err("kernel: Debian's linux-source-%s is not installed (apt-get install linux-source-%s)",
		       series, series);
		return EXIT_CANNOT;
	}
	b->from_package = true;
	snprintf(b->source_id, sizeof(b->source_id), "linux-source-%s %s", series, version);
	snprintf(b->tree, sizeof(b->tree), "%s/src/linux-source-%s_%s", b->cache, series, version);
	return 0;
}

/* Unpacks the package's tarball into the cache once (under the lock). */
static int unpack_package(const struct build *b)
{
	char tarball[256], marker[1600], tmp[1100], unpacked[1200];
	const char *series = b->source;

	tarball_path(series, tarball, sizeof(tarball));
	snprintf(marker, sizeof(marker), "%s/.pinbench-unpacked", b->tree);
	if (access(marker, F_OK) == 0)
		return 0;

	pb_info("kernel: unpacking %s", tarball);
	snprintf(tmp, sizeof(tmp), "%s/src/.unpack-%d", b->cache, (int)getpid());
	snprintf(unpacked, sizeof(unpacked), "%s/linux-source-%s", tmp, series);
	char *tar[] = { "tar", "-xf", tarball, "-C", tmp, NULL };
	if (mkdir_p(tmp, 0755) || run_or_say("unpacking the source", tar)) {
		remove_tree(tmp);
		return EXIT_CANNOT;
	}
	remove_tree(b->tree); /* a tree unpacked half-way (no marker) */
	if (rename(unpacked, b->tree) || write_file_atomic(marker, b->source_id, strlen(b->source_id))) {
		pb_err("kernel: cannot move the source to %s: %s", b->tree, strerror(errno));
		remove_tree(tmp);
		return EXIT_CANNOT;
	}
	remove_tree(tmp);
	return 0;
}

static int kernel_version(struct build *b);

static int resolve_source(struct build *b)
{
	if (is_series(b->source))
		return package_source(b);
	char *real = realpath(b->source, NULL);
	if (!real || strlen(real) >= sizeof(b->tree)) {
		pb_err("kernel: --source '%s': %s (give 6.1, 6.12 or a kernel tree)", b->source,
		       real ? "path too long" : strerror(errno));
		free(real);
		return EXIT_BAD_INPUT;
	}
	snprintf(b->tree, sizeof(b->tree), "%s", real);
	free(real);
	char makefile[4200];
	snprintf(makefile, sizeof(makefile), "%s/mm/gup.c", b->tree);
	if (access(makefile, R_OK)) {
		pb_err("kernel: --source '%s' is not a kernel tree (no mm/gup.c)", b->source);
		return EXIT_BAD_INPUT;
	}
	/* A tree of the user's changes under our feet: its path names it,
	 * and make runs every time (kbuild rebuilds only what changed). */
	snprintf(b->source_id, sizeof(b->source_id), "tree %s", b->tree);
	return kernel_version(b); /* its series picks the fragment */
}

/* VERSION.PATCHLEVEL.SUBLEVEL EXTRAVERSION from the tree's Makefile, as
 * `make kernelversion` says it (without running make). */
static int kernel_version(struct build *b)
{
	char path[1600], *text;
	const char *keys[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION" };
	char val[4][32] = { "", "", "", "" };

	snprintf(path, sizeof(path), "%s/Makefile", b->tree);
	text = read_file(path, NULL);
	for (const char *line = text; line && *line;) {
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t n = strlen(keys[k]);
			if (!val[k][0] && !strncmp(line, keys[k], n) && !strncmp(line + n, " = ", 3))
				sscanf(line + n + 3, "%31[^ \n]", val[k]);
		}
		line = strchrnul(line, '\n');
		line += *line == '\n';
	}
	free(text);
	if (!val[0][0] || !val[1][0]) {
		pb_err("kernel: cannot read the version from %s", path);
		return EXIT_CANNOT;
	}
	snprintf(b->version, sizeof(b->version), "%s.%s%s%s%s", val[0], val[1], val[2][0] ? "." : "", val[2], val[3]);
	return 0;
}

/* ---- the configuration fragment of a series ---- */

static bool series_applies(const struct kernel_config_series *c, unsigned major, unsigned minor)
{
	return major > c->major || (major == c->major && minor >= c->minor);
}

/* Whether fragment text holds the line "# drop: LINE" (len bytes). */
static bool drops(const char *text, const char *line, size_t len)
{
	static const char mark[] = "# drop: ";

	for (const char *p = text; (p = strstr(p, mark)); p++) {
		const char *what = p + sizeof(mark) - 1;
		if ((p == text || p[-1] == '\n') && !strncmp(what, line, len) && (what[len] == '\n' || !what[len]))
			return true;
	}
	return false;
}

char *kernel_config_for(unsigned major, unsigned minor)
{
	char *out;
	size_t len;
	FILE *f = xopen_memstream(&out, &len);

	for (const char *line = kernel_config_fragment; *line;) {
		const char *end = strchrnul(line, '\n');
		bool dropped = false;
		for (const struct kernel_config_series *c = kernel_config_series; c->text && !dropped; c++)
			dropped = series_applies(c, major, minor) && drops(c->text, line, (size_t)(end - line));
		if (!dropped)
			fprintf(f, "%.*s\n", (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
	for (const struct kernel_config_series *c = kernel_config_series; c->text; c++)
		if (series_applies(c, major, minor))
			fprintf(f, "\n# %s\n%s", c->file, c->text);
	fclose(f);
	return out;
}

/* MAJOR.MINOR of the source: the package's series, or the tree's Makefile. */
static void build_series(const struct build *b, unsigned *major, unsigned *minor)
{
	*major = *minor = 0;
	if (sscanf(b->from_package ? b->source : b->version, "%u.%u", major, minor) != 2)
		*major = *minor = 0;
}

/* ---- the variant: name, key, cache directory ---- */

static void patch_name(const char *path, char *buf, size_t len)
{
	const char *base = path_base(path);
	size_t n = strlen(base);

	if (n > 6 && !strcmp(base + n - 6, ".patch"))
		n -= 6;
	else if (n > 5 && !strcmp(base + n - 5, ".diff"))
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, base);
}

/* A release may hold letters, digits and . _ + - only. */
static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
		      strchr("._+-", *s)))
			return false;
	return true;
}

static int name_variant(struct build *b)
{
	size_t o = 0;

	if (b->name_arg)
		snprintf(b->name, sizeof(b->name), "%s", b->name_arg);
	else if (!b->npatches)
		snprintf(b->name, sizeof(b->name), "stock");
	for (size_t i = 0; !b->name_arg && i < b->npatches && o < sizeof(b->name); i++) {
		char p[256];
		patch_name(b->patches[i], p, sizeof(p));
		o += (size_t)snprintf(b->name + o, sizeof(b->name) - o, "%s%s", i ? "+" : "", p);
	}
	if (!valid_name(b->name) || o >= sizeof(b->name)) {
		pb_err("kernel: variant name '%s' must be 1-63 letters, digits, '.', '_', '+' or '-' (give --name)",
		       b->name);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int variant_key(struct build *b)
{
	uint64_t h = fnv1a(FNV1A_INIT, BUILD_FORMAT, sizeof(BUILD_FORMAT));

	h = fnv1a(h, b->source_id, strlen(b->source_id) + 1);
	h = fnv1a(h, b->name, strlen(b->name) + 1);
	h = fnv1a(h, kernel_config_fragment, sizeof(kernel_config_fragment));
	/* A series' own fragment joins the key only where it applies: the
	 * keys of kernels without one are what they were before it. */
	unsigned major, minor;
	build_series(b, &major, &minor);
	for (const struct kernel_config_series *c = kernel_config_series; c->text; c++)
		if (series_applies(c, major, minor))
			h = fnv1a(h, c->text, strlen(c->text) + 1);
	if (b->extra_config && fnv1a_file(&h, b->extra_config)) {
		pb_err("kernel: --config '%s': %s", b->extra_config, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	for (size_t i = 0; i < b->npatches; i++)
		if (fnv1a_file(&h, b->patches[i])) {
			pb_err("kernel: --patch '%s': %s", b->patches[i], strerror(errno));
			return EXIT_BAD_INPUT;
		}
	b->key = h;
	return 0;
}

static void variant_paths(struct build *b)
{
	snprintf(b->release, sizeof(b->release), "%s-pb-%s", b->version, b->name);
	snprintf(b->out, sizeof(b->out), "%s/%s-%012llx", b->cache, b->release,
		 (unsigned long long)(b->key & 0xffffffffffffULL));
}

/* ---- patches, recorded in the tree so that a killed build is undone ---- */

static void applied_path(const struct build *b, char *buf, size_t len)
{
	snprintf(buf, len, "%s/.pinbench-applied", b->tree);
}

/* Reverses the patches the tree records, last first. */
static int reverse_applied(const struct build *b)
{
	char dir[4200], path[4300];
	int ret = 0;

	applied_path(b, dir, sizeof(dir));
	for (int i = MAX_PATCHES - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s/%02d.patch", dir, i);
		if (access(path, R_OK))
			continue;
		char *argv[] = { "patch", "-p1", "-R", "--batch", "--silent", "-d", (char *)b->tree, "-i", path, NULL };
		if (run_or_say("reversing a patch of an earlier build", argv)) {
			pb_err("kernel: %s cannot be restored: remove it and build again", b->tree);
			ret = -1;
			break;
		}
		unlink(path);
	}
	if (!ret)
		rmdir(dir);
	return ret;
}

static int apply_patches(const struct build *b)
{
	char dir[4200], copy[4300];

	applied_path(b, dir, sizeof(dir));
	if (b->npatches && mkdir_p(dir, 0755)) {
		pb_err("kernel: %s: %s", dir, strerror(errno));
		return EXIT_CANNOT;
	}
	for (size_t i = 0; i < b->npatches; i++) {
		char *dry[] = { "patch", "-p1", "--forward", "--batch", "--dry-run", "-d", (char *)b->tree,
				"-i", (char *)b->patches[i], NULL };
		char *out;
		if (run(&out, dry)) {
			pb_err("kernel: patch %s does not apply to %s%s:\n%s", b->patches[i], b->source_id,
			       i ? " after the patches before it" : "", out ? out : "");
			free(out);
			return EXIT_BAD_INPUT;
		}
		free(out);
		snprintf(copy, sizeof(copy), "%s/%02zu.patch", dir, i);
		if (copy_file(b->patches[i], copy)) {
			pb_err("kernel: cannot record %s in %s", b->patches[i], dir);
			return EXIT_CANNOT;
		}
		char *apply[] = { "patch", "-p1", "--forward", "--batch", "--silent", "-d", (char *)b->tree,
				  "-i", copy, NULL };
		if (run_or_say("applying a patch", apply))
			return EXIT_CANNOT;
		pb_info("kernel: applied %s", b->patches[i]);
	}
	return 0;
}

/* ---- configuration ---- */

static int append_file(FILE *f, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);

	if (!text)
		return -1;
	fwrite(text, 1, len, f);
	fputc('\n', f);
	free(text);
	return 0;
}

/* Every CONFIG_ line of the fragment must be in the final .config: a
 * symbol whose dependencies are missing is dropped by Kconfig silently. */
static int check_config(const struct build *b, const char *fragment)
{
	char path[4200];
	char *config;
	int missing = 0;

	snprintf(path, sizeof(path), "%s/.config", b->tree);
	config = read_file(path, NULL);
	if (!config)
		return -1;
	for (const char *line = fragment; *line;) {
		const char *end = strchrnul(line, '\n');
		char want[256], with_nl[260];
		snprintf(want, sizeof(want), "%.*s", (int)(end - line), line);
		snprintf(with_nl, sizeof(with_nl), "\n%s\n", want);
		bool is_setting = !strncmp(want, "CONFIG_", 7) || !strncmp(want, "# CONFIG_", 9);
		if (is_setting && !strstr(config, with_nl)) {
			pb_err("kernel: the configuration did not keep '%s' (a dependency is missing)", want);
			missing++;
		}
		line = *end ? end + 1 : end;
	}
	free(config);
	return missing ? -1 : 0;
}

static int configure(const struct build *b)
{
	char config[4200], fragment_path[4200];
	char *tiny[] = { "make", "-C", (char *)b->tree, "ARCH=x86_64", "tinyconfig", NULL };
	char *old[] = { "make", "-C", (char *)b->tree, "ARCH=x86_64", "olddefconfig", NULL };
	FILE *f;
	char *fragment;
	size_t len;
	int ret = 0;

	if (run_or_say("make tinyconfig", tiny))
		return EXIT_FAILED;
	/* Kconfig takes the last assignment of a symbol: the fragments go
	 * after tinyconfig's choices, then olddefconfig settles the rest. */
	snprintf(config, sizeof(config), "%s/.config", b->tree);
	snprintf(fragment_path, sizeof(fragment_path), "%s/.pinbench-fragment", b->tree);
	unsigned major, minor;
	build_series(b, &major, &minor);
	char *series = kernel_config_for(major, minor);
	f = xopen_memstream(&fragment, &len);
	fputs(series, f);
	free(series);
	if (b->extra_config && append_file(f, b->extra_config))
		ret = -1;
	fprintf(f, "CONFIG_LOCALVERSION=\"-pb-%s\"\n# CONFIG_LOCALVERSION_AUTO is not set\n", b->name);
	fclose(f);
	FILE *c = ret ? NULL : fopen(config, "a");
	if (!c || fputs(fragment, c) < 0 || fclose(c)) {
		pb_err("kernel: cannot write %s", config);
		free(fragment);
		return EXIT_CANNOT;
	}
	write_file_atomic(fragment_path, fragment, len);
	if (run_or_say("make olddefconfig", old) || check_config(b, fragment))
		ret = EXIT_FAILED;
	free(fragment);
	return ret;
}

/* ---- the build, with progress while it runs ---- */

/* Counts the objects compiled so far in the log, from where it last read. */
static unsigned count_compiled(FILE *log, unsigned count)
{
	char line[1024];

	clearerr(log);
	while (fgets(line, sizeof(line), log))
		if (!strncmp(line, "  CC ", 5) || !strncmp(line, "  AS ", 5))
			count++;
	return count;
}

static void show_log_tail(const char *log)
{
	char *text = read_file(log, NULL);
	const char *p;
	int lines = 0;

	if (!text)
		return;
	for (p = text + strlen(text); p > text && lines < 25; p--)
		if (p[-1] == '\n')
			lines++;
	fprintf(stderr, "%s", p);
	free(text);
}

static int make_bzimage(const struct build *b, const char *log)
{
	char jobs[32];
	char *argv[] = { "make", "-C", (char *)b->tree, "ARCH=x86_64", jobs, "bzImage", NULL };
	uint64_t t0 = now_ns(), next = t0 + PROGRESS_S * 1000000000ULL;
	unsigned compiled = 0;
	int status, ret;
	pid_t pid;
	FILE *f;

	snprintf(jobs, sizeof(jobs), "-j%u", b->jobs);
	ret = spawn_background(argv, log, &pid);
	if (ret) {
		pb_err("kernel: cannot run make: %s", strerror(-ret));
		return EXIT_CANNOT;
	}
	f = fopen(log, "r");
	pb_info("kernel: building %s with make -j%u (log: %s)", b->release, b->jobs, log);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (stop_signal) {
			stop_process(pid, SIGTERM, 5000);
			status = -1;
			break;
		}
		usleep(200000);
		if (now_ns() < next)
			continue;
		compiled = f ? count_compiled(f, compiled) : 0;
		pb_info("kernel: %s: %llu s, %u files compiled", b->release,
			(unsigned long long)((now_ns() - t0) / 1000000000ULL), compiled);
		next += PROGRESS_S * 1000000000ULL;
	}
	if (f)
		fclose(f);
	if (stop_signal) {
		pb_err("kernel: interrupted; the patches are reversed, the tree is kept for the next build");
		return 128 + stop_signal;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		show_log_tail(log);
		pb_err("kernel: make bzImage failed; the whole log is %s", log);
		return EXIT_FAILED;
	}
	pb_info("kernel: built %s in %.0f s", b->release, (double)(now_ns() - t0) / 1e9);
	return 0;
}

static void write_build_json(const struct build *b, const char *dir, double seconds)
{
	json_t *patches = json_array();
	char path[2048];
	unsigned major, minor;

	build_series(b, &major, &minor);
	char *fragment = kernel_config_for(major, minor);

	for (size_t i = 0; i < b->npatches; i++)
		json_array_append_new(patches, json_string(b->patches[i]));
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:f}", "release", b->release, "source", b->source_id,
			      "version", b->version, "name", b->name, "patches", patches, "fragment",
			      fragment, "build_seconds", seconds);
	free(fragment);
	snprintf(path, sizeof(path), "%s/build.json", dir);
	if (write_json_atomic(path, j, JSON_INDENT(2)))
		pb_warn("kernel: cannot write %s", path);
	json_decref(j);
}

/* Copies the result into the cache under a temporary name, then renames
 * it: a variant directory is there whole or not at all. */
static int keep_result(const struct build *b, const char *log, double seconds)
{
	char tmp[1900], from[1600], to[2048], release[128], err[512];

	snprintf(from, sizeof(from), "%s/arch/x86/boot/bzImage", b->tree);
	if (bzimage_release(from, release, sizeof(release), err, sizeof(err)) || strcmp(release, b->release)) {
		pb_err("kernel: the bzImage built says release '%s', not %s", release, b->release);
		return EXIT_FAILED;
	}
	snprintf(tmp, sizeof(tmp), "%s.partial-%d", b->out, (int)getpid());
	remove_tree(tmp);
	int ret = mkdir_p(tmp, 0755);
	snprintf(to, sizeof(to), "%s/vmlinuz-%s", tmp, b->release);
	ret = ret ? ret : copy_file(from, to);
	snprintf(from, sizeof(from), "%s/.config", b->tree);
	snprintf(to, sizeof(to), "%s/config-%s", tmp, b->release);
	ret = ret ? ret : copy_file(from, to);
	snprintf(to, sizeof(to), "%s/build.log", tmp);
	ret = ret ? ret : copy_file(log, to);
	if (!ret)
		write_build_json(b, tmp, seconds);
	remove_tree(b->out);
	if (ret || rename(tmp, b->out)) {
		pb_err("kernel: cannot keep the build in %s: %s", b->out, strerror(errno));
		remove_tree(tmp);
		return EXIT_CANNOT;
	}
	return 0;
}

static void print_result(const struct build *b)
{
	printf("%s/vmlinuz-%s\n", b->out, b->release);
}

static bool cached(const struct build *b)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/vmlinuz-%s", b->out, b->release);
	return b->from_package && access(path, R_OK) == 0;
}

/* Configures, patches and builds in the tree, which the lock keeps to one
 * build at a time; the patches are reversed whatever happens. */
static int build_in_tree(struct build *b)
{
	char log[4300];
	uint64_t t0 = now_ns();
	int ret;

	if ((b->from_package && unpack_package(b)) || reverse_applied(b))
		return EXIT_CANNOT;
	if (kernel_version(b))
		return EXIT_CANNOT;
	variant_paths(b);
	if (cached(b)) {
		pb_info("kernel: %s is in the cache", b->release);
		print_result(b);
		return 0;
	}
	snprintf(log, sizeof(log), "%s/.pinbench-build.log", b->tree);
	unlink(log);
	ret = apply_patches(b);
	ret = ret ? ret : configure(b);
	ret = ret ? ret : make_bzimage(b, log);
	ret = ret ? ret : keep_result(b, log, (double)(now_ns() - t0) / 1e9);
	if (reverse_applied(b) && !ret)
		ret = EXIT_CANNOT;
	if (!ret)
		print_result(b);
	return ret;
}

static int lock_tree(const struct build *b)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", b->tree);
	/* Not O_CLOEXEC: make inherits the lock, so a make left running by a
	 * SIGKILLed build keeps the tree until it ends. */
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		pb_err("kernel: %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pb_info("kernel: another build uses %s; waiting for it", b->tree);
		flock(fd, LOCK_EX);
	}
	return fd;
}

int kernel_build_variant(struct build *b)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char src[1100];
	int ret = name_variant(b), lock;

	snprintf(src, sizeof(src), "%s/src", b->cache);
	ret = ret ? ret : mkdir_p(src, 0755) ? EXIT_CANNOT : 0;
	ret = ret ? ret : resolve_source(b);
	ret = ret ? ret : variant_key(b);
	if (ret)
		return ret;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Under another make (make check) the kernel's make must not join
	 * its jobserver nor print its directories into our answers. */
	unsetenv("MAKEFLAGS");
	unsetenv("MFLAGS");
	unsetenv("MAKELEVEL");
	lock = lock_tree(b);
	if (lock < 0)
		return EXIT_CANNOT;
	ret = build_in_tree(b);
	close(lock);
	return ret;
}

