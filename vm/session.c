/* pinbench vm below the command line: preflight, output directory,
 * accelerator, the boots, vm.json; the comparison is the command's. */
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
#include "util.h"
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

/* NAME, or NAME-2 when an earlier one of names (each len bytes apart)
 * is NAME too: a patched kernel built from the same tree, or two
 * scenario files of the same name in different directories. */
static void unique_name(const char *name, const char *names, size_t len, size_t before, char *out, size_t outlen)
{
	unsigned same = 1;

	for (size_t j = 0; j < before; j++)
		same += !strcmp(names + j * len, name);
	int room = (int)outlen - 12; /* room for "-N" */

	if (same > 1)
		snprintf(out, outlen, "%.*s-%u", room, name, same);
	else
		snprintf(out, outlen, "%.*s", room, name);
}

/* RELEASE, or RELEASE-2 when two kernels name the same release. */
static void name_kernels(struct vm_args *a)
{
	for (size_t i = 0; i < a->nk; i++) {
		for (char *p = a->k[i].release; *p; p++)
			if (*p == '/')
				*p = '_';
		unique_name(a->k[i].release, a->k[0].release, sizeof(a->k[0]), i, a->k[i].name, sizeof(a->k[i].name));
	}
}

void vm_name_scenarios(struct vm_args *a)
{
	char names[MAX_SCENARIOS][128];

	for (size_t i = 0; i < a->ns; i++) {
		const char *base = path_base(a->s[i].path);
		size_t n = strlen(base);
		if (n > 4 && !strcmp(base + n - 4, ".ini"))
			n -= 4;
		/* failed/ holds failed boots and dot-names are the session's
		 * own; store and the reader skip both */
		bool taken = base[0] == '.' || (n == 6 && !strncmp(base, "failed", 6));
		snprintf(names[i], sizeof(names[i]), "%s%.*s", taken ? "scenario-" : "", (int)(n < 100 ? n : 100), base);
		unique_name(names[i], names[0], sizeof(names[0]), i, a->s[i].name, sizeof(a->s[i].name));
	}
}

/* DIR/NAME for each kernel, under DIR/SCENARIO with several scenarios. */
static void name_dirs(struct vm_args *a, const char *dir)
{
	name_kernels(a);
	vm_name_scenarios(a);
	for (size_t i = 0; i < a->ns; i++) {
		struct scenario_under_test *s = &a->s[i];
		if (a->ns > 1)
			snprintf(s->dir, sizeof(s->dir), "%s/%s", dir, s->name);
		else
			snprintf(s->dir, sizeof(s->dir), "%s", dir);
		for (size_t k = 0; k < a->nk; k++)
			snprintf(s->cell[k].dir, sizeof(s->cell[k].dir), "%s/%s", s->dir, a->k[k].name);
	}
}

/* Each scenario read and checked, with the guest it needs. */
static int load_scenarios(struct vm_args *a)
{
	char err[1024];

	for (size_t i = 0; i < a->ns; i++) {
		struct scenario_under_test *s = &a->s[i];
		s->sc = xcalloc(1, sizeof(*s->sc));
		if (scenario_load(s->path, s->sc, err, sizeof(err))) {
			pb_err("%s", err);
			return EXIT_BAD_INPUT;
		}
		s->cfg = a->cfg;
		for (size_t j = 0; j < s->sc->njobs; j++) /* a guest that has what the scenario pins through */
			s->cfg.vfio |= s->sc->jobs[j].backend->needs_vfio_device;
	}
	for (size_t i = 0; i < a->ns; i++) /* the probe's guest: the richest the session boots */
		a->cfg.vfio |= a->s[i].cfg.vfio;
	return 0;
}

/* Everything that can be found wrong before the first boot. */
static int preflight(struct vm_args *a)
{
	char err[1024], s[32], t[32];
	uint64_t safe = env_safe_bytes(NULL, NULL);
	int ret = load_scenarios(a);

	if (ret)
		return ret;
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

static int make_output_dir(struct vm_args *a, char *dir, size_t len)
{
	struct stat st;
	char name[300];

	/* several scenarios: vm-matrix-TIME */
	snprintf(name, sizeof(name), "vm-%s", a->ns > 1 ? "matrix" : a->s[0].sc->name);
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
	char dir[4096];
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

/* One boot to run: a kernel, a scenario, the round. */
struct boot_job {
	struct kernel_under_test *k;
	struct scenario_under_test *sc;
	struct vm_cell *cell;
	unsigned b;
	char label[300];         /* RELEASE, or SCENARIO: RELEASE with several scenarios */
};

/* A boot that ended badly under KVM is run again under TCG when asked
 * (--retry-on-tcg). When TCG runs it, KVM was at fault: every boot from
 * here on uses TCG, and the verdict is kept for --accel auto. */
static void retry_on_tcg(struct session *s, const struct boot_job *j, const char *staging, struct boot_result *r,
			 struct boot_result *first)
{
	char reason[1200];

	*first = *r;
	pb_warn("vm: %s %s under KVM (%s); booting it again under TCG", j->label, boot_status_name(r->status),
		r->message);
	restage(staging);
	vm_boot(&j->sc->cfg, false, j->k->path, j->sc->initrd, staging, &env_stop, r);
	if (r->status != BOOT_OK)
		return;
	snprintf(reason, sizeof(reason), "a guest of %s ended '%s' under KVM and ran under TCG: %.900s",
		 j->k->release, boot_status_name(first->status), first->message);
	snprintf(s->accel_note, sizeof(s->accel_note), "TCG (KVM failed: %.500s)", reason);
	s->kvm = false;
	if (!strcmp(s->a->accel, "auto"))
		accel_distrust_kvm(reason, j->k->path);
}

/* Boots into a staging directory, then moves it to where it belongs:
 * SCENARIO_DIR/NAME/boot-N when the run succeeded,
 * SCENARIO_DIR/failed/NAME-boot-N when not, so that a directory of a
 * kernel's boots holds only complete runs. */
static void boot_once(struct session *s, const struct boot_job *j, struct boot_result *r, struct boot_result *first,
		      char *final, size_t len)
{
	char staging[4300];

	snprintf(staging, sizeof(staging), "%s/.boot", s->dir);
	restage(staging);
	vm_boot(&j->sc->cfg, s->kvm, j->k->path, j->sc->initrd, staging, &env_stop, r);
	if (r->status == BOOT_QEMU_FAILED && s->kvm && !strcmp(s->a->accel, "auto")) {
		/* /dev/kvm answers but cannot run this vCPU (nested
		 * virtualisation, say): every boot from here on uses TCG. */
		snprintf(s->accel_note, sizeof(s->accel_note), "TCG (KVM failed: %.500s)", r->message);
		pb_warn("KVM cannot run the guest here, using TCG: %s", r->message);
		s->kvm = false;
		restage(staging);
		vm_boot(&j->sc->cfg, s->kvm, j->k->path, j->sc->initrd, staging, &env_stop, r);
	}
	if (r->kvm && s->a->retry_on_tcg &&
	    (r->status == BOOT_PANIC || r->status == BOOT_OOPS || r->status == BOOT_HUNG))
		retry_on_tcg(s, j, staging, r, first);
	if (!s->command[0])
		snprintf(s->command, sizeof(s->command), "%s", r->command);
	if (r->status == BOOT_OK)
		snprintf(final, len, "%s/boot-%u", j->cell->dir, j->b);
	else
		snprintf(final, len, "%s/failed/%s-boot-%u", j->sc->dir, j->k->name, j->b);
	char parent[4800];
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

/* "panic, hung": how a cell's failed boots ended, each status once. */
static void note_failure(struct vm_cell *c, enum boot_status status)
{
	const char *name = boot_status_name(status);
	size_t o = strlen(c->failures);

	for (const char *p = c->failures; (p = strstr(p, name)); p += strlen(name))
		if ((p == c->failures || p[-1] == ' ') && (p[strlen(name)] == ',' || !p[strlen(name)]))
			return;
	appendf(c->failures, sizeof(c->failures), &o, "%s%s", o ? ", " : "", name);
}

static void run_boot(struct session *s, struct boot_job *j)
{
	struct boot_result r, first = { .status = BOOT_OK };
	char final[4800];

	s->done++;
	fprintf(stderr, "[%u/%u] %s, boot %u/%u: booting (%s)\n", s->done, s->total, j->label, j->b, s->a->boots,
		s->kvm ? "KVM" : "TCG");
	boot_once(s, j, &r, &first, final, sizeof(final));
	json_array_append_new(j->cell->boots, boot_json(j->b, &r, &first, final));
	if (r.status == BOOT_OK) {
		j->cell->ok++;
		printf("[%u/%u] %s, boot %u: ok in %.1f s (userspace at %.1f s, scenario %.1f s, results sent in "
		       "%.1f s) -> %s\n", s->done, s->total, j->label, j->b, r.seconds, r.guest.uptime_init,
		       r.guest.uptime_run - r.guest.uptime_init, r.guest.uptime_sent - r.guest.uptime_run, final);
	} else {
		s->failed++;
		j->cell->failed++;
		note_failure(j->cell, r.status);
		printf("[%u/%u] %s, boot %u: %s after %.1f s under %s: %s (console: %s/console.log)\n", s->done,
		       s->total, j->label, j->b, boot_status_name(r.status), r.seconds, r.kvm ? "KVM" : "TCG",
		       r.message, final);
		print_evidence(&r);
	}
	fflush(stdout);
}

/* One kernel's entry: where its boots went and how each ended. */
static json_t *kernel_json(const struct kernel_under_test *k, const struct vm_cell *c)
{
	return json_pack("{s:s, s:s, s:s, s:O}", "path", k->path, "release", k->release, "dir", c->dir, "boots",
			 c->boots);
}

/* With one scenario, vm.json keeps the layout it always had: the
 * scenario's path and each kernel's boots. With several, "scenarios"
 * lists each (path, name, directory, whether its guest had the VFIO
 * device) with its kernels' boots. */
static json_t *runs_json(const struct vm_args *a)
{
	json_t *scenarios = json_array();

	if (a->ns == 1) {
		json_t *kernels = json_array();
		for (size_t i = 0; i < a->nk; i++)
			json_array_append_new(kernels, kernel_json(&a->k[i], &a->s[0].cell[i]));
		return json_pack("{s:s, s:o}", "scenario", a->s[0].path, "kernels", kernels);
	}
	for (size_t j = 0; j < a->ns; j++) {
		const struct scenario_under_test *sc = &a->s[j];
		json_t *kernels = json_array();
		for (size_t i = 0; i < a->nk; i++)
			json_array_append_new(kernels, kernel_json(&a->k[i], &sc->cell[i]));
		json_array_append_new(scenarios, json_pack("{s:s, s:s, s:s, s:b, s:o}", "scenario", sc->path, "name",
							   sc->name, "dir", sc->dir, "vfio", sc->cfg.vfio,
							   "kernels", kernels));
	}
	return json_pack("{s:o}", "scenarios", scenarios);
}

static void write_vm_json(struct session *s)
{
	const struct vm_config *c = &s->a->cfg;
	char path[4200];
	json_t *runs = runs_json(s->a);

	json_t *root = json_pack("{s:i, s:O*, s:s, s:{s:I, s:i, s:i, s:I, s:I, s:s, s:f, s:i, s:b}, s:s, s:O*, s:O*}",
				 "schema_version", 1, "scenario", json_object_get(runs, "scenario"),
				 "accelerator", s->accel_note,
				 "config", "mem", (json_int_t)c->mem, "numa", c->numa, "cpus", c->cpus,
				 "movablecore", (json_int_t)c->movablecore, "cma", (json_int_t)c->cma, "append",
				 c->append ? c->append : "", "timeout_s", (double)c->timeout_ns / 1e9, "boots",
				 s->a->boots, "vfio", c->vfio, "qemu_command", s->command,
				 "kernels", json_object_get(runs, "kernels"),
				 "scenarios", json_object_get(runs, "scenarios"));
	json_decref(runs);
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

/* Every scenario's initramfs, before the first boot: a stressor's
 * program missing here stops the session before any boot is spent. */
static int write_initrds(struct session *s)
{
	char err[1024], *configs[2 * MAX_KERNELS];
	size_t nconfigs = kernel_boot_files(s->a, configs);
	int ret = 0;

	for (size_t i = 0; i < s->a->ns && !ret; i++) {
		struct scenario_under_test *sc = &s->a->s[i];
		if (s->a->ns == 1)
			snprintf(sc->initrd, sizeof(sc->initrd), "%s/.initrd.cpio", s->dir);
		else
			snprintf(sc->initrd, sizeof(sc->initrd), "%s/.initrd-%zu.cpio", s->dir, i + 1);
		ret = initramfs_write(sc->initrd, sc->sc, configs, nconfigs, err, sizeof(err));
		if (ret)
			pb_err("vm: initramfs of %s: %s", sc->path, err);
	}
	for (size_t i = 0; i < nconfigs; i++)
		free(configs[i]);
	return ret ? EXIT_CANNOT : 0;
}

static void remove_initrds(struct session *s)
{
	for (size_t i = 0; i < s->a->ns; i++)
		if (s->a->s[i].initrd[0])
			unlink(s->a->s[i].initrd);
}

static void print_plan(const struct session *s)
{
	const struct vm_args *a = s->a;
	char scenarios[48] = "";

	if (a->ns > 1)
		snprintf(scenarios, sizeof(scenarios), " x %zu scenario(s)", a->ns);
	printf("pinbench vm: %zu kernel(s)%s x %u boot(s); %u node(s), %llu MiB, %u CPU(s); accelerator %s\n",
	       a->nk, scenarios, a->boots, a->cfg.numa, (unsigned long long)(a->cfg.mem / MIB), a->cfg.cpus,
	       s->accel_note);
	fflush(stdout);
}

/* Interleaved: round by round, each scenario on every kernel in turn
 * (A B A B with one scenario), so that drift on the host spreads over
 * every kernel alike and the kernels a scenario compares boot side by
 * side. One boot runs one scenario: each starts from a freshly booted
 * kernel, and a panic costs that scenario's run only. */
static int run_boots(struct session *s)
{
	struct vm_args *a = s->a;
	int ret = write_initrds(s);

	if (!ret) {
		print_plan(s);
		for (unsigned b = 1; b <= a->boots && !env_stop; b++)
			for (size_t j = 0; j < a->ns && !env_stop; j++)
				for (size_t i = 0; i < a->nk && !env_stop; i++) {
					struct boot_job job = { &a->k[i], &a->s[j], &a->s[j].cell[i], b, "" };
					if (a->ns > 1)
						snprintf(job.label, sizeof(job.label), "%s: %s", a->s[j].name, a->k[i].release);
					else
						snprintf(job.label, sizeof(job.label), "%s", a->k[i].release);
					run_boot(s, &job);
				}
	}
	remove_initrds(s);
	return ret;
}

static void free_scenarios(struct vm_args *a)
{
	for (size_t j = 0; j < a->ns; j++) {
		for (size_t i = 0; i < a->nk; i++) {
			json_decref(a->s[j].cell[i].boots);
			a->s[j].cell[i].boots = NULL;
		}
		if (a->s[j].sc && a->s[j].sc->path)
			scenario_free(a->s[j].sc);
		free(a->s[j].sc);
		a->s[j].sc = NULL;
	}
}

int vm_session_run(struct vm_args *a)
{
	struct session s = { .a = a };
	int ret, journal = 0;

	if ((ret = preflight(a)) || (ret = make_output_dir(a, s.dir, sizeof(s.dir))))
		goto out;
	if ((ret = choose_accel(&s))) {
		rmdir(s.dir);
		goto out;
	}
	name_dirs(a, s.dir);
	for (size_t j = 0; j < a->ns; j++)
		for (size_t i = 0; i < a->nk; i++)
			a->s[j].cell[i].boots = json_array();
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
	s.total = (unsigned)(a->nk * a->ns) * a->boots;
	ret = run_boots(&s);
	write_vm_json(&s);
	snprintf(a->accelerator, sizeof(a->accelerator), "%s", s.accel_note);
	if (!ret && a->compare && a->compare(a, s.dir))
		ret = EXIT_FAILED;
	if (!ret && (s.failed || env_stop))
		ret = EXIT_FAILED;
	printf("\n%u of %u boot(s) complete; %s/vm.json\n", s.done - s.failed, s.total,
	       s.dir);
out:
	if (journal)
		env_end();
	free_scenarios(a);
	return ret;
}
