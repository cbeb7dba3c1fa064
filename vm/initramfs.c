#include "config.h"
#include "initramfs.h"
#include "cpio.h"
#include "guest_init.h"
#include "pin_backend.h"
#include "scenario.h"
#include "stressor.h"
#include "subprocess.h"
#include "util.h"
#include "files.h"
#include "paths.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cache_dir(char *buf, size_t len)
{
	const char *dir = getenv("PINBENCH_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (dir && *dir)
		snprintf(buf, len, "%s", dir);
	else if (geteuid() == 0)
		snprintf(buf, len, "/var/cache/pinbench");
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/pinbench", xdg);
	else
		snprintf(buf, len, "%s/.cache/pinbench", home ? home : "/tmp");
}

/* The dynamic loader an ELF executable names; "" for a static one. */
static int elf_interpreter(const char *path, char *interp, size_t len)
{
	FILE *f = fopen(path, "rb");
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int ret = -ENOEXEC;

	interp[0] = '\0';
	if (!f)
		return -errno;
	if (fread(&eh, sizeof(eh), 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		goto out;
	ret = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (fseek(f, (long)(eh.e_phoff + (uint64_t)i * eh.e_phentsize), SEEK_SET) ||
		    fread(&ph, sizeof(ph), 1, f) != 1) {
			ret = -ENOEXEC;
			break;
		}
		if (ph.p_type != PT_INTERP)
			continue;
		size_t n = ph.p_filesz < len ? ph.p_filesz : len - 1;
		if (fseek(f, (long)ph.p_offset, SEEK_SET) || fread(interp, 1, n, f) != n)
			ret = -ENOEXEC;
		interp[n] = '\0';
		break;
	}
out:
	fclose(f);
	return ret;
}

/* The path a line of `ld.so --list` names: "libx.so.1 => /lib/libx.so.1
 * (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"; NULL for the vDSO. */
static char *listed_path(char *line)
{
	char *arrow = strstr(line, "=> "), *p = arrow ? arrow + 3 : line + strspn(line, " \t");
	char *end = strstr(p, " (");

	if (*p != '/')
		return NULL;
	if (end)
		*end = '\0';
	return p;
}

/* Adds the shared libraries the dynamic loader interp finds for the ELF
 * file host_path (a program, or a module a program dlopens), each at the
 * path where the host has it. */
static int add_libraries(struct cpio *c, const char *interp, const char *host_path, char *err, size_t errlen)
{
	char *argv[] = { (char *)interp, "--list", (char *)host_path, NULL }, *out = NULL;
	size_t len;
	int ret = spawn_capture(argv, &out, &len);

	if (ret)
		snprintf(err, errlen, "%s --list %s: %s", interp, host_path,
			 ret < 0 ? strerror(-ret) : "failed (a library is missing?)");
	for (char *save, *line = ret ? NULL : strtok_r(out, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *lib = listed_path(line);
		if (strstr(line, "not found")) {
			snprintf(err, errlen, "%s needs %s, which is not found", host_path, line + strspn(line, " \t"));
			ret = -1;
		} else if (lib && cpio_add_file(c, lib, lib, 0755)) {
			snprintf(err, errlen, "%s: %s", lib, strerror(-c->error));
			ret = -1;
		}
	}
	free(out);
	return ret ? -1 : 0;
}

/* Adds an executable and the shared libraries it loads. */
static int add_program(struct cpio *c, const char *path, const char *host_path, char *err, size_t errlen)
{
	char interp[256];

	if (elf_interpreter(host_path, interp, sizeof(interp))) {
		snprintf(err, errlen, "%s: not a 64-bit ELF executable", host_path);
		return -1;
	}
	if (cpio_add_file(c, path, host_path, 0755)) {
		snprintf(err, errlen, "%s: %s", host_path, strerror(-c->error));
		return -1;
	}
	return interp[0] ? add_libraries(c, interp, host_path, err, errlen) : 0;
}

/* A pin backend's guest files (pin_backend.h) into the archive. */
static int add_guest_file(const struct guest_files *g, enum guest_file_kind kind, const char *path, char *why,
			  size_t len)
{
	struct cpio *c = g->arg;
	char interp[256];

	if (kind == GUEST_PROGRAM)
		return add_program(c, path, path, why, len);
	if (cpio_add_file(c, path, path, kind == GUEST_MODULE ? 0755 : 0644)) {
		snprintf(why, len, "%s: %s", path, strerror(-c->error));
		return -1;
	}
	if (kind == GUEST_DATA)
		return 0;
	/* a module is loaded by a program of the host's own loader */
	if (elf_interpreter("/proc/self/exe", interp, sizeof(interp)) || !interp[0]) {
		snprintf(why, len, "%s: no dynamic loader to list its libraries with", path);
		return -1;
	}
	return add_libraries(c, interp, path, why, len);
}

/* The base archive's programs: where they go, where they come from. */
struct base_inputs {
	char busybox[4096];
	char self[4096];
	uint64_t key; /* of their contents and /init: a new build, a new archive */
};

static int base_inputs(struct base_inputs *in, char *err, size_t errlen)
{
	ssize_t n = readlink("/proc/self/exe", in->self, sizeof(in->self) - 1);

	if (n < 0) {
		snprintf(err, errlen, "/proc/self/exe: %s", strerror(errno));
		return -1;
	}
	in->self[n] = '\0';
	if (!find_in_path("busybox", in->busybox, sizeof(in->busybox))) {
		snprintf(err, errlen, "busybox is not installed (apt-get install busybox-static)");
		return -1;
	}
	in->key = fnv1a(FNV1A_INIT, guest_init, sizeof(guest_init) - 1);
	if (fnv1a_file(&in->key, in->self) || fnv1a_file(&in->key, in->busybox)) {
		snprintf(err, errlen, "cannot read %s or %s: %s", in->self, in->busybox, strerror(errno));
		return -1;
	}
	return 0;
}

/* Old base archives (of earlier builds) are removed: one is enough. */
static void remove_stale(const char *dir, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4400];

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "initramfs-", 10) || !strcmp(de->d_name, keep))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

static int build_base(const char *path, const struct base_inputs *in, char *err, size_t errlen)
{
	char tmp[4500];
	FILE *f;
	struct cpio c;
	int ret;

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	cpio_begin(&c, f);
	static const char *const dirs[] = { "/dev", "/proc", "/sys", "/run", "/tmp", "/results", "/usr/bin", "/sbin" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		cpio_add_dir(&c, dirs[i]);
	cpio_add_data(&c, "/init", guest_init, sizeof(guest_init) - 1, 0755);
	ret = add_program(&c, "/bin/busybox", in->busybox, err, errlen);
	if (!ret)
		ret = add_program(&c, "/bin/pinbench", in->self, err, errlen);
	int end = cpio_end(&c);
	if (fclose(f) && !end)
		end = -errno;
	if (!ret && end)
		snprintf(err, errlen, "%s: %s", tmp, strerror(-end));
	if (ret || end || rename(tmp, path)) {
		if (!ret && !end)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The cached base archive of this build, built when missing. */
static int base_archive(char *path, size_t len, char *err, size_t errlen)
{
	struct base_inputs in;
	char dir[4096], name[64];

	if (base_inputs(&in, err, errlen))
		return -1;
	cache_dir(dir, sizeof(dir));
	snprintf(name, sizeof(name), "initramfs-%016" PRIx64 ".cpio.gz", in.key);
	snprintf(path, len, "%s/%s", dir, name);
	if (access(path, R_OK) == 0)
		return 0;
	if (mkdir_p(dir, 0755)) {
		snprintf(err, errlen, "cache directory %s: %s", dir, strerror(errno));
		return -1;
	}
	remove_stale(dir, name);
	return build_base(path, &in, err, errlen);
}

/* The scenario, under its own file name (the guest's pinbench run then
 * records the name the host knows it by, which the results database
 * files it under), the external programs its stressors run, and what its
 * pin backends need (a VMM). */
static int add_scenario(struct cpio *c, const struct scenario *sc, char *err, size_t errlen)
{
	char host[4096], guest[4200];

	snprintf(guest, sizeof(guest), "/scenario/%s.ini", sc->name && *sc->name ? sc->name : "scenario");
	cpio_add_data(c, guest, sc->text, strlen(sc->text), 0644);
	for (size_t i = 0; i < sc->nstressors; i++) {
		const char *program = sc->stressors[i].stressor->program;
		if (!program)
			continue;
		if (!find_in_path(program, host, sizeof(host))) {
			snprintf(err, errlen, "the scenario runs %s, which is not installed here, so the guest "
				 "cannot have it either", program);
			return -1;
		}
		snprintf(guest, sizeof(guest), "/usr/bin/%s", program);
		if (add_program(c, guest, host, err, errlen))
			return -1;
	}
	const struct guest_files g = { .add = add_guest_file, .arg = c };
	for (size_t j = 0; j < sc->njobs; j++) {
		const struct pin_backend *b = sc->jobs[j].backend;
		if (b->guest_files && b->guest_files(sc->jobs[j].backend_cfg, &g, err, errlen))
			return -1;
	}
	return 0;
}

/* path opened for writing, holding the cached base archive; then the
 * caller appends its own members. NULL with a sentence in err. */
static FILE *open_on_base(const char *path, char *err, size_t errlen)
{
	char base[4400];
	size_t len;
	char *data;
	FILE *f;

	if (base_archive(base, sizeof(base), err, errlen))
		return NULL;
	data = read_file(base, &len);
	f = data ? fopen(path, "wb") : NULL;
	if (!f)
		snprintf(err, errlen, "%s: %s", data ? path : base, strerror(errno));
	else
		fwrite(data, 1, len, f);
	free(data);
	return f;
}

/* Ends the appended members and the file; ret is the members' outcome. */
static int close_archive(const char *path, FILE *f, struct cpio *c, int ret, char *err, size_t errlen)
{
	int end = cpio_end(c);

	if (fclose(f) && !end)
		end = -errno;
	if (!ret && end)
		snprintf(err, errlen, "%s: %s", path, strerror(-end));
	return ret || end ? -1 : 0;
}

int initramfs_write(const char *path, const struct scenario *sc, char *const *boot_files, size_t nboot,
		    char *err, size_t errlen)
{
	FILE *f = open_on_base(path, err, errlen);
	struct cpio c;

	if (!f)
		return -1;
	cpio_begin(&c, f);
	int ret = add_scenario(&c, sc, err, errlen);
	for (size_t i = 0; i < nboot && !ret; i++) {
		char guest[4200];
		snprintf(guest, sizeof(guest), "/boot/%s", path_base(boot_files[i]));
		if (cpio_add_file(&c, guest, boot_files[i], 0644)) {
			snprintf(err, errlen, "%s: %s", boot_files[i], strerror(-c.error));
			ret = -1;
		}
	}
	return close_archive(path, f, &c, ret, err, errlen);
}

int initramfs_write_probe(const char *path, char *err, size_t errlen)
{
	static const char probe[] = "#!/bin/busybox sh\n"
				    "/bin/busybox echo " INITRAMFS_PROBE_MARKER "\n"
				    "/bin/busybox poweroff -f\n";
	FILE *f = open_on_base(path, err, errlen);
	struct cpio c;

	if (!f)
		return -1;
	cpio_begin(&c, f);
	cpio_add_data(&c, "/probe", probe, strlen(probe), 0755);
	return close_archive(path, f, &c, 0, err, errlen);
}
