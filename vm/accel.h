/* The accelerator `pinbench vm --accel auto` uses: KVM only where a probe
 * boot has seen it run a guest, judged once per QEMU version and host
 * kernel release and kept in the cache directory (accel.json). */
#ifndef PB_ACCEL_H
#define PB_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "boot.h"

/* Whether KVM may be used for guests shaped like guest. Without a kept
 * verdict, boots kernel once under TCG and once under KVM (in workdir,
 * removed after) to reach one. note gets "KVM (...)" or "TCG (...)" with
 * the reason, for the terminal and vm.json. */
bool accel_trust_kvm(const struct vm_config *guest, const char *kernel, const char *workdir, char *note,
		     size_t len);

/* Keeps the verdict that KVM is not to be used here, for reason (a guest
 * that failed under KVM ran under TCG). */
void accel_distrust_kvm(const char *reason, const char *kernel);

/* One line for `pinbench env`: the verdict kept for this QEMU and host. */
void accel_describe(FILE *f);

#endif
