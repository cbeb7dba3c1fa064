/* qemu: a pin is a real VM start, an unpin its quit. QEMU starts with the
 * chunk as its guest RAM (memory-backend-file, share=on, on the job's own
 * memfd through /proc/PID/fd, so placement, dirtying and every stressor
 * act on the folios QEMU maps) and the job's device assigned through
 * vfio-pci; building the machine DMA-maps every RAM region (VFIO type1,
 * FOLL_LONGTERM). The pin's time is exec to QMP's answer to query-status, when the
 * machine is built; a start that fails is a failed pin with the errno and
 * the message QEMU gave (vfio_dma_map(...) = -12 is ENOMEM).
 *
 * One VM per device at a time (a VFIO group has one user), so a job pins
 * one chunk a worker (whole_client: chunk = size), which also begins its
 * file: QEMU before 8.2 has no `offset` for a file backend. */
#include "config.h"
#include "pin_backend.h"
#include "qemu_client.h"
#include "files.h"
#include "log.h"
#include "subprocess.h"
#include "util.h"
#include "vfio_device.h"

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <wordexp.h>

#define QUIT_TIMEOUT_MS 30000
#define FIXED_ARGS 18 /* command_line's own */

struct qemu_cfg {
	struct vfio_device_cfg dev; /* first: VFIO_DEVICE_OPTION is an offset in it */
	char qemu[OPT_STRING_MAX];
	char accel[OPT_STRING_MAX];
	char args[OPT_STRING_MAX];
	char affinity[16];
};

static const struct scenario_key qemu_options[] = {
	VFIO_DEVICE_OPTION,
	OPT_STRING(struct qemu_cfg, qemu, "qemu", "qemu-system-x86_64", NULL,
		   "the QEMU binary: a name looked up in PATH, or a path"),
	OPT_STRING(struct qemu_cfg, accel, "accel", "tcg", NULL,
		   "QEMU's accelerator (-accel): tcg, or kvm where the host has a working one"),
	OPT_STRING(struct qemu_cfg, args, "args", "", check_words,
		   "more QEMU arguments, split on blanks (quotes group words, no shell), e.g. -smp 2"),
	OPT_CHOICE(struct qemu_cfg, affinity, "affinity", "node", "node|caller",
		   "the CPUs QEMU runs on: node, the pin job's node's (as a VMM placed on a node); caller, only the "
		   "CPU the pinning thread is on, so that QEMU's own start (its munmaps drain their CPU's LRU "
		   "batches) leaves the other CPUs' batches alone"),
};

struct pin_ctx {
	const struct qemu_cfg *cfg;
	wordexp_t args; /* split once: wordexp(3) is not for the timed path, nor thread-safe */
	bool have_args;
	char qemu[4096];
	char device[VFIO_PCI_ADDR_LEN];
	char dir[64]; /* the QMP socket and QEMU's output */
	unsigned nslots;
	struct qemu_vm vm[];
};

/* The QEMU binary's path into buf: 0, or -ENOENT with why. */
static int find_qemu(const char *qemu, char *buf, size_t len, char *why, size_t wlen)
{
	if (strchr(qemu, '/') ? access(qemu, X_OK) == 0 && snprintf(buf, len, "%s", qemu) >= 0
			      : find_in_path(qemu, buf, len))
		return 0;
	snprintf(why, wlen, "%s: not found or not executable (apt-get install qemu-system-x86)", qemu);
	return -ENOENT;
}

static int qemu_probe(const void *cfgp, char *why, size_t len)
{
	const struct qemu_cfg *cfg = cfgp;
	char path[4096];
	int ret = find_qemu(cfg->qemu, path, sizeof(path), why, len);

	if (!ret) {
		int group = vfio_group_of(cfg->dev.device, why, len);
		ret = group < 0 ? group : 0;
	}
	return ret;
}

static void qemu_close(struct pin_ctx *ctx)
{
	if (!ctx)
		return;
	for (unsigned i = 0; i < ctx->nslots; i++)
		qemu_vm_kill(&ctx->vm[i]);
	if (ctx->have_args)
		wordfree(&ctx->args);
	rmdir(ctx->dir);
	free(ctx);
}

static int qemu_open(struct pin_ctx **out, unsigned nslots, const void *cfgp)
{
	const struct qemu_cfg *cfg = cfgp;
	char why[512];

	/* nslots is 1: the scenario reader holds whole_client backends to chunk = size */
	struct pin_ctx *ctx = xcalloc(1, sizeof(*ctx) + nslots * sizeof(ctx->vm[0]));
	ctx->cfg = cfg;
	ctx->nslots = nslots;
	for (unsigned i = 0; i < nslots; i++)
		ctx->vm[i].qmp = -1; /* paths empty: nothing to close or remove yet */
	snprintf(ctx->dir, sizeof(ctx->dir), "/tmp/pinbench-qemu-XXXXXX");
	int ret = find_qemu(cfg->qemu, ctx->qemu, sizeof(ctx->qemu), why, sizeof(why));
	if (!ret)
		ret = vfio_pci_device(cfg->dev.device, ctx->device, why, sizeof(why));
	if (!ret && split_words(cfg->args, &ctx->args, why, sizeof(why))) /* checked when read */
		ret = -EINVAL;
	ctx->have_args = !ret;
	if (!ret && !mkdtemp(ctx->dir)) {
		ret = -errno;
		snprintf(why, sizeof(why), "%s: %s", ctx->dir, strerror(errno));
		ctx->dir[0] = '\0';
	}
	if (ret) {
		pb_err("qemu: %s", why);
		qemu_close(ctx);
		return ret;
	}
	for (unsigned i = 0; i < nslots; i++) {
		snprintf(ctx->vm[i].sock, sizeof(ctx->vm[i].sock), "%s/qmp-%u", ctx->dir, i);
		snprintf(ctx->vm[i].log, sizeof(ctx->vm[i].log), "%s/out-%u", ctx->dir, i);
	}
	*out = ctx;
	return 0;
}

/* The file mapped at addr, as a path QEMU can open (/proc/PID/fd/N of the
 * fd we hold on it), and addr's offset in it. 0, or -errno with why. */
static int file_at(const void *addr, size_t len, char *path, size_t plen, uint64_t *offset, char *why,
		   size_t wlen)
{
	char *maps = read_file("/proc/self/maps", NULL);
	unsigned long ino = 0;
	unsigned maj = 0, min = 0;
	int ret = -EINVAL;

	snprintf(why, wlen, "qemu needs the guest memory as a file (memory = memfd or memfd-thp)");
	for (char *save, *line = maps ? strtok_r(maps, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		uintptr_t start, end;
		unsigned long long off;
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %llx %x:%x %lu", &start, &end, &off, &maj, &min, &ino) != 6 ||
		    (uintptr_t)addr < start || (uintptr_t)addr >= end)
			continue;
		if ((uintptr_t)addr + len > end)
			snprintf(why, wlen, "the chunk is not one mapping of one file");
		else if (ino)
			ret = 0;
		*offset = off + ((uintptr_t)addr - start);
		break;
	}
	free(maps);
	if (ret)
		return ret;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	ret = -ENOENT;
	snprintf(why, wlen, "no open file descriptor holds the guest memory's file (inode %lu)", ino);
	while (d && (de = readdir(d))) {
		struct stat st;
		int fd = atoi(de->d_name);
		/* an inode number is unique within its device only */
		if (de->d_name[0] != '.' && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_ino == ino &&
		    major(st.st_dev) == maj && minor(st.st_dev) == min) {
			snprintf(path, plen, "/proc/%d/fd/%d", (int)getpid(), fd);
			ret = 0;
			break;
		}
	}
	if (d)
		closedir(d);
	return ret;
}

/* QEMU's command line for a guest of len bytes of RAM in mem_path, the
 * job's extra words (w) last. */
static void command_line(const struct pin_ctx *ctx, const struct qemu_vm *vm, const char *mem_path, size_t len,
			 const wordexp_t *w, char **argv, char bufs[4][4400])
{
	size_t n = 0;

	snprintf(bufs[0], sizeof(bufs[0]), "memory-backend-file,id=pb-ram,size=%zu,mem-path=%s,share=on", len,
		 mem_path);
	snprintf(bufs[1], sizeof(bufs[1]), "%zuK", len >> 10);
	snprintf(bufs[2], sizeof(bufs[2]), "unix:%s,server=on,wait=off", vm->sock);
	snprintf(bufs[3], sizeof(bufs[3]), "vfio-pci,host=%s", ctx->device);
	char *fixed[] = { (char *)ctx->qemu, "-accel", (char *)ctx->cfg->accel, "-machine", "q35,memory-backend=pb-ram",
			  "-m", bufs[1], "-object", bufs[0], "-nodefaults", "-no-user-config", "-display", "none",
			  "-S", "-qmp", bufs[2], "-device", bufs[3] };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		argv[n++] = fixed[i];
	for (size_t i = 0; i < w->we_wordc; i++)
		argv[n++] = w->we_wordv[i];
	argv[n] = NULL;
}

static int qemu_pin(struct pin_ctx *ctx, unsigned slot, void *addr, size_t len)
{
	struct qemu_vm *vm = &ctx->vm[slot];
	char mem_path[128], bufs[4][4400], *argv[FIXED_ARGS + SPLIT_WORDS_MAX + 1];
	uint64_t offset = 0;
	int ret = file_at(addr, len, mem_path, sizeof(mem_path), &offset, vm->message, sizeof(vm->message));

	if (!ret && offset) {
		snprintf(vm->message, sizeof(vm->message),
			 "the chunk begins %" PRIu64 " bytes into its file and QEMU maps a file from its start: "
			 "make chunk the job's size", offset);
		ret = -EINVAL;
	}
	if (ret)
		return ret;
	command_line(ctx, vm, mem_path, len, &ctx->args, argv, bufs);
	/* QEMU inherits the affinity of the thread that spawns it */
	cpu_set_t saved, one;
	bool narrowed = !strcmp(ctx->cfg->affinity, "caller") && !pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
	if (narrowed) {
		CPU_ZERO(&one);
		CPU_SET(sched_getcpu(), &one);
		narrowed = !pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	}
	ret = qemu_vm_start(vm, argv);
	if (narrowed)
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	return ret;
}

static int qemu_unpin(struct pin_ctx *ctx, unsigned slot)
{
	return qemu_vm_quit(&ctx->vm[slot], QUIT_TIMEOUT_MS);
}

/* Every regular file directly in dir (symlinks followed) whose name
 * begins with prefix, added as kind. */
static int add_files_in(const struct guest_files *g, enum guest_file_kind kind, const char *dir, const char *prefix,
			size_t *added, char *why, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	while (d && !ret && (de = readdir(d))) {
		char path[4400];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (strncmp(de->d_name, prefix, strlen(prefix)) || stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		ret = g->add(g, kind, path, why, len);
		++*added;
	}
	if (d)
		closedir(d);
	return ret;
}

/* QEMU loads its accelerator's ops as a module (accel-tcg-x86_64.so:
 * without it "could not load module for type 'tcg-accel-ops'"), from the
 * module directory it was built with: QEMU_MODULE_DIR, or a qemu folder
 * of a lib directory beside its bin. */
static int add_modules(const char *qemu, const struct guest_files *g, char *why, size_t len)
{
	char real[4096], pattern[4200];
	const char *env = getenv("QEMU_MODULE_DIR");
	size_t added = 0;
	glob_t gl;
	int ret = 0;

	if (env && *env)
		return add_files_in(g, GUEST_MODULE, env, "accel-", &added, why, len);
	if (!realpath(qemu, real))
		return 0;
	*strrchr(real, '/') = '\0'; /* bin */
	char *prefix_end = strrchr(real, '/');
	if (prefix_end)
		*prefix_end = '\0';
	snprintf(pattern, sizeof(pattern), "%s/lib*/{*/,}qemu", real);
	if (glob(pattern, GLOB_BRACE | GLOB_ONLYDIR, NULL, &gl))
		return 0; /* a QEMU built without modules */
	for (size_t i = 0; i < gl.gl_pathc && !ret; i++)
		ret = add_files_in(g, GUEST_MODULE, gl.gl_pathv[i], "accel-", &added, why, len);
	globfree(&gl);
	return ret;
}

/* The firmware QEMU loads (the BIOS even with -S) from the data
 * directories it names itself (`-L help`). */
static int add_firmware(char *qemu, const struct guest_files *g, char *why, size_t len)
{
	char *argv[] = { qemu, "-L", "help", NULL }, *out = NULL;
	size_t n, added = 0;
	int ret = spawn_capture(argv, &out, &n);

	if (ret) {
		snprintf(why, len, "%s -L help: %s", qemu, ret < 0 ? strerror(-ret) : "failed");
		free(out);
		return -1;
	}
	for (char *save, *line = strtok_r(out, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
		char dir[4096];
		if (realpath(line, dir))
			ret = add_files_in(g, GUEST_DATA, dir, "", &added, why, len);
	}
	free(out);
	return ret;
}

static int qemu_guest_files(const void *cfgp, const struct guest_files *g, char *why, size_t len)
{
	const struct qemu_cfg *cfg = cfgp;
	char qemu[4096], real[4096];

	if (find_qemu(cfg->qemu, qemu, sizeof(qemu), why, len))
		return -1;
	if (!realpath(qemu, real)) {
		snprintf(why, len, "%s: %s", qemu, strerror(errno));
		return -1;
	}
	/* at its real path, where QEMU finds its data beside it, and at the
	 * path the guest's PATH finds it by (a symlink on the host) */
	if (g->add(g, GUEST_PROGRAM, real, why, len) || (strcmp(qemu, real) && g->add(g, GUEST_PROGRAM, qemu, why, len)) ||
	    add_modules(real, g, why, len) || add_firmware(real, g, why, len))
		return -1;
	return 0;
}

static void qemu_client(const struct pin_ctx *ctx, unsigned slot, pid_t *pid, const char **message)
{
	*pid = ctx->vm[slot].last_pid;
	*message = ctx->vm[slot].message[0] ? ctx->vm[slot].message : NULL;
}

const struct pin_backend pin_backend_qemu = {
	.name = "qemu",
	.summary = "a real QEMU VM start with the device assigned through vfio-pci (a pin is a start, an unpin its quit)",
	.max_chunk = 0,
	.options = qemu_options,
	.noptions = ARRAY_SIZE(qemu_options),
	.config_size = sizeof(struct qemu_cfg),
	.probe = qemu_probe,
	.open = qemu_open,
	.pin = qemu_pin,
	.unpin = qemu_unpin,
	.close = qemu_close,
	.client = qemu_client,
	.guest_files = qemu_guest_files,
	.needs_vfio_device = true,
	.whole_client = true,
	.note = "each pin is a QEMU start (exec to QMP's answer): QEMU's VFIO maps the guest RAM "
		"(VFIO_IOMMU_MAP_DMA, FOLL_LONGTERM) while it builds the machine",
};
