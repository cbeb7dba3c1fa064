/* A real QEMU as a pin client (the qemu backend): started with its
 * monitor on a QMP socket, known to be built when QMP answers, ended by
 * QMP `quit`, and its error message read back when it exits instead. */
#ifndef PB_QEMU_CLIENT_H
#define PB_QEMU_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

struct qemu_vm {
	pid_t pid;          /* 0: not running */
	pid_t last_pid;     /* of the last start: the thread that DMA-mapped (QEMU's main thread) */
	int qmp;            /* the QMP socket, -1 when not connected */
	char sock[108];     /* its path (sun_path's size) */
	char log[108];      /* QEMU's standard output and error */
	char message[512];  /* why the last start failed ("" when it did not) */
};

/* Starts argv (argv[0] a path), with QMP on vm->sock and its output to
 * vm->log, and waits until the machine is built: QMP answers a command,
 * which QEMU's main loop serves only after every device is realized and
 * every RAM region DMA-mapped. 0, or -errno with vm->message set: the
 * errno QEMU's own message names (qemu_message_errno), and the process
 * waited for. */
int qemu_vm_start(struct qemu_vm *vm, char *const argv[]);
/* QMP quit, then waits for the exit (SIGKILL after timeout_ms). 0, or
 * -EIO when QEMU did not exit cleanly. */
int qemu_vm_quit(struct qemu_vm *vm, unsigned timeout_ms);
/* Ends a VM still running (SIGKILL) and waits for it. */
void qemu_vm_kill(struct qemu_vm *vm);

/* The line of QEMU's output that says why it stopped: the last that is
 * not a warning, into line (trimmed; "" when there is none). */
void qemu_error_line(const char *output, char *line, size_t len);
/* The errno an error line names: "vfio_dma_map(...) = -12 (Cannot
 * allocate memory)" is ENOMEM, a trailing ": No such device" ENODEV;
 * EIO when it names none. */
int qemu_message_errno(const char *line);

#endif
