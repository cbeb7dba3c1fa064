/* pinbench vm below the command line: preflight, output directory,
 * accelerator, the boots, vm.json and the comparison of the kernels. */
#include "config.h"
#include "session.h"
#include "accel.h"
#include "boot.h"
#include "env.h"
#include "initramfs.h"
#include "log.h"
#include "util.h"
#include "scenario.h"
#include "subprocess.h"
#include "units.h"
#include "files.h"
#include "paths.h"
#include "exitcode.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* DIR/RELEASE, or DIR/RELEASE-2 when two kernels name the same release
 * (a patched kernel built from the same tree). */
static void name_kernel_dirs(struct vm_args *a, const char *dir)
{
	for (size_t i = 0; i < a->nk; i++) {
		unsigned same = 1;
		for (size_t j = 0; j < i; j++)
			same += !strcmp(a->k[j].release, a->k[i].release);
		for (char *p = a->k[i].release; *p; p++)
			if (*p == '/')
				*p = '_';
		if (same > 1)
			snprintf(a->k[i].dir, sizeof(a->k[i].dir), "%s/%s-%u", dir, a->k[i].release, same);
		else
			snprintf(a->k[i].dir, sizeof(a->k[i].dir), "%s/%s", dir, a->k[i].release);
	}
}

/* Everything that can be found wrong before the first boot. */
static int preflight(struct vm_args *a, struct scenario *sc)
{
	char err[1024], s[32], t[32];
	uint64_t safe = env_safe_bytes(NULL, NULL);

	if (scenario_load(a->scenario, sc, err, sizeof(err))) {
		pb_err("%s", err);
		return EXIT_BAD_INPUT;
	}
	for (size_t j = 0; j < sc->njobs; j++) /* a guest that has what the scenario pins through */
		a->cfg.vfio |= sc->jobs[j].backend->needs_vfio_device;
	for (size_t i = 0; i < a->nk; i++)
		if (bzimage_release(a->k[i].path, a->k[i].release, sizeof(a->k[i].release), err, sizeof(err))) {
			pb_err("vm: --kernel %s", err);
			return EXIT_BAD_INPUT;
		}
	if (a->cfg.mem > safe) {
		format_size(a->cfg.mem, s, sizeof(s));
		format_size(safe, t, sizeof(t));
		pb_err("vm: refusing a %s guest: only %s can be used without risk to the host "
		       "(MemAvailable less a safety margin); lower --mem", s, t);
		return EXIT_CANNOT;
	}
	if (!program_in_path("qemu-system-x86_64")) {
		pb_err("vm: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
		return EXIT_CANNOT;
	}
	return 0;
}

static int make_output_dir(struct vm_args *a, const struct scenario *sc, char *dir, size_t len)
{
	struct stat st;
	char name[300];

	snprintf(name, sizeof(name), "vm-%s", sc->name);
	if (a->output)
		snprintf(dir, len, "%s", a->output);
	else
		default_results_dir(name, dir, len);
	if (stat(dir, &st) == 0) {
		pb_err("vm: %s exists: results are never overwritten; choose another -o", dir);
		return EXIT_BAD_INPUT;
	}
	int ret = mkdir_p(dir, 0755);
	if (ret) {
		pb_err("vm: cannot create %s: %s", dir, strerror(-ret));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* What the boots of one `pinbench vm` share. */
struct session {
	struct vm_args *a;
	char dir[4096], initrd[4200];
	bool kvm;
	char accel_note[600];
	char command[4096];      /* the first boot's QEMU command */
	unsigned done, total, failed;
};

static int choose_accel(struct session *s)
{
	char why[256], probe[4200];
	bool asked_tcg = !strcmp(s->a->accel, "tcg"), opens = !asked_tcg && kvm_available(why, sizeof(why));

	s->kvm = false;
	if (asked_tcg) {
		snprintf(s->accel_note, sizeof(s->accel_note), "TCG (asked for)");
	} else if (opens && !strcmp(s->a->accel, "kvm")) {
		s->kvm = true;
		snprintf(s->accel_note, sizeof(s->accel_note), "KVM (asked for)");
	} else if (opens) {
		snprintf(probe, sizeof(probe), "%s/.probe", s->dir);
		s->kvm = accel_trust_kvm(&s->a->cfg, s->a->k[0].path, probe, s->accel_note, sizeof(s->accel_note));
	} else if (!strcmp(s->a->accel, "kvm")) {
		pb_err("vm: --accel kvm: %s", why);
		return EXIT_CANNOT;
	} else {
		snprintf(s->accel_note, sizeof(s->accel_note), "TCG (no KVM: %s)", why);
	}
	return 0;
}

static void restage(const char *staging)
{
	remove_tree(staging);
	mkdir_p(staging, 0755);
}

/* A boot that ended badly under KVM is run again under TCG when asked
 * (--retry-on-tcg). When TCG runs it, KVM was at fault: every boot from
 * here on uses TCG, and the verdict is kept for --accel auto. */
static void retry_on_tcg(struct session *s, struct kernel_under_test *k, const char *staging,
			 struct boot_result *r, struct boot_result *first)
{
	char reason[1200];

	*first = *r;
	pb_warn("vm: %s %s under KVM (%s); booting it again under TCG", k->release, boot_status_name(r->status),
		r->message);
	restage(staging);
	vm_boot(&s->a->cfg, false, k->path, s->initrd, staging, &env_stop, r);
	if (r->status != BOOT_OK)
		return;
	snprintf(reason, sizeof(reason), "a guest of %s ended '%s' under KVM and ran under TCG: %.900s",
		 k->release, boot_status_name(first->status), first->message);
	snprintf(s->accel_note, sizeof(s->accel_note), "TCG (KVM failed: %.500s)", reason);
	s->kvm = false;
	if (!strcmp(s->a->accel, "auto"))
		accel_distrust_kvm(reason, k->path);
}

/* Boots into a staging directory, then moves it to where it belongs:
 * DIR/NAME/boot-N when the run succeeded, DIR/failed/NAME-boot-N when
 * not, so that a directory of a kernel's boots holds only complete runs. */
static void boot_once(struct session *s, struct kernel_under_test *k, unsigned b, struct boot_result *r,
		      struct boot_result *first, char *final, size_t len)
{
	char staging[4300];

	snprintf(staging, sizeof(staging), "%s/.boot", s->dir);
	restage(staging);
	vm_boot(&s->a->cfg, s->kvm, k->path, s->initrd, staging, &env_stop, r);
	if (r->status == BOOT_QEMU_FAILED && s->kvm && !strcmp(s->a->accel, "auto")) {
		/* /dev/kvm answers but cannot run this vCPU (nested
		 * virtualisation, say): every boot from here on uses TCG. */
		snprintf(s->accel_note, sizeof(s->accel_note), "TCG (KVM failed: %.500s)", r->message);
		pb_warn("KVM cannot run the guest here, using TCG: %s", r->message);
		s->kvm = false;
		restage(staging);
		vm_boot(&s->a->cfg, s->kvm, k->path, s->initrd, staging, &env_stop, r);
	}
	if (r->kvm && s->a->retry_on_tcg &&
	    (r->status == BOOT_PANIC || r->status == BOOT_OOPS || r->status == BOOT_HUNG))
		retry_on_tcg(s, k, staging, r, first);
	if (!s->command[0])
		snprintf(s->command, sizeof(s->command), "%s", r->command);
	if (r->status == BOOT_OK)
		snprintf(final, len, "%s/boot-%u", k->dir, b);
	else
		snprintf(final, len, "%s/failed/%s-boot-%u", s->dir, path_base(k->dir), b);
	char parent[4500];
	snprintf(parent, sizeof(parent), "%s", final);
	*strrchr(parent, '/') = '\0';
	mkdir_p(parent, 0755);
	if (rename(staging, final))
		pb_err("vm: cannot move %s to %s: %s", staging, final, strerror(errno));
}

/* A panic's console lines as an array of strings. */
static json_t *evidence_json(const char *text)
{
	json_t *a = json_array();

	for (const char *p = text; *p;) {
		const char *end = strchrnul(p, '\n');
		json_array_append_new(a, json_stringn(p, (size_t)(end - p)));
		p = *end ? end + 1 : end;
	}
	return a;
}

/* How a boot ended: status, message, accelerator, evidence. */
static json_t *ending_json(const struct boot_result *r)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "status", boot_status_name(r->status), "message", r->message,
			 "accelerator", r->kvm ? "kvm" : "tcg", "evidence", evidence_json(r->evidence));
}

/* seconds: QEMU's start to its exit; to_userspace, run and transfer:
 * the guest's uptime when /init started, the scenario's time and the
 * time to send the files back. */
static json_t *boot_json(unsigned b, const struct boot_result *r, const struct boot_result *first,
			 const char *dir)
{
	const struct guest_report *g = &r->guest;
	json_t *j = ending_json(r);

	/* The attempt under KVM that --retry-on-tcg replaced. */
	json_object_set_new(j, "kvm_attempt", first->status == BOOT_OK ? json_null() : ending_json(first));
	json_object_update_missing_new(
		j, json_pack("{s:i, s:f, s:o, s:o, s:o, s:s, s:s, s:s, s:I, s:I, s:i}", "boot", b, "seconds",
			     r->seconds, "to_userspace",
			 seconds_json(g->uptime_init), "run", seconds_json(g->uptime_run - g->uptime_init),
			 "transfer", seconds_json(g->uptime_sent - g->uptime_run), "dir", dir, "guest_release",
			 g->release, "guest_nodes", g->nodes, "movable_pages", (json_int_t)g->movable_pages, "cma_kb",
			 (json_int_t)g->cma_kb, "run_exit_status", g->exit_status));
	return j;
}

/* The evidence of a failed boot, indented under its line. */
static void print_evidence(const struct boot_result *r)
{
	for (const char *p = r->evidence; *p;) {
		const char *end = strchrnul(p, '\n');
		printf("    %.*s\n", (int)(end - p), p);
		p = *end ? end + 1 : end;
	}
}

static void run_boot(struct session *s, struct kernel_under_test *k, unsigned b)
{
	struct boot_result r, first = { .status = BOOT_OK };
	char final[4500];

	s->done++;
	fprintf(stderr, "[%u/%u] %s, boot %u/%u: booting (%s)\n", s->done, s->total, k->release, b, s->a->boots,
		s->kvm ? "KVM" : "TCG");
	boot_once(s, k, b, &r, &first, final, sizeof(final));
	json_array_append_new(k->boots, boot_json(b, &r, &first, final));
	if (r.status == BOOT_OK) {
		k->ok++;
		printf("[%u/%u] %s, boot %u: ok in %.1f s (userspace at %.1f s, scenario %.1f s, results sent in "
		       "%.1f s) -> %s\n", s->done, s->total, k->release, b, r.seconds, r.guest.uptime_init,
		       r.guest.uptime_run - r.guest.uptime_init, r.guest.uptime_sent - r.guest.uptime_run, final);
	} else {
		s->failed++;
		printf("[%u/%u] %s, boot %u: %s after %.1f s under %s: %s (console: %s/console.log)\n", s->done,
		       s->total, k->release, b, boot_status_name(r.status), r.seconds, r.kvm ? "KVM" : "TCG",
		       r.message, final);
		print_evidence(&r);
	}
	fflush(stdout);
}

/* `pinbench compare` of the kernels with at least one complete boot, the
 * first as the base, in text and JSON. */
static int compare_kernels(struct session *s)
{
	char *argv[MAX_KERNELS + 8], out[4300], *text = NULL;
	size_t argc = 0, len;
	int ret = 0;

	argv[argc++] = "/proc/self/exe";
	argv[argc++] = "compare";
	for (size_t i = 0; i < s->a->nk; i++)
		if (s->a->k[i].ok)
			argv[argc++] = s->a->k[i].dir;
	if (argc < 4)
		return 0;
	argv[argc++] = "-o";
	argv[argc++] = out;
	for (int json = 0; json < 2 && !ret; json++) {
		snprintf(out, sizeof(out), "%s/compare.%s", s->dir, json ? "json" : "txt");
		if (json) {
			argv[argc++] = "--format";
			argv[argc++] = "json";
		}
		argv[argc] = NULL;
		ret = spawn_capture(argv, &text, &len);
		free(text);
		text = NULL;
	}
	if (ret) {
		pb_err("vm: pinbench compare failed (exit %d); the run directories are kept", ret);
		return -1;
	}
	snprintf(out, sizeof(out), "%s/compare.txt", s->dir);
	text = read_file(out, NULL);
	printf("\n%s", text ? text : "");
	free(text);
	return 0;
}

static void write_vm_json(struct session *s)
{
	const struct vm_config *c = &s->a->cfg;
	json_t *kernels = json_array();
	char path[4200];

	for (size_t i = 0; i < s->a->nk; i++)
		json_array_append_new(kernels, json_pack("{s:s, s:s, s:s, s:O}", "path", s->a->k[i].path, "release",
							 s->a->k[i].release, "dir", s->a->k[i].dir, "boots",
							 s->a->k[i].boots));
	json_t *root = json_pack("{s:i, s:s, s:s, s:{s:I, s:i, s:i, s:I, s:I, s:s, s:f, s:i, s:b}, s:s, s:o}",
				 "schema_version", 1, "scenario", s->a->scenario, "accelerator", s->accel_note,
				 "config", "mem", (json_int_t)c->mem, "numa", c->numa, "cpus", c->cpus,
				 "movablecore", (json_int_t)c->movablecore, "cma", (json_int_t)c->cma, "append",
				 c->append ? c->append : "", "timeout_s", (double)c->timeout_ns / 1e9, "boots",
				 s->a->boots, "vfio", c->vfio, "qemu_command", s->command, "kernels", kernels);
	snprintf(path, sizeof(path), "%s/vm.json", s->dir);
	int ret = write_json_atomic(path, root, JSON_INDENT(2));
	if (ret)
		pb_err("vm: cannot write %s: %s", path, strerror(-ret));
	json_decref(root);
}

/* config-RELEASE and System.map-RELEASE beside a bzImage (kernel build
 * keeps both, scripts/fetch-kernels the config), for the guest's /boot:
 * each kernel's run.json then records its config, and a hang's kernel
 * stack is named from its System.map. */
static size_t kernel_boot_files(const struct vm_args *a, char **paths)
{
	static const char *const files[] = { "config", "System.map" };
	size_t n = 0;

	for (size_t i = 0; i < a->nk; i++) {
		const char *slash = strrchr(a->k[i].path, '/');
		int dirlen = slash ? (int)(slash - a->k[i].path) : 1;
		for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
			if (asprintf(&paths[n], "%.*s/%s-%s", dirlen, slash ? a->k[i].path : ".", files[f],
				     a->k[i].release) < 0)
				return n;
			if (access(paths[n], R_OK) == 0)
				n++;
			else
				free(paths[n]);
		}
	}
	return n;
}

static int run_boots(struct session *s, const struct scenario *sc)
{
	char err[1024], *configs[2 * MAX_KERNELS];
	size_t nconfigs = kernel_boot_files(s->a, configs);
	int ret;

	snprintf(s->initrd, sizeof(s->initrd), "%s/.initrd.cpio", s->dir);
	ret = initramfs_write(s->initrd, sc, configs, nconfigs, err, sizeof(err));
	for (size_t i = 0; i < nconfigs; i++)
		free(configs[i]);
	if (ret) {
		pb_err("vm: initramfs: %s", err);
		return EXIT_CANNOT;
	}
	printf("pinbench vm: %zu kernel(s) x %u boot(s); %u node(s), %llu MiB, %u CPU(s); accelerator %s\n",
	       s->a->nk, s->a->boots, s->a->cfg.numa, (unsigned long long)(s->a->cfg.mem / MIB), s->a->cfg.cpus,
	       s->accel_note);
	fflush(stdout);
	/* Interleaved, A B A B: host drift spreads over every kernel alike. */
	for (unsigned b = 1; b <= s->a->boots && !env_stop; b++)
		for (size_t i = 0; i < s->a->nk && !env_stop; i++)
			run_boot(s, &s->a->k[i], b);
	unlink(s->initrd);
	return 0;
}

int vm_session_run(struct vm_args *a)
{
	struct session s = { .a = a };
	struct scenario sc = { 0 };
	int ret, journal = 0;

	if ((ret = preflight(a, &sc)) || (ret = make_output_dir(a, &sc, s.dir, sizeof(s.dir))))
		goto out;
	if ((ret = choose_accel(&s))) {
		rmdir(s.dir);
		goto out;
	}
	name_kernel_dirs(a, s.dir);
	for (size_t i = 0; i < a->nk; i++)
		a->k[i].boots = json_array();
	env_catch_signals();
	if (geteuid() == 0) {
		/* QEMU children are journalled: `env restore` ends them
		 * after a SIGKILL. */
		if (env_begin()) {
			ret = EXIT_CANNOT;
			goto out;
		}
		journal = 1;
	}
	s.total = (unsigned)a->nk * a->boots;
	ret = run_boots(&s, &sc);
	write_vm_json(&s);
	if (!ret && compare_kernels(&s))
		ret = EXIT_FAILED;
	if (!ret && (s.failed || env_stop))
		ret = EXIT_FAILED;
	printf("\n%u of %u boot(s) complete; %s/vm.json\n", s.done - s.failed, s.total,
	       s.dir);
out:
	if (journal)
		env_end();
	for (size_t i = 0; i < a->nk; i++)
		json_decref(a->k[i].boots);
	if (sc.path)
		scenario_free(&sc);
	return ret;
}
