/* The guest's initramfs: busybox, pinbench and the shared libraries they
 * load, and /init (vm/guest-init.sh). The base archive is built once per
 * pinbench build and kept in the cache directory; each `pinbench vm`
 * appends a small archive with the scenario and the programs its
 * stressors run. */
#ifndef PB_INITRAMFS_H
#define PB_INITRAMFS_H

#include <stddef.h>

struct scenario;

/* $PINBENCH_CACHE_DIR, else /var/cache/pinbench for root, else
 * $XDG_CACHE_HOME/pinbench or ~/.cache/pinbench. */
void cache_dir(char *buf, size_t len);

/* Writes the initramfs for this scenario to path: the cached base (built
 * when missing) followed by the scenario's archive, which also carries
 * the host files named in boot_files as /boot/NAME (the kernels'
 * config-RELEASE files, which the guest's run.json records). 0, or -1
 * with a sentence in err. */
int initramfs_write(const char *path, const struct scenario *sc, char *const *boot_files, size_t nboot,
		    char *err, size_t errlen);

/* What the probe's /init prints on the console once it runs. */
#define INITRAMFS_PROBE_MARKER "PINBENCH-PROBE userspace"

/* An initramfs whose /probe (boot it with rdinit=/probe) prints
 * INITRAMFS_PROBE_MARKER and powers off: a guest reaching userspace and
 * nothing more, for judging an accelerator. 0, or -1 with err. */
int initramfs_write_probe(const char *path, char *err, size_t errlen);

#endif
