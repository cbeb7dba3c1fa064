/* The running kernel's build configuration, where it can be read:
 * /boot/config-RELEASE, or /proc/config.gz of a kernel built with
 * IKCONFIG_PROC (pinbench's guest kernels). */
#ifndef PB_KCONFIG_H
#define PB_KCONFIG_H

/* The text of the configuration of the kernel `release` (that of
 * uname -r), malloc'd, or NULL when neither file can be read. */
char *kconfig_text(const char *release);

/* Whether the running kernel was built with sym ("CONFIG_GUP_TEST"):
 * 1 (=y or =m), 0 (not set or absent), -1 (no configuration to read). */
int kconfig_has(const char *sym);

#endif
