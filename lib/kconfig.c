#include "config.h"
#include "kconfig.h"
#include "files.h"
#include "gz.h"
#include "units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

char *kconfig_text(const char *release)
{
	char path[256], why[256];
	char *text;
	size_t len;

	snprintf(path, sizeof(path), "/boot/config-%s", release);
	text = read_file(path, NULL);
	if (text)
		return text;
	/* what a kernel built with IKCONFIG_PROC carries; a few hundred KiB */
	return access("/proc/config.gz", R_OK) ? NULL : gunzip_file("/proc/config.gz", 16 * MIB, &len, why, sizeof(why));
}

int kconfig_has(const char *sym)
{
	struct utsname u;
	char *text;
	size_t n = strlen(sym);
	int found = 0;

	if (uname(&u) || !(text = kconfig_text(u.release)))
		return -1;
	for (char *save, *l = strtok_r(text, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save))
		found = !strncmp(l, sym, n) && (!strcmp(l + n, "=y") || !strcmp(l + n, "=m"));
	free(text);
	return found;
}
