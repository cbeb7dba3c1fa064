/* Which accelerator `pinbench vm --accel auto` may trust. /dev/kvm that
 * opens is not enough: under nested virtualisation it can panic guests,
 * hang them before they print a line, abort QEMU, or run slower than TCG.
 * So KVM is trusted only once a probe boot has seen it bring the guest to
 * userspace no slower than TCG does, and the verdict is kept in the cache
 * directory for this QEMU and this host kernel. */
#include "config.h"
#include "accel.h"
#include "initramfs.h"
#include "files.h"
#include "paths.h"
#include "log.h"
#include "subprocess.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* What the verdict holds for: this QEMU on this host kernel. */
struct accel_key {
	char qemu[128], host[128];
};

static void accel_path(char *buf, size_t len)
{
	char dir[4000];

	cache_dir(dir, sizeof(dir));
	snprintf(buf, len, "%s/accel.json", dir);
}

static void current_key(struct accel_key *k)
{
	char *argv[] = { "qemu-system-x86_64", "--version", NULL }, *out = NULL;
	struct utsname u;
	size_t len;

	k->qemu[0] = '\0';
	if (spawn_capture(argv, &out, &len) == 0 && out)
		snprintf(k->qemu, sizeof(k->qemu), "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	snprintf(k->host, sizeof(k->host), "%s", uname(&u) == 0 ? u.release : "");
}

static const char *text_of(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? s : "?";
}

/* The stored verdict when it is for key; NULL when there is none. */
static json_t *stored_verdict(const struct accel_key *key)
{
	char path[4100];
	json_t *j;

	accel_path(path, sizeof(path));
	j = json_load_file(path, 0, NULL);
	if (!j)
		return NULL;
	const char *qemu = json_string_value(json_object_get(j, "qemu"));
	const char *host = json_string_value(json_object_get(j, "host_release"));
	const char *use = json_string_value(json_object_get(j, "use"));
	if (!qemu || !host || !use || strcmp(qemu, key->qemu) || strcmp(host, key->host) ||
	    (strcmp(use, "kvm") && strcmp(use, "tcg"))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void store_verdict(const struct accel_key *key, bool kvm, const char *reason, const char *kernel,
			  double kvm_s, double tcg_s)
{
	char path[4100], when[32];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "schema_version", 1, "qemu", key->qemu,
			      "host_release", key->host, "use", kvm ? "kvm" : "tcg", "reason", reason,
			      "kernel", kernel ? kernel : "", "kvm_seconds", seconds_json(kvm_s), "tcg_seconds",
			      seconds_json(tcg_s), "judged_at", when);
	accel_path(path, sizeof(path));
	char dir[4100];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	int ret = mkdir_p(dir, 0755);
	if (!ret)
		ret = write_json_atomic(path, j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	if (ret)
		pb_warn("cannot keep the accelerator's verdict in %s: %s", path, strerror(-ret));
	json_decref(j);
}

/* One probe boot: the seconds from QEMU's start to the guest's power-off,
 * or NAN when the guest never reached userspace (what it did instead in
 * why). */
static double probe_boot(const struct vm_config *guest, bool kvm, const char *kernel, const char *initrd,
			 const char *workdir, uint64_t timeout_ns, char *why, size_t len)
{
	struct vm_config cfg = *guest;
	struct boot_result *r = calloc(1, sizeof(*r));
	atomic_int never = 0;
	char console[4200];
	double s = NAN;

	if (!r) {
		snprintf(why, len, "out of memory");
		return NAN;
	}
	cfg.append = "rdinit=/probe";
	cfg.movablecore = cfg.cma = 0;
	cfg.timeout_ns = timeout_ns;
	remove_tree(workdir);
	mkdir_p(workdir, 0755);
	vm_boot(&cfg, kvm, kernel, initrd, workdir, &never, r);
	snprintf(console, sizeof(console), "%s/console.log", workdir);
	char *text = read_file(console, NULL);
	if (text && strstr(text, INITRAMFS_PROBE_MARKER) && r->seconds * 1e9 < (double)timeout_ns)
		s = r->seconds;
	else if (r->status == BOOT_PANIC || r->status == BOOT_OOPS)
		snprintf(why, len, "the probe guest panicked: %s", r->message);
	else if (r->status == BOOT_QEMU_FAILED)
		snprintf(why, len, "%s", r->message);
	else
		snprintf(why, len, "the probe guest did not reach userspace within %.0f s",
			 (double)timeout_ns / 1e9);
	free(text);
	free(r);
	remove_tree(workdir);
	return s;
}

/* Boots the probe under TCG, then under KVM, and decides. */
static bool probe(const struct accel_key *key, const struct vm_config *guest, const char *kernel,
		  const char *workdir, char *note, size_t len)
{
	char initrd[4200], err[1024], why[900];
	double tcg, kvm;
	bool use_kvm;

	snprintf(initrd, sizeof(initrd), "%s.cpio", workdir);
	if (initramfs_write_probe(initrd, err, sizeof(err))) {
		snprintf(note, len, "TCG (KVM not probed: %.500s)", err);
		return false;
	}
	pb_info("vm: /dev/kvm opens; one probe boot under each accelerator decides whether KVM runs guests here");
	tcg = probe_boot(guest, false, kernel, initrd, workdir, 120ULL * 1000000000ULL, why, sizeof(why));
	if (isnan(tcg)) {
		/* A kernel that cannot boot says nothing about KVM. */
		unlink(initrd);
		snprintf(note, len, "TCG (KVM not judged: under TCG too %.500s)", why);
		return false;
	}
	/* Slower than TCG is no use: the KVM boot gets TCG's time and a margin. */
	uint64_t bound = (uint64_t)((tcg * 1.5 + 5) * 1e9);
	kvm = probe_boot(guest, true, kernel, initrd, workdir, bound, why, sizeof(why));
	unlink(initrd);
	use_kvm = !isnan(kvm) && kvm <= tcg;
	if (use_kvm)
		snprintf(why, sizeof(why), "the probe guest reached userspace in %.1f s under KVM, %.1f s under TCG",
			 kvm, tcg);
	else if (!isnan(kvm))
		snprintf(why, sizeof(why), "KVM is slower than TCG here: the probe guest reached userspace in %.1f s "
			 "under KVM, %.1f s under TCG", kvm, tcg);
	store_verdict(key, use_kvm, why, kernel, kvm, tcg);
	snprintf(note, len, use_kvm ? "KVM (%.500s)" : "TCG (KVM untrusted: %.500s)", why);
	if (!use_kvm)
		pb_warn("vm: KVM is not used here: %s", why);
	return use_kvm;
}

bool accel_trust_kvm(const struct vm_config *guest, const char *kernel, const char *workdir, char *note,
		     size_t len)
{
	struct accel_key key;
	json_t *j;

	current_key(&key);
	if (!(j = stored_verdict(&key)))
		return probe(&key, guest, kernel, workdir, note, len);
	bool kvm = !strcmp(json_string_value(json_object_get(j, "use")), "kvm");
	snprintf(note, len, kvm ? "KVM (judged %s: %.400s)" : "TCG (KVM untrusted since %s: %.400s)",
		 text_of(j, "judged_at"), text_of(j, "reason"));
	json_decref(j);
	return kvm;
}

void accel_distrust_kvm(const char *reason, const char *kernel)
{
	struct accel_key key;

	current_key(&key);
	store_verdict(&key, false, reason, kernel, NAN, NAN);
}

void accel_describe(FILE *f)
{
	struct accel_key key;
	char path[4100];
	json_t *j;

	current_key(&key);
	accel_path(path, sizeof(path));
	if (!key.qemu[0]) {
		fprintf(f, "accelerator:        qemu-system-x86_64 not installed\n");
	} else if (!(j = stored_verdict(&key))) {
		fprintf(f, "accelerator:        not judged yet for %s on %s: the first `pinbench vm --accel auto` "
			"probes KVM (%s)\n", key.qemu, key.host, path);
	} else {
		fprintf(f, "accelerator:        %s for %s on %s, judged %s: %s (%s)\n",
			strcmp(text_of(j, "use"), "kvm") ? "TCG" : "KVM", key.qemu, key.host,
			text_of(j, "judged_at"), text_of(j, "reason"), path);
		json_decref(j);
	}
}
