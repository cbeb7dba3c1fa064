#include "config.h"
#include "boot.h"
#include "gz.h"
#include "journal.h"
#include "subprocess.h"
#include "util.h"
#include "units.h"
#include "clock.h"
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/kvm.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

const char *boot_status_name(enum boot_status s)
{
	static const char *const names[] = {
		[BOOT_OK] = "ok", [BOOT_RUN_FAILED] = "run failed", [BOOT_UNMET] = "kernel lacks",
		[BOOT_PANIC] = "panic", [BOOT_OOPS] = "oops", [BOOT_HUNG] = "hung",
		[BOOT_NO_RESULT] = "no result", [BOOT_QEMU_FAILED] = "qemu failed",
		[BOOT_INTERRUPTED] = "interrupted",
	};
	return names[s];
}

json_t *seconds_json(double s)
{
	return isnan(s) ? json_null() : json_real(round(s * 1000) / 1000);
}

bool kvm_available(char *why, size_t len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), version;

	if (fd < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (version != KVM_API_VERSION) {
		snprintf(why, len, "/dev/kvm answers API version %d, not %d", version, KVM_API_VERSION);
		return false;
	}
	return true;
}

int bzimage_release(const char *path, char *release, size_t len, char *err, size_t errlen)
{
	unsigned char hdr[0x210];
	char text[128];
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The x86 boot protocol: "HdrS" at 0x202; at 0x20e the offset
	 * (less 0x200) of a string that begins with the release. */
	ok = fread(hdr, sizeof(hdr), 1, f) == 1 && !memcmp(hdr + 0x202, "HdrS", 4);
	unsigned at = ok ? (unsigned)(hdr[0x20e] | hdr[0x20f] << 8) + 0x200 : 0;
	ok = ok && fseek(f, at, SEEK_SET) == 0 && fgets(text, sizeof(text), f);
	fclose(f);
	if (!ok || sscanf(text, "%127s", text) != 1) {
		snprintf(err, errlen, "%s: not a bzImage (no kernel version in its boot header)", path);
		return -1;
	}
	snprintf(release, len, "%s", text);
	return 0;
}

/* The command line being built; strings it formats are owned here. */
struct qemu_cmd {
	char *argv[128];
	size_t argc;
	char *owned[128];
	size_t nowned;
};

static void arg(struct qemu_cmd *q, const char *s)
{
	if (q->argc < ARRAY_SIZE(q->argv) - 1)
		q->argv[q->argc++] = (char *)s;
}

static void __attribute__((format(printf, 2, 3))) argf(struct qemu_cmd *q, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s || q->nowned == ARRAY_SIZE(q->owned)) {
		free(s);
		return;
	}
	q->owned[q->nowned++] = s;
	arg(q, s);
}

/* QEMU option values escape a comma by doubling it. */
static char *qemu_escape(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		*o++ = *s;
		if (*s == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

/* -numa nodes splitting the memory evenly, CPUs in contiguous blocks. */
static void numa_args(struct qemu_cmd *q, const struct vm_config *cfg)
{
	uint64_t per_node = cfg->mem / cfg->numa / MIB;

	argf(q, "%lluM", (unsigned long long)(per_node * cfg->numa));
	for (unsigned i = 0; cfg->numa > 1 && i < cfg->numa; i++) {
		unsigned first = i * cfg->cpus / cfg->numa, next = (i + 1) * cfg->cpus / cfg->numa;
		arg(q, "-object");
		argf(q, "memory-backend-ram,id=mem%u,size=%lluM", i, (unsigned long long)per_node);
		arg(q, "-numa");
		if (next > first)
			argf(q, "node,nodeid=%u,memdev=mem%u,cpus=%u-%u", i, i, first, next - 1);
		else /* more nodes than CPUs: a memory-only node */
			argf(q, "node,nodeid=%u,memdev=mem%u", i, i);
	}
}

static void kernel_args(struct qemu_cmd *q, const struct vm_config *cfg)
{
	char line[2048];
	size_t o = 0;

	/* A panic (and an oops, made one) powers the guest off at once:
	 * with -no-reboot QEMU exits and the console log says why. */
	appendf(line, sizeof(line), &o, "console=ttyS0 panic=-1 oops=panic loglevel=4");
	if (cfg->movablecore)
		appendf(line, sizeof(line), &o, " movablecore=%lluK", (unsigned long long)(cfg->movablecore / KIB));
	if (cfg->cma)
		appendf(line, sizeof(line), &o, " cma=%lluK", (unsigned long long)(cfg->cma / KIB));
	if (cfg->vfio)
		appendf(line, sizeof(line), &o, " intel_iommu=on");
	if (cfg->append && *cfg->append)
		appendf(line, sizeof(line), &o, " %s", cfg->append);
	arg(q, "-append");
	argf(q, "%s", line);
}

static void build_cmd(struct qemu_cmd *q, const struct vm_config *cfg, bool kvm, const char *kernel,
		      const char *initrd, const char *dir)
{
	char *d = qemu_escape(dir);

	memset(q, 0, sizeof(*q));
	arg(q, "qemu-system-x86_64");
	arg(q, "-nodefaults");
	arg(q, "-no-user-config");
	arg(q, "-display");
	arg(q, "none");
	arg(q, "-no-reboot");
	if (cfg->vfio) { /* a PCI device behind an IOMMU: what VFIO needs */
		arg(q, "-machine");
		arg(q, "q35");
		arg(q, "-device");
		arg(q, "intel-iommu");
		arg(q, "-device");
		arg(q, "edu");
	}
	arg(q, "-accel");
	arg(q, kvm ? "kvm" : "tcg");
	arg(q, "-cpu");
	/* Under TCG the plain qemu64 model pins about 2.5 times faster than
	 * "max": the kernel's page copies on a richer model are emulated
	 * slowly. */
	arg(q, kvm ? "host" : "qemu64");
	arg(q, "-smp");
	argf(q, "%u", cfg->cpus);
	arg(q, "-m");
	numa_args(q, cfg);
	arg(q, "-kernel");
	arg(q, kernel);
	arg(q, "-initrd");
	arg(q, initrd);
	kernel_args(q, cfg);
	arg(q, "-chardev");
	argf(q, "file,id=console,path=%s/console.log", d);
	arg(q, "-serial");
	arg(q, "chardev:console");
	arg(q, "-chardev");
	argf(q, "file,id=transfer,path=%s/transfer.log", d);
	arg(q, "-serial");
	arg(q, "chardev:transfer");
	q->argv[q->argc] = NULL;
	free(d);
}

static void join_cmd(const struct qemu_cmd *q, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < q->argc; i++)
		appendf(buf, len, &o, "%s%s", i ? " " : "", q->argv[i]);
}

static void free_cmd(struct qemu_cmd *q)
{
	for (size_t i = 0; i < q->nowned; i++)
		free(q->owned[i]);
}

enum wait_end { WAIT_EXITED, WAIT_TIMEOUT, WAIT_STOPPED };

/* Waits for QEMU up to the timeout, or until *stop. */
static enum wait_end wait_bounded(pid_t pid, uint64_t timeout_ns, atomic_int *stop, int *status)
{
	uint64_t start = now_ns();

	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR)) {
			*status = w < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return WAIT_EXITED;
		}
		if (*stop) {
			*status = stop_process(pid, SIGTERM, 2000);
			return WAIT_STOPPED;
		}
		if (now_ns() - start > timeout_ns) {
			*status = stop_process(pid, SIGKILL, 1000);
			return WAIT_TIMEOUT;
		}
		usleep(20000);
	}
}

/* The first line of text holding needle, copied into buf. */
static bool find_line(const char *text, const char *needle, char *buf, size_t len)
{
	const char *hit = text ? strstr(text, needle) : NULL, *start, *end;

	if (!hit)
		return false;
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchrnul(hit, '\n');
	while (end > start && end[-1] == '\r')
		end--;
	snprintf(buf, len, "%.*s", (int)(end - start), start);
	return true;
}

/* The last non-empty line of a file, for messages. */
static void last_line(const char *path, char *buf, size_t len)
{
	char *text = read_file(path, NULL), *end;

	buf[0] = '\0';
	if (!text)
		return;
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	char *start = strrchr(text, '\n');
	snprintf(buf, len, "%s", start ? start + 1 : text);
	free(text);
}

/* The guest's first error line of `pinbench run`, else its last line. */
static void run_error(const char *dir, char *buf, size_t len)
{
	char path[4200], *log;

	snprintf(path, sizeof(path), "%s/guest.log", dir);
	log = read_file(path, NULL);
	if (!find_line(log, "pinbench: error: ", buf, len))
		last_line(path, buf, len);
	free(log);
}

/* Whether a console line opens or belongs to an oops report. */
static bool starts_report(const char *line)
{
	static const char *const openers[] = { "BUG: ", "Oops", "general protection fault", "WARNING: ",
					       "Kernel panic", "kernel BUG at" };
	for (size_t i = 0; i < ARRAY_SIZE(openers); i++)
		if (strstr(line, openers[i]))
			return true;
	return false;
}

/* The oops report in a console log: from its first opening line to the
 * line that ends the panic ("---[ end Kernel panic ...") or the log's
 * end, at most len bytes (whole lines), carriage returns dropped. */
static void console_evidence(const char *console, char *buf, size_t len)
{
	size_t o = 0;
	bool in = false;

	buf[0] = '\0';
	for (const char *p = console; p && *p;) {
		const char *end = strchrnul(p, '\n');
		int n = (int)(end - p);
		while (n > 0 && p[n - 1] == '\r')
			n--;
		char line[512];
		snprintf(line, sizeof(line), "%.*s", n, p);
		in = in || starts_report(line);
		if (in) {
			if (o + strlen(line) + 2 > len)
				break;
			appendf(buf, len, &o, "%s\n", line);
			if (strstr(line, "---[ end Kernel panic"))
				break;
		}
		p = *end ? end + 1 : end;
	}
}

/* Whether the kernel gave what the command line asked for. */
static bool requirements_met(const struct vm_config *cfg, const struct guest_report *g, char *why, size_t len)
{
	unsigned nodes = node_list_count(g->nodes);

	if (cfg->numa > 1 && nodes != cfg->numa)
		snprintf(why, len, "this kernel shows %u NUMA node(s) where %u were asked (built without CONFIG_NUMA?)",
			 nodes, cfg->numa);
	else if (cfg->cma && g->cma_kb <= 0)
		snprintf(why, len, "this kernel has no CMA area although cma= was given (built without CONFIG_CMA?)");
	else if (cfg->movablecore && g->movable_pages <= 0)
		snprintf(why, len, "this kernel has no ZONE_MOVABLE although movablecore= was given");
	else if (cfg->vfio && !g->vfio[0])
		snprintf(why, len, "the guest could not bind QEMU's edu device to vfio-pci "
			 "(kernel without CONFIG_VFIO_PCI or CONFIG_INTEL_IOMMU?)");
	else
		return true;
	return false;
}

/* What became of the guest, from what it sent and what its console shows. */
static void classify(const struct vm_config *cfg, enum wait_end how, int qemu_status, const char *dir,
		     struct boot_result *r)
{
	char path[4200], line[512];
	char *console;

	snprintf(path, sizeof(path), "%s/console.log", dir);
	console = read_file(path, NULL);
	if (how == WAIT_STOPPED) {
		r->status = BOOT_INTERRUPTED;
		snprintf(r->message, sizeof(r->message), "QEMU was stopped: pinbench got SIGINT or SIGTERM");
	} else if (r->guest.exit_status == 0 && !requirements_met(cfg, &r->guest, line, sizeof(line))) {
		r->status = BOOT_UNMET;
		snprintf(r->message, sizeof(r->message), "%s", line);
	} else if (r->guest.exit_status == 0) {
		r->status = BOOT_OK;
	} else if (r->guest.exit_status > 0) {
		r->status = BOOT_RUN_FAILED;
		run_error(dir, line, sizeof(line));
		snprintf(r->message, sizeof(r->message), "%s in the guest (exit %d): %s",
			 r->guest.exit_status == 3 ? "this kernel cannot run the scenario" : "pinbench run failed",
			 r->guest.exit_status, line);
	} else if (find_line(console, "Kernel panic", line, sizeof(line))) {
		r->status = BOOT_PANIC;
		snprintf(r->message, sizeof(r->message), "%s", line);
		console_evidence(console, r->evidence, sizeof(r->evidence));
	} else if (find_line(console, "Oops", line, sizeof(line)) || find_line(console, "BUG: ", line, sizeof(line))) {
		r->status = BOOT_OOPS;
		snprintf(r->message, sizeof(r->message), "%s", line);
		console_evidence(console, r->evidence, sizeof(r->evidence));
	} else if (how == WAIT_TIMEOUT) {
		r->status = BOOT_HUNG;
		last_line(path, line, sizeof(line));
		snprintf(r->message, sizeof(r->message), "no result within %.0f s; the console's last line: %s",
			 (double)cfg->timeout_ns / 1e9, line);
	} else if (!r->guest.started && (!console || !*console) && qemu_status != 0) {
		r->status = BOOT_QEMU_FAILED;
		snprintf(path, sizeof(path), "%s/qemu.log", dir);
		last_line(path, line, sizeof(line));
		snprintf(r->message, sizeof(r->message), "QEMU exited with %d before the guest printed anything: %s",
			 qemu_status, line);
	} else if (r->damaged[0]) {
		r->status = BOOT_NO_RESULT;
		snprintf(r->message, sizeof(r->message), "the results arrived damaged: %s", r->damaged);
	} else {
		r->status = BOOT_NO_RESULT;
		snprintf(r->message, sizeof(r->message), "the guest stopped without a result%s%s (QEMU exit %d)",
			 r->guest.truncated[0] ? " while sending " : "", r->guest.truncated, qemu_status);
	}
	free(console);
}

/* The largest file a guest sends, decompressed: samples of a long run. */
#define GUEST_FILE_MAX (1ULL * GIB)

/* NAME.gz becomes NAME, as gzip -d does. */
static int gunzip_one(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4400], out[4400], why[512];
	size_t len, o = 0; /* err may be short: appendf cuts a long path */
	char *data;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(out, sizeof(out), "%s/%.*s", dir, (int)strlen(name) - 3, name);
	data = gunzip_file(path, GUEST_FILE_MAX, &len, why, sizeof(why));
	if (!data) {
		appendf(err, errlen, &o, "gunzip %s", why);
		return -1;
	}
	ret = write_file_atomic(out, data, len);
	free(data);
	if (ret || unlink(path)) {
		appendf(err, errlen, &o, "%s: %s", ret ? out : path, strerror(ret ? -ret : errno));
		return -1;
	}
	return 0;
}

/* The guest gzips what it sends; gunzip each. */
static int gunzip_all(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	while (d && (de = readdir(d)) && !ret) {
		size_t n = strlen(de->d_name);
		if (n >= 4 && !strcmp(de->d_name + n - 3, ".gz"))
			ret = gunzip_one(dir, de->d_name, err, errlen);
	}
	if (d)
		closedir(d);
	return ret;
}

/* Decodes what the guest sent; the raw stream goes once it is read. */
static void receive(const char *dir, struct boot_result *r)
{
	char path[4200], err[256];
	size_t len = 0;
	char *stream;

	snprintf(path, sizeof(path), "%s/transfer.log", dir);
	stream = read_file(path, &len);
	if (transfer_read(stream ? stream : "", len, dir, &r->guest, err, sizeof(err)) ||
	    gunzip_all(dir, err, sizeof(err))) {
		/* a damaged stream is a failed boot, whatever it said */
		r->guest.exit_status = -1;
		snprintf(r->damaged, sizeof(r->damaged), "%s", err);
	} else {
		unlink(path);
	}
	free(stream);
}

int vm_boot(const struct vm_config *cfg, bool kvm, const char *kernel, const char *initrd, const char *dir,
	    atomic_int *stop, struct boot_result *r)
{
	struct qemu_cmd q;
	char log[4200], who[24];
	pid_t pid;
	int status = -1, ret;

	memset(r, 0, sizeof(*r));
	r->kvm = kvm;
	build_cmd(&q, cfg, kvm, kernel, initrd, dir);
	snprintf(log, sizeof(log), "%s/qemu.log", dir);
	uint64_t start = now_ns();
	join_cmd(&q, r->command, sizeof(r->command));
	ret = spawn_background(q.argv, log, &pid);
	free_cmd(&q);
	if (ret) {
		snprintf(r->message, sizeof(r->message), "cannot start qemu-system-x86_64: %s", strerror(-ret));
		r->status = BOOT_QEMU_FAILED;
		return -1;
	}
	journal_process(pid); /* no journal without root: then SIGINT is the only way out */
	enum wait_end how = wait_bounded(pid, cfg->timeout_ns, stop, &status);
	r->seconds = (double)(now_ns() - start) / 1e9;
	snprintf(who, sizeof(who), "%d", (int)pid);
	journal_forget("process", who);
	receive(dir, r);
	classify(cfg, how, status, dir, r);
	return 0;
}
