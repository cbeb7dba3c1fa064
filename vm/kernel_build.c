/* pinbench kernel build: the machinery (see kernel_build.h): the variant's
 * name and cache key, the build with its progress, and the cache. Where the
 * source comes from is kernel_source.c; patching and configuring the tree,
 * kernel_tree.c.
 *
 * A package's source is unpacked once into the cache and built in place;
 * patches are applied for a build and reversed after it, so switching
 * variants recompiles only the files they touch. The patches applied are
 * recorded in the tree before the build starts: a build killed half-way is
 * undone by the next one. */
#include "config.h"
#include "kernel_build.h"
#include "kernel_steps.h"
#include "boot.h"
#include "log.h"
#include "subprocess.h"
#include "util.h"
#include "clock.h"
#include "files.h"
#include "paths.h"
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

enum { PROGRESS_S = 15 };

/* Bump when the way a variant is built changes: every cached one is then
 * built anew. */
#define BUILD_FORMAT "pinbench-kernel-build 2" /* 2: System.map kept */

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
int kernel_run(char **out, char *const argv[])
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
int kernel_run_or_say(const char *what, char *const argv[])
{
	char *out;
	int ret = kernel_run(&out, argv);

	if (ret)
		pb_err("kernel: %s failed (exit %d):\n%s", what, ret, out ? out : "");
	free(out);
	return ret ? -1 : 0;
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
	kernel_build_series(b, &major, &minor);
	for (const struct kernel_config_series *c = kernel_config_series; c->text; c++)
		if (kernel_series_applies(c, major, minor))
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

	kernel_build_series(b, &major, &minor);
	char *fragment = kernel_config_for(major, minor);

	for (size_t i = 0; i < b->npatches; i++)
		json_array_append_new(patches, json_string(b->patches[i]));
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:f}", "release", b->release, "source", b->source_id,
			      "version", b->version, "name", b->name, "patches", patches, "fragment",
			      fragment, "build_seconds", seconds);
	free(fragment);
	if (b->commit[0])
		json_object_set_new(j, "commit", json_string(b->commit));
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
	/* tinyconfig has no kallsyms: a hang's stack is named from this */
	snprintf(from, sizeof(from), "%s/System.map", b->tree);
	snprintf(to, sizeof(to), "%s/System.map-%s", tmp, b->release);
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
	return b->tarball[0] && access(path, R_OK) == 0;
}

/* Configures, patches and builds in the tree, which the lock keeps to one
 * build at a time; the patches are reversed whatever happens. */
static int build_in_tree(struct build *b)
{
	char log[4300];
	uint64_t t0 = now_ns();
	int ret;

	if ((b->tarball[0] && kernel_unpack_package(b)) || kernel_reverse_applied(b))
		return EXIT_CANNOT;
	if (kernel_read_version(b))
		return EXIT_CANNOT;
	variant_paths(b);
	if (cached(b)) {
		pb_info("kernel: %s is in the cache", b->release);
		print_result(b);
		return 0;
	}
	snprintf(log, sizeof(log), "%s/.pinbench-build.log", b->tree);
	unlink(log);
	ret = kernel_apply_patches(b);
	ret = ret ? ret : kernel_configure(b);
	ret = ret ? ret : make_bzimage(b, log);
	ret = ret ? ret : keep_result(b, log, (double)(now_ns() - t0) / 1e9);
	if (kernel_reverse_applied(b) && !ret)
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
	ret = ret ? ret : kernel_resolve_source(b);
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

