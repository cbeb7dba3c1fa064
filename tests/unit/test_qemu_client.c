/* The qemu backend's client: QEMU's error lines read as errnos, the
 * message kept in samples.csv through CSV quoting, and a real QEMU
 * started, answered over QMP and quit (a machine without a device), or
 * failing with its own message. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "qemu_client.h"
#include "subprocess.h"
#include "util.h"

static void error_lines(void **state)
{
	char line[512];

	(void)state;
	qemu_error_line("qemu-system-x86_64: -device vfio-pci,host=0000:00:01.0: warning: vfio: Cannot reset device "
			"0000:00:01.0, no available reset mechanism.\n"
			"qemu-system-x86_64: -device vfio-pci,host=0000:00:01.0: vfio 0000:00:01.0: failed to setup "
			"container for group 3: memory listener initialization failed: Region pb-ram: "
			"vfio_dma_map(0x55d0, 0x0, 0x10000000, 0x7f6b) = -12 (Cannot allocate memory)\r\n\n",
			line, sizeof(line));
	assert_non_null(strstr(line, "vfio_dma_map"));
	assert_int_equal(line[strlen(line) - 1], ')');
	assert_int_equal(qemu_message_errno(line), ENOMEM);
	qemu_error_line("qemu: warning: only a warning\n", line, sizeof(line));
	assert_string_equal(line, "");
	qemu_error_line("", line, sizeof(line));
	assert_string_equal(line, "");
}

static void errnos(void **state)
{
	(void)state;
	assert_int_equal(qemu_message_errno("vfio 0000:00:09.0: error getting device from group 3: No such device"),
			 ENODEV);
	assert_int_equal(qemu_message_errno("x: No such device or address"), ENXIO);
	assert_int_equal(qemu_message_errno("failed to open /dev/vfio/3: No such file or directory"), ENOENT);
	assert_int_equal(qemu_message_errno("vfio_dma_map(...) = -28 (No space left on device)"), ENOSPC);
	assert_int_equal(qemu_message_errno("a = -x ("), EIO);
	assert_int_equal(qemu_message_errno("Property 'vfio-pci.hots' not found"), EIO);
}

/* QEMU's pointers differ from start to start; the IOVA and size do not */
static void addresses_masked(void **state)
{
	char out[256];

	(void)state;
	mask_addresses("vfio_dma_map(0x5595ce2a6600, 0x0, 0x10000000, 0x7f1e94555000) = -12", out, sizeof(out));
	assert_string_equal(out, "vfio_dma_map(0x..., 0x0, 0x10000000, 0x...) = -12");
	mask_addresses("0x123456789", out, 6);
	assert_string_equal(out, "0x...");
	mask_addresses("host=0000:00:1f.7", out, sizeof(out));
	assert_string_equal(out, "host=0000:00:1f.7");
}

static void quoted_fields(void **state)
{
	static const char *const texts[] = { "plain", "a, b", "say \"hi\", twice", "", "two\nlines", "\"" };
	char *buf = NULL, *f[8];
	size_t len;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		FILE *m = open_memstream(&buf, &len);
		fputs("1,", m);
		csv_write_text(m, texts[i]);
		fputs(",z", m);
		fclose(m);
		assert_int_equal(csv_split(buf, f, ARRAY_SIZE(f)), 3);
		assert_string_equal(f[0], "1");
		assert_string_equal(f[2], "z");
		if (strchr(texts[i], '\n'))
			assert_string_equal(f[1], "two lines");
		else
			assert_string_equal(f[1], texts[i]);
		free(buf);
	}
}

/* argv for QEMU with QMP on vm's socket and the given extra arguments */
static void qemu_argv(char *qemu, const struct qemu_vm *vm, char *qmp, size_t qlen, char **argv, char *extra)
{
	size_t n = 0;

	snprintf(qmp, qlen, "unix:%s,server=on,wait=off", vm->sock);
	char *fixed[] = { qemu, "-accel", "tcg", "-machine", "q35", "-m", "64M", "-nodefaults", "-no-user-config",
			  "-display", "none", "-S", "-qmp", qmp };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		argv[n++] = fixed[i];
	if (extra) {
		argv[n++] = "-device";
		argv[n++] = extra;
	}
	argv[n] = NULL;
}

static void real_qemu(void **state)
{
	char qemu[4096], dir[] = "/tmp/pb-qemu-test-XXXXXX", qmp[256], *argv[20];
	struct qemu_vm vm = { .qmp = -1 };

	(void)state;
	if (!find_in_path("qemu-system-x86_64", qemu, sizeof(qemu))) {
		print_message("qemu-system-x86_64 is not installed: not started\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(vm.sock, sizeof(vm.sock), "%s/qmp", dir);
	snprintf(vm.log, sizeof(vm.log), "%s/out", dir);
	qemu_argv(qemu, &vm, qmp, sizeof(qmp), argv, NULL);
	assert_int_equal(qemu_vm_start(&vm, argv), 0);
	assert_true(vm.pid > 0);
	assert_int_equal(vm.last_pid, vm.pid);
	assert_string_equal(vm.message, "");
	assert_int_equal(kill(vm.pid, 0), 0);
	pid_t pid = vm.pid;
	assert_int_equal(qemu_vm_quit(&vm, 10000), 0);
	assert_int_equal(vm.pid, 0);
	assert_int_equal(kill(pid, 0), -1);

	/* a device QEMU cannot create: it exits before QMP answers */
	qemu_argv(qemu, &vm, qmp, sizeof(qmp), argv, "vfio-pci,host=0000:00:1f.7");
	int ret = qemu_vm_start(&vm, argv);
	assert_true(ret < 0);
	assert_int_equal(vm.pid, 0);
	assert_non_null(strstr(vm.message, "0000:00:1f.7"));
	print_message("a start that fails: %s (%s)\n", vm.message, strerror(-ret));
	unlink(vm.log);
	unlink(vm.sock);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_lines),
		cmocka_unit_test(errnos),
		cmocka_unit_test(addresses_masked),
		cmocka_unit_test(quoted_fields),
		cmocka_unit_test(real_qemu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
