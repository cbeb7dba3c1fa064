/* A pin backend: one way of asking the kernel for a long-term pin
 * (FOLL_LONGTERM). Each backend is one file exporting one of these tables
 * and is listed once in workloads/registry.c; the runner never names one.
 *
 * A backend holds up to nslots pins at once; slot i pins one chunk. Its
 * keys (e.g. vfio's `device`) are declared in its option table and given
 * in the pin job's section; probe and open receive the struct the table
 * filled (NULL for a backend without options). */
#ifndef PB_PIN_BACKEND_H
#define PB_PIN_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "options.h"

struct pin_ctx;

/* What a guest needs to run a backend (`pinbench vm` puts it in the
 * initramfs, at the path the host has it): a program and the libraries it
 * loads, a dlopen'd module and its libraries, or a data file. */
enum guest_file_kind { GUEST_PROGRAM, GUEST_MODULE, GUEST_DATA };
struct guest_files {
	/* 0, or -1 with the reason in why */
	int (*add)(const struct guest_files *g, enum guest_file_kind kind, const char *path, char *why, size_t len);
	void *arg;
};

struct pin_backend {
	const char *name;
	const char *summary;
	uint64_t max_chunk; /* largest length one pin call accepts (0: no limit) */
	const struct scenario_key *options; /* its keys in a pin job, or NULL */
	size_t noptions;
	size_t config_size;  /* the option table fills a struct of this size */
	/* Whether this kernel and these privileges can use the backend with
	 * cfg. Returns 0, or -errno with a sentence in why. */
	int (*probe)(const void *cfg, char *why, size_t len);
	/* Optional: once per job, before its workers start, as root with the
	 * system's journal open: the system changes the backend needs,
	 * journalled first (lib/journal.h) and each named in changes (a
	 * JSON array of strings, run.json's). 0, or -errno with why. */
	int (*setup)(const void *cfg, json_t *changes, char *why, size_t len);
	/* Allocates everything needed for nslots pins, outside the timed path. */
	int (*open)(struct pin_ctx **ctx, unsigned nslots, const void *cfg);
	/* Optional, untimed: readies slot for the next pin. */
	int (*prepare)(struct pin_ctx *ctx, unsigned slot);
	/* Long-term pins [addr, addr+len) in slot. Returns 0 or -errno. */
	int (*pin)(struct pin_ctx *ctx, unsigned slot, void *addr, size_t len);
	/* Releases the pin of slot. Returns 0 or -errno. */
	int (*unpin)(struct pin_ctx *ctx, unsigned slot);
	void (*close)(struct pin_ctx *ctx);
	/* Optional: the kernel timed slot's last pin call itself, and its
	 * unpin (gup_test: both inside one ioctl). The samples record these
	 * as the pin and unpin times in place of the wall time around pin()
	 * and unpin(); that wall time still bounds the call's tracepoint
	 * window. False when the kernel timed nothing (the call failed
	 * before): the wall times stay. */
	bool (*kernel_times)(const struct pin_ctx *ctx, unsigned slot, uint64_t *pin_ns, uint64_t *unpin_ns);
	/* Optional, for a backend whose pins are made by another process (a
	 * VMM): the thread that made slot's last pin call, which the migrate
	 * tracepoint's records name, and what the client said when it
	 * failed (NULL: nothing), kept in the samples beside the errno. */
	void (*client)(const struct pin_ctx *ctx, unsigned slot, pid_t *tid, const char **message);
	/* Said once in the summary, e.g. that unpinning completes later. */
	const char *note;
	/* Optional: prints what it could pin for here, a line each
	 * (`pinbench env`), e.g. the devices and their groups. */
	void (*describe)(FILE *f);
	/* Optional: adds to g what a guest needs beyond pinbench to run the
	 * backend with cfg (a VMM, its modules and firmware). 0, or -1 with
	 * why. */
	int (*guest_files)(const void *cfg, const struct guest_files *g, char *why, size_t len);
	/* A pin is a whole client (a VM start) holding the device: one chunk
	 * a worker (chunk = size), of memory another process can map. */
	bool whole_client;
	/* It maps for a PCI device bound to vfio-pci behind an IOMMU:
	 * `pinbench vm` gives the guest one (as with --vfio). */
	bool needs_vfio_device;
};

const struct pin_backend *pin_backend_find(const char *name);
/* The i-th registered backend, NULL past the last. */
const struct pin_backend *pin_backend_at(size_t i);
/* "io_uring, af_xdp" */
const char *pin_backend_names(void);
/* A config of b filled with its defaults (free() it), NULL when b has no
 * options. */
void *pin_backend_defaults(const struct pin_backend *b);

#endif
