/* pinbench vm's host side without QEMU: the stream a guest sends back
 * (facts, files in base64, damage), node lists, the release in a bzImage
 * header, and the newc archives the kernel unpacks. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "boot.h"
#include "cpio.h"
#include "gz.h"
#include "initramfs.h"
#include "scenario.h"
#include "subprocess.h"
#include "transfer.h"
#include "util.h"
#include "files.h"
#include "paths.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pinbench-test-vm-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static char *file_in_dir(const char *name, size_t *len)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_file(path, len);
}

static int receive(const char *stream, struct guest_report *r, char *err, size_t errlen)
{
	return transfer_read(stream, strlen(stream), dir, r, err, errlen);
}

static void files_and_facts_arrive(void **state)
{
	/* as busybox's base64 writes "hello\n" and three bytes 0 255 10 */
	const char *stream = "PINBENCH-FACT uptime_init 2.31\n"
			     "PINBENCH-FACT release 6.12.117+deb12-amd64\n"
			     "PINBENCH-FACT nodes 0-1\r\n"
			     "PINBENCH-FACT cma_kb \n"
			     "noise from the kernel\n"
			     "PINBENCH-FILE run.json 6\naGVsbG8K\nPINBENCH-END run.json\n"
			     "PINBENCH-FILE bin 3\nAP8K\nPINBENCH-END bin\n"
			     "PINBENCH-FILE empty 0\nPINBENCH-END empty\n"
			     "PINBENCH-EXIT 0\n";
	struct guest_report r;
	char err[256];
	size_t len;

	(void)state;
	assert_int_equal(receive(stream, &r, err, sizeof(err)), 0);
	assert_true(r.started);
	assert_string_equal(r.release, "6.12.117+deb12-amd64");
	assert_string_equal(r.nodes, "0-1");
	assert_int_equal(r.cma_kb, 0);
	assert_int_equal(r.movable_pages, -1);
	assert_true(fabs(r.uptime_init - 2.31) < 1e-9);
	assert_true(isnan(r.uptime_run));
	assert_int_equal(r.exit_status, 0);
	assert_int_equal(r.nfiles, 3);
	char *f = file_in_dir("run.json", &len);
	assert_non_null(f);
	assert_int_equal(len, 6);
	assert_memory_equal(f, "hello\n", 6);
	free(f);
	f = file_in_dir("bin", &len);
	assert_int_equal(len, 3);
	assert_memory_equal(f, "\0\377\n", 3);
	free(f);
	f = file_in_dir("empty", &len);
	assert_int_equal(len, 0);
	free(f);
}

static void a_cut_stream_keeps_what_arrived(void **state)
{
	const char *stream = "PINBENCH-FILE a 6\naGVsbG8K\nPINBENCH-END a\n"
			     "PINBENCH-FILE b 6\naGVsbG8K\nPINBENCH-E";
	struct guest_report r;
	char err[256];

	(void)state;
	assert_int_equal(receive(stream, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nfiles, 1);
	assert_string_equal(r.truncated, "b");
	assert_int_equal(r.exit_status, -1);
	assert_null(file_in_dir("b", NULL));
}

static void damage_is_refused(void **state)
{
	static const char *const damaged[] = {
		"PINBENCH-FILE ../escape 6\naGVsbG8K\nPINBENCH-END ../escape\n",
		"PINBENCH-FILE sub/dir 6\naGVsbG8K\nPINBENCH-END sub/dir\n",
		"PINBENCH-FILE .. 6\naGVsbG8K\nPINBENCH-END ..\n",
		"PINBENCH-FILE a 7\naGVsbG8K\nPINBENCH-END a\n",   /* size */
		"PINBENCH-FILE a 6\naGVsb*8K\nPINBENCH-END a\n",   /* alphabet */
		"PINBENCH-FILE a 6\naGVsbG8\nPINBENCH-END a\n",    /* length */
		"PINBENCH-FILE a 6\naGV=bG8K\nPINBENCH-END a\n",   /* padding inside */
		"PINBENCH-FILE a 6\naGVsbG8K\nPINBENCH-END b\n",   /* wrong end */
		"PINBENCH-FILE a\n",                               /* no size */
	};
	struct guest_report r;
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(damaged); i++) {
		err[0] = '\0';
		assert_int_equal(receive(damaged[i], &r, err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
		assert_int_equal(r.nfiles, 0);
	}
	assert_int_equal(access("/tmp/escape", F_OK), -1);
}

static void node_lists(void **state)
{
	(void)state;
	assert_int_equal(node_list_count("0"), 1);
	assert_int_equal(node_list_count("0-1"), 2);
	assert_int_equal(node_list_count("0-3,5,7-8"), 7);
	assert_int_equal(node_list_count(""), 0);
	assert_int_equal(node_list_count("3-1"), 0);
	assert_int_equal(node_list_count("0-1x"), 0);
}

static void release_from_a_bzimage_header(void **state)
{
	unsigned char img[0x400] = { 0 };
	const char *version = "6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP";
	char path[128], release[128], err[256];

	(void)state;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = 0x00; /* the string at 0x200 + 0x100 */
	img[0x20f] = 0x01;
	memcpy(img + 0x300, version, strlen(version) + 1);
	snprintf(path, sizeof(path), "%s/bzImage", dir);
	assert_int_equal(write_file_atomic(path, (char *)img, sizeof(img)), 0);
	assert_int_equal(bzimage_release(path, release, sizeof(release), err, sizeof(err)), 0);
	assert_string_equal(release, "6.1.0-56-amd64");

	memcpy(img + 0x202, "XXXX", 4);
	assert_int_equal(write_file_atomic(path, (char *)img, sizeof(img)), 0);
	assert_int_equal(bzimage_release(path, release, sizeof(release), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a bzImage"));
}

/* Reads one newc header; returns the offset after its (padded) data. */
static size_t next_entry(const char *a, size_t at, char *name, unsigned *mode, size_t *size)
{
	char field[9] = { 0 };
	size_t namesize;

	assert_memory_equal(a + at, "070701", 6);
	memcpy(field, a + at + 6 + 8, 8);
	*mode = (unsigned)strtoul(field, NULL, 16);
	memcpy(field, a + at + 6 + 6 * 8, 8);
	*size = strtoul(field, NULL, 16);
	memcpy(field, a + at + 6 + 11 * 8, 8);
	namesize = strtoul(field, NULL, 16);
	memcpy(name, a + at + 110, namesize);
	at = (at + 110 + namesize + 3) & ~(size_t)3;
	return (at + *size + 3) & ~(size_t)3;
}

/* Writes the archives of an initramfs: a base one, then a second one
 * appended to the same file, as initramfs_write does. */
static void write_two_archives(const char *path)
{
	FILE *f = fopen(path, "wb");
	struct cpio c;

	assert_non_null(f);
	cpio_begin(&c, f);
	cpio_add_data(&c, "/usr/bin/x", "abcde", 5, 0755);
	cpio_add_data(&c, "/usr/bin/x", "other", 5, 0755); /* kept as first added */
	cpio_add_dir(&c, "/usr");
	cpio_add_data(&c, "/init", "#!", 2, 0755);
	assert_int_equal(cpio_end(&c), 0);
	cpio_begin(&c, f);
	cpio_add_data(&c, "/scenario.ini", "[p]\n", 4, 0644);
	assert_int_equal(cpio_end(&c), 0);
	assert_int_equal(fclose(f), 0);
}

/* What the kernel unpacks: gzip members of newc archives, each entry
 * where expected, the trailer closing each archive. */
static void newc_archives(void **state)
{
	char path[128], name[256], err[256];
	size_t len = 0, size, at = 0;
	unsigned mode;
	static const char *const want[] = { "usr", "usr/bin", "usr/bin/x", "init", "TRAILER!!!",
					    "scenario.ini", "TRAILER!!!" };

	(void)state;
	snprintf(path, sizeof(path), "%s/initrd", dir);
	write_two_archives(path);
	char *buf = gunzip_file(path, 1 << 20, &len, err, sizeof(err));
	assert_non_null(buf);
	assert_int_equal(len % 4, 0);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		size_t data_at = (at + 110 + strlen(want[i]) + 1 + 3) & ~(size_t)3;
		at = next_entry(buf, at, name, &mode, &size);
		assert_string_equal(name, want[i]);
		if (!strcmp(name, "usr/bin/x")) {
			assert_int_equal(mode, 0100755);
			assert_int_equal(size, 5);
			assert_memory_equal(buf + data_at, "abcde", 5);
		} else if (!strcmp(name, "usr")) {
			assert_int_equal(mode, 040755);
		}
	}
	assert_int_equal(at, len);
	free(buf);
}

/* GNU cpio, which knows nothing of pinbench, lists the first archive as
 * written (cpio reads one archive; zlib's gzread joins the members). */
static void cpio_lists_it(void **state)
{
	char path[128], plain[128], err[256], *out = NULL;
	size_t len, outlen;

	(void)state;
	if (!program_in_path("cpio"))
		skip();
	snprintf(path, sizeof(path), "%s/initrd", dir);
	snprintf(plain, sizeof(plain), "%s/initrd.cpio", dir);
	write_two_archives(path);
	char *buf = gunzip_file(path, 1 << 20, &len, err, sizeof(err));
	assert_non_null(buf);
	assert_int_equal(write_file_atomic(plain, buf, len), 0);
	free(buf);
	char *argv[] = { "cpio", "-it", "--quiet", "-F", plain, NULL };
	assert_int_equal(spawn_capture(argv, &out, &outlen), 0);
	assert_string_equal(out, "usr\nusr/bin\nusr/bin/x\ninit\n");
	free(out);
}

/* The initramfs pinbench vm boots, built for real from the host's
 * busybox and this test program standing in for pinbench: every entry
 * the guest's /init needs is there, in two archives. */
static void real_initramfs(void **state)
{
	static const char text[] = "[p]\ntype = pin\nsize = 4M\n";
	char path[128], name[256], err[512];
	struct scenario sc;
	size_t len, at = 0, size, trailers = 0;
	unsigned mode, found = 0;

	(void)state;
	if (!program_in_path("busybox"))
		skip();
	setenv("PINBENCH_CACHE_DIR", dir, 1);
	assert_int_equal(scenario_parse("r.ini", text, &sc, err, sizeof(err)), 0);
	sc.text = xstrdup(text);
	sc.name = xstrdup("r"); /* as scenario_load names it */
	snprintf(path, sizeof(path), "%s/initrd", dir);
	if (initramfs_write(path, &sc, NULL, 0, err, sizeof(err)))
		fail_msg("%s", err);
	scenario_free(&sc);
	char *buf = gunzip_file(path, 1 << 30, &len, err, sizeof(err));
	assert_non_null(buf);
	while (at < len) {
		at = next_entry(buf, at, name, &mode, &size);
		trailers += !strcmp(name, "TRAILER!!!");
		/* the scenario under its own name: the guest's run.json records it */
		static const char *const need[] = { "init", "bin/busybox", "bin/pinbench", "scenario/r.ini" };
		for (unsigned i = 0; i < ARRAY_SIZE(need); i++)
			found |= (unsigned)(strcmp(name, need[i]) == 0) << i;
		found |= (unsigned)(strstr(name, "ld-linux") != NULL) << 4;
	}
	free(buf);
	assert_int_equal(trailers, 2);
	assert_int_equal(found, 0x1f);
	unsetenv("PINBENCH_CACHE_DIR");
}

/* zlib in-process: what is not gzip, or is cut short, is refused. */
static void gunzip_refuses_damage(void **state)
{
	char path[128], err[256];
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/plain", dir);
	assert_int_equal(write_file_atomic(path, "hello\n", 6), 0);
	assert_null(gunzip_file(path, 1 << 20, &len, err, sizeof(err)));
	assert_non_null(strstr(err, "not gzip"));
	snprintf(path, sizeof(path), "%s/initrd", dir);
	write_two_archives(path);
	char *whole = read_file(path, &len);
	assert_int_equal(write_file_atomic(path, whole, len / 2), 0);
	free(whole);
	assert_null(gunzip_file(path, 1 << 20, &len, err, sizeof(err)));
	write_two_archives(path);
	assert_null(gunzip_file(path, 100, &len, err, sizeof(err)));
	assert_non_null(strstr(err, "more than 100 bytes"));
}

static void base64_round_trip(void **state)
{
	unsigned char bytes[256];
	char *text = NULL;
	size_t len = 0;

	(void)state;
	for (size_t n = 0; n <= sizeof(bytes); n += 85) { /* 0, 85, 170, 255: every padding */
		for (size_t i = 0; i < n; i++)
			bytes[i] = (unsigned char)(i * 7 + n);
		FILE *f = open_memstream(&text, &len);
		base64_write(f, bytes, n);
		fclose(f);
		assert_int_equal(len % 4, 0);
		assert_int_equal(base64_decode(text, len), (long)n);
		assert_memory_equal(text, bytes, n);
		free(text);
	}
	char bad[] = "aGVsbG8=x===";
	assert_int_equal(base64_decode(bad, strlen(bad)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(files_and_facts_arrive, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(a_cut_stream_keeps_what_arrived, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(damage_is_refused, make_dir, remove_dir),
		cmocka_unit_test(node_lists),
		cmocka_unit_test_setup_teardown(release_from_a_bzimage_header, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(newc_archives, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(cpio_lists_it, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(gunzip_refuses_damage, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(real_initramfs, make_dir, remove_dir),
		cmocka_unit_test(base64_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
