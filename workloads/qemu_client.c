/* A real QEMU as a pin client (qemu_client.h). */
#include "config.h"
#include "qemu_client.h"
#include "files.h"
#include "journal.h"
#include "subprocess.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_US 2000

void qemu_error_line(const char *output, char *line, size_t len)
{
	const char *p = output;

	line[0] = '\0';
	while (p && *p) {
		const char *end = strchrnul(p, '\n');
		size_t n = (size_t)(end - p);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		/* a warning (edu: "no available reset mechanism") is not why QEMU stopped */
		if (n && !memmem(p, n, "warning:", 8))
			snprintf(line, len, "%.*s", (int)n, p);
		p = *end ? end + 1 : end;
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int qemu_message_errno(const char *line)
{
	/* QEMU's vfio names the ioctl's return: "vfio_dma_map(...) = -12 (...)" */
	for (const char *p = strstr(line, " = -"); p; p = strstr(p + 1, " = -")) {
		char *end;
		long e = strtol(p + 4, &end, 10);
		if (end != p + 4 && e > 0 && e < 4096 && !strncmp(end, " (", 2))
			return (int)e;
	}
	/* otherwise the strerror() text it ends with, or gives in parentheses:
	 * the longest that matches, so "No such device or address" is not
	 * read as "No such device" */
	int best = 0;
	size_t best_len = 0;
	for (int e = 1; e < 134; e++) {
		const char *s = strerror(e);
		char paren[128];
		snprintf(paren, sizeof(paren), "(%s)", s);
		if ((ends_with(line, s) || strstr(line, paren)) && strlen(s) > best_len) {
			best = e;
			best_len = strlen(s);
		}
	}
	return best ? best : EIO;
}

/* QEMU exited (status from waitpid): the reason into vm->message, and the
 * errno to fail the pin with. */
static int exited(struct qemu_vm *vm, int status)
{
	char *out = read_file(vm->log, NULL);

	journal_forget_process(vm->pid);
	vm->pid = 0;
	qemu_error_line(out ? out : "", vm->message, sizeof(vm->message));
	free(out);
	if (!vm->message[0]) {
		if (WIFSIGNALED(status))
			snprintf(vm->message, sizeof(vm->message), "QEMU was killed by signal %d", WTERMSIG(status));
		else
			snprintf(vm->message, sizeof(vm->message), "QEMU exited with status %d before QMP answered",
				 WEXITSTATUS(status));
		return -EIO;
	}
	return -qemu_message_errno(vm->message);
}

static int wait_exit(struct qemu_vm *vm)
{
	int status = 0;

	while (waitpid(vm->pid, &status, 0) < 0 && errno == EINTR)
		;
	return exited(vm, status);
}

static void disconnect(struct qemu_vm *vm)
{
	if (vm->qmp >= 0)
		close(vm->qmp);
	vm->qmp = -1;
	if (vm->sock[0])
		unlink(vm->sock);
}

/* QEMU was waited for (or never ran): nothing of it is left to undo. */
static void reaped(struct qemu_vm *vm)
{
	if (vm->pid)
		journal_forget_process(vm->pid);
	vm->pid = 0;
	disconnect(vm);
	if (vm->log[0])
		unlink(vm->log);
}

/* Connects to the QMP socket once QEMU has made it; -errno when QEMU
 * exited first. */
static int connect_qmp(struct qemu_vm *vm)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vm->sock);
	for (;;) {
		int status;
		if (waitpid(vm->pid, &status, WNOHANG) == vm->pid)
			return exited(vm, status);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			vm->qmp = fd;
			return 0;
		}
		close(fd);
		usleep(POLL_US);
	}
}

/* One line from QMP into buf; 0, or -EPIPE at the end (QEMU exited). */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPIPE;
		if (c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* Sends a command and reads up to its answer, passing events by. 0 when
 * it returned, -EPIPE when QEMU went away, -EPROTO for an error answer. */
static int command(struct qemu_vm *vm, const char *name)
{
	char line[8192];
	int n = snprintf(line, sizeof(line), "{\"execute\": \"%s\"}\n", name);

	/* MSG_NOSIGNAL: a QEMU that exited is an answer, not a SIGPIPE */
	if (send(vm->qmp, line, (size_t)n, MSG_NOSIGNAL) != n)
		return -EPIPE;
	for (;;) {
		int ret = read_line(vm->qmp, line, sizeof(line));
		if (ret)
			return ret;
		json_t *answer = json_loads(line, 0, NULL);
		bool returned = json_object_get(answer, "return"), failed = json_object_get(answer, "error");
		if (failed)
			snprintf(vm->message, sizeof(vm->message), "QMP %s: %.400s", name,
				 json_string_value(json_object_get(json_object_get(answer, "error"), "desc")) ?: line);
		json_decref(answer);
		if (returned || failed)
			return failed ? -EPROTO : 0;
	}
}

int qemu_vm_start(struct qemu_vm *vm, char *const argv[])
{
	char greeting[8192];
	int ret;

	vm->message[0] = '\0';
	vm->qmp = -1;
	unlink(vm->sock);
	unlink(vm->log);
	ret = spawn_own_group(argv, vm->log, &vm->pid);
	if (ret) {
		snprintf(vm->message, sizeof(vm->message), "%s: %s", argv[0], strerror(-ret));
		vm->pid = 0;
		return ret;
	}
	vm->last_pid = vm->pid;
	/* Without root there is no journal, and a pinbench killed by SIGKILL
	 * leaves this QEMU running; the backend needs root for the device. */
	journal_process(vm->pid);
	ret = connect_qmp(vm);
	if (ret) {
		qemu_vm_kill(vm); /* no-op when QEMU exited: connect_qmp waited for it */
		return ret;
	}
	/* The greeting comes from the monitor's own thread, possibly before
	 * the machine exists; the answers come from the main loop. */
	ret = read_line(vm->qmp, greeting, sizeof(greeting));
	if (!ret)
		ret = command(vm, "qmp_capabilities");
	if (!ret)
		ret = command(vm, "query-status");
	if (ret == -EPIPE) {
		disconnect(vm);
		return wait_exit(vm);
	}
	if (ret)
		qemu_vm_kill(vm);
	return ret;
}

int qemu_vm_quit(struct qemu_vm *vm, unsigned timeout_ms)
{
	static const char quit[] = "{\"execute\": \"quit\"}\n";

	if (!vm->pid)
		return 0;
	if (vm->qmp >= 0 && send(vm->qmp, quit, sizeof(quit) - 1, MSG_NOSIGNAL) < 0) {
		/* QEMU is gone already: its exit status tells how */
	}
	/* signal 0 sends nothing: QMP asked; SIGKILL after timeout_ms */
	int status = stop_process(vm->pid, 0, timeout_ms);
	reaped(vm);
	return status == 0 ? 0 : -EIO;
}

void qemu_vm_kill(struct qemu_vm *vm)
{
	if (vm->pid)
		stop_process(vm->pid, SIGKILL, 1000);
	reaped(vm);
}
