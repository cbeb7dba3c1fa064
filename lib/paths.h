/* Directories and path names: creating, listing, removing, and the
 * default place of results. */
#ifndef PB_PATHS_H
#define PB_PATHS_H

#include <stdbool.h>
#include <stddef.h>

int mkdir_p(const char *path, unsigned mode);
/* "results/NAME-YYYYmmdd-HHMMSS" (local time): where a command writes
 * when no -o is given. */
void default_results_dir(const char *name, char *buf, size_t len);
/* The entries of dir that keep(path, name) accepts, as "dir/name" sorted
 * by name (malloc'd, *n of them; free with free_strings). NULL with
 * "dir: reason" in err when dir cannot be read. */
char **list_dir_sorted(const char *dir, bool (*keep)(const char *path, const char *name), size_t *n, char *err,
		       size_t errlen);
/* The last component of path, after its last '/' (GNU basename: the path
 * is not modified, and "dir/" gives ""). */
const char *path_base(const char *path);
/* Removes a directory tree; used only on our own temporary run directories. */
int remove_tree(const char *path);

#endif
