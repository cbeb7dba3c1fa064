/* The journal: changes are recorded before they are made, undone newest
 * first, only once, by scope; and the lock keeps two writers apart. Knobs
 * and memory blocks are files in a temporary tree here. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal.h"
#include "files.h"
#include "paths.h"

static char dir[64], lock[128];

static void put(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
}

static char *get(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_line_file(path);
}

static const char *knob(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pinbench-journal-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("PINBENCH_STATE_DIR", dir, 1);
	/* the system-wide lock of this test, not the machine's */
	snprintf(lock, sizeof(lock), "%s/pinbench.lock", dir);
	journal_set_lock_path(lock);
	journal_set_scope(-1);
	return journal_open(NULL);
}

static int teardown(void **state)
{
	(void)state;
	journal_close();
	return remove_tree(dir);
}

static void current_value_of_choices(void **state)
{
	char *v;

	(void)state;
	put("thp", "always [madvise] never\n");
	v = knob_current(knob("thp"));
	assert_string_equal(v, "madvise");
	free(v);
	put("plain", "42\n");
	v = knob_current(knob("plain"));
	assert_string_equal(v, "42");
	free(v);
}

static void set_then_restore(void **state)
{
	char *v;

	(void)state;
	put("a", "1\n");
	put("b", "x\ty\n");
	assert_int_equal(knob_set(knob("a"), "2"), 0);
	assert_int_equal(knob_set(knob("a"), "3"), 0); /* a second change of the same knob */
	assert_int_equal(knob_set(knob("b"), "z"), 0);
	assert_int_equal(journal_pending(JOURNAL_ALL), 3);
	v = get("a");
	assert_string_equal(v, "3");
	free(v);
	assert_int_equal(journal_restore(JOURNAL_MINE, 0), 0);
	v = get("a");
	assert_string_equal(v, "1"); /* newest first: back to the very first value */
	free(v);
	v = get("b");
	assert_string_equal(v, "x\ty"); /* tabs survive the journal's escaping */
	free(v);
	assert_int_equal(journal_pending(JOURNAL_ALL), 0);
	/* restoring again is a no-op */
	assert_int_equal(journal_restore(JOURNAL_ALL, 0), 0);
}

static void unchanged_knob_writes_no_entry(void **state)
{
	(void)state;
	put("c", "same\n");
	assert_int_equal(knob_set(knob("c"), "same"), 0);
	assert_int_equal(journal_pending(JOURNAL_ALL), 0);
}

static void missing_knob_is_an_error_and_unjournalled(void **state)
{
	(void)state;
	assert_int_equal(knob_set(knob("nope"), "1"), -ENOENT);
	assert_int_equal(journal_pending(JOURNAL_ALL), 0);
}

static void scopes(void **state)
{
	char *v;

	(void)state;
	put("run", "r0\n");
	put("keep", "k0\n");
	journal_set_scope(0); /* like `pinbench env movable` */
	assert_int_equal(knob_set(knob("keep"), "k1"), 0);
	journal_set_scope(-1);
	assert_int_equal(knob_set(knob("run"), "r1"), 0);
	assert_int_equal(journal_pending(JOURNAL_RUNS), 1);
	assert_int_equal(journal_pending(JOURNAL_MINE), 1);
	assert_int_equal(journal_restore(JOURNAL_MINE, 0), 0);
	v = get("run");
	assert_string_equal(v, "r0");
	free(v);
	v = get("keep");
	assert_string_equal(v, "k1"); /* survives a run's restore */
	free(v);
	assert_int_equal(journal_pending(JOURNAL_ALL), 1);
	assert_int_equal(journal_restore(JOURNAL_ALL, 0), 0);
	v = get("keep");
	assert_string_equal(v, "k0");
	free(v);
}

/* Issue 13, item 9: the journal is never rewritten in place (a crash
 * between the truncation and the rewrite lost the pending entries): what
 * a restore undid is marked done after the old lines, which stay as they
 * were, and an empty journal is emptied. */
static void journal_is_only_appended_to(void **state)
{
	char path[256], *before, *after;
	size_t blen, alen;

	(void)state;
	put("run", "r0\n");
	put("keep", "k0\n");
	journal_set_scope(0);
	assert_int_equal(knob_set(knob("keep"), "k1"), 0);
	journal_set_scope(-1);
	assert_int_equal(knob_set(knob("run"), "r1"), 0);
	snprintf(path, sizeof(path), "%s/journal", dir);
	before = read_file(path, &blen);
	assert_non_null(before);
	assert_int_equal(journal_restore(JOURNAL_MINE, 0), 0);
	after = read_file(path, &alen);
	assert_non_null(after);
	assert_true(alen > blen);
	assert_memory_equal(after, before, blen);
	assert_int_equal(journal_pending(JOURNAL_ALL), 1);
	assert_int_equal(journal_pending(JOURNAL_MINE), 0);
	free(after);
	/* a second restore does not undo the first's entry again */
	put("run", "changed since\n");
	assert_int_equal(journal_restore(JOURNAL_ALL, 0), 0);
	after = get("run");
	assert_string_equal(after, "changed since");
	free(after);
	after = read_file(path, &alen);
	assert_int_equal(alen, 0);
	free(after);
	free(before);
}

/* A value the journal cannot hold whole is refused, never cut short. */
static void long_value_is_refused(void **state)
{
	char *big = malloc(5000);

	(void)state;
	memset(big, 'v', 4999);
	big[4999] = '\0';
	assert_int_equal(journal_knob(knob("big"), big), -E2BIG);
	assert_int_equal(journal_pending(JOURNAL_ALL), 0);
	free(big);
}

static void undo_failure_stays_in_journal(void **state)
{
	char path[256];

	(void)state;
	put("gone", "g0\n");
	assert_int_equal(knob_set(knob("gone"), "g1"), 0);
	snprintf(path, sizeof(path), "%s/gone", dir);
	unlink(path);
	assert_int_equal(journal_restore(JOURNAL_ALL, 0), 1);
	assert_int_equal(journal_pending(JOURNAL_ALL), 1);
	put("gone", "g1\n");
	assert_int_equal(journal_restore(JOURNAL_ALL, 0), 0);
	assert_int_equal(journal_pending(JOURNAL_ALL), 0);
}

/* memory blocks: a Movable block journalled as Normal is offlined and
 * onlined into a kernel zone; a block already in its zone is untouched. */
static void memory_block_restore(void **state)
{
	char path[256];
	char *v;

	(void)state;
	snprintf(path, sizeof(path), "%s/memory7", dir);
	mkdir(path, 0755);
	put("memory7/state", "online\n");
	put("memory7/valid_zones", "Movable\n");
	assert_int_equal(journal_memblock(dir, 7, "Normal"), 0);
	snprintf(path, sizeof(path), "%s/memory8", dir);
	mkdir(path, 0755);
	put("memory8/state", "online\n");
	put("memory8/valid_zones", "Normal\n");
	assert_int_equal(journal_memblock(dir, 8, "Normal"), 0);
	assert_int_equal(journal_restore(JOURNAL_ALL, 0), 0);
	v = get("memory7/state");
	assert_string_equal(v, "online_kernel"); /* the last of offline, online_kernel */
	free(v);
	v = get("memory8/state");
	assert_string_equal(v, "online");
	free(v);
}

/* A second writer (a child process opening the journal anew: flock locks
 * belong to the open file) is kept out and told the parent holds it. */
static void second_writer_is_refused_naming_the_holder(const char *state_dir)
{
	pid_t child;
	int status;

	child = fork();
	if (child == 0) {
		journal_close();
		if (state_dir)
			setenv("PINBENCH_STATE_DIR", state_dir, 1);
		pid_t holder = 0;
		int ret = journal_open(&holder);
		_exit(ret == -EBUSY && holder == getppid() ? 0 : 1);
	}
	waitpid(child, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void lock_keeps_a_second_writer_out(void **state)
{
	(void)state;
	second_writer_is_refused_naming_the_holder(NULL);
}

/* Issue 13, item 10: the busy message named a previous holder. The
 * holder comes from /proc/locks, whatever the owner file says. */
static void busy_names_the_real_holder(void **state)
{
	(void)state;
	put("pinbench.lock", "1\n"); /* stale: a run long gone */
	second_writer_is_refused_naming_the_holder(NULL);
}

/* Issue 13, item 4: a second pinbench with another PINBENCH_STATE_DIR
 * (another journal) took no lock, changed the system under the first,
 * and each undid the other's changes. The lock is one for the system. */
static void another_state_dir_is_locked_out_too(void **state)
{
	char other[64];

	(void)state;
	snprintf(other, sizeof(other), "/tmp/pinbench-journal-XXXXXX");
	assert_non_null(mkdtemp(other));
	second_writer_is_refused_naming_the_holder(other);
	struct stat st;
	char path[128];
	snprintf(path, sizeof(path), "%s/journal", other);
	assert_int_not_equal(stat(path, &st), 0); /* refused before touching its journal */
	remove_tree(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(current_value_of_choices, setup, teardown),
		cmocka_unit_test_setup_teardown(set_then_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(unchanged_knob_writes_no_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_knob_is_an_error_and_unjournalled, setup, teardown),
		cmocka_unit_test_setup_teardown(scopes, setup, teardown),
		cmocka_unit_test_setup_teardown(undo_failure_stays_in_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(journal_is_only_appended_to, setup, teardown),
		cmocka_unit_test_setup_teardown(long_value_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(another_state_dir_is_locked_out_too, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_block_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(lock_keeps_a_second_writer_out, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_names_the_real_holder, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
