/* One boot of one kernel in QEMU: the command line that shapes the
 * guest's memory, the bounded wait, and what became of the guest. */
#ifndef PB_BOOT_H
#define PB_BOOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "transfer.h"

struct vm_config {
	uint64_t mem, movablecore, cma;
	unsigned numa, cpus;
	const char *append;      /* more kernel command line, or NULL */
	bool vfio;               /* q35 with an emulated Intel IOMMU and QEMU's edu device for vfio-pci */
	uint64_t timeout_ns;     /* from QEMU's start to the guest's power-off */
};

enum boot_status {
	BOOT_OK,
	BOOT_RUN_FAILED,         /* pinbench run exited non-zero in the guest */
	BOOT_UNMET,              /* the kernel lacks what was asked (NUMA, CMA, movable) */
	BOOT_PANIC,
	BOOT_OOPS,
	BOOT_HUNG,               /* the timeout ended it */
	BOOT_NO_RESULT,          /* stopped without a result, for no reason seen */
	BOOT_QEMU_FAILED,        /* QEMU itself failed before the guest printed anything */
	BOOT_INTERRUPTED,        /* SIGINT/SIGTERM */
};

struct boot_result {
	enum boot_status status;
	char message[768];
	double seconds;          /* QEMU's start to its exit */
	char command[4096];      /* QEMU's argv joined by blanks, for the record */
	char damaged[300];       /* why what the guest sent was unusable, "" when it was not */
	bool kvm;                /* it ran under KVM, not TCG */
	/* A panic's or an oops' evidence from the console, a line each:
	 * from the first BUG/Oops/WARNING/panic line, its RIP and call
	 * trace, to the end of the panic. "" for other endings. */
	char evidence[4096];
	struct guest_report guest;
};

const char *boot_status_name(enum boot_status s);

/* Seconds rounded to the millisecond, null for NAN: how vm.json and
 * accel.json write a time. */
struct json_t *seconds_json(double s);

/* Whether /dev/kvm answers; why not in why. QEMU may still fail to run a
 * vCPU (nested virtualisation), which the first boot finds out. */
bool kvm_available(char *why, size_t len);

/* The release a bzImage names in its header ("6.12.117+deb12-amd64").
 * 0, or -1 with a sentence in err. */
int bzimage_release(const char *path, char *release, size_t len, char *err, size_t errlen);

/* Boots kernel with initrd; writes console.log, qemu.log and the files the
 * guest sends into dir (which exists). Returns 0 (r says how it went),
 * or -1 when QEMU could not be started (r->message says why). */
int vm_boot(const struct vm_config *cfg, bool kvm, const char *kernel, const char *initrd, const char *dir,
	    atomic_int *stop, struct boot_result *r);

#endif
