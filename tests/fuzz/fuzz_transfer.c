/* The vm transfer decoder: what a guest sends over its serial port, cut
 * or damaged anywhere. Decoded files go to a scratch directory, emptied
 * after each input. */
#include "config.h"
#include "fuzz.h"
#include "transfer.h"
#include "paths.h"

#include <dirent.h>

static void empty_dir(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char path[4096];

	while (dh && (de = readdir(dh))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		remove_tree(path);
	}
	if (dh)
		closedir(dh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_scratch_dir();
	struct guest_report r;
	char err[1024];

	fuzz_init();
	memset(&r, 0, sizeof(r));
	transfer_read((const char *)data, size, dir, &r, err, sizeof(err));
	empty_dir(dir);
	return 0;
}
