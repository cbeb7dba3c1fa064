/* A run directory with one of its files fuzzed (FUZZED_FILE: samples.csv,
 * summary.json or run.json) and the others from a real run
 * ($PINBENCH_FUZZ_REF, results/reference/anon by the run script). */
#include "config.h"
#include "dataset.h"
#include "fuzz.h"
#include "util.h"
#include "files.h"

#ifndef FUZZED_FILE
#error "compile with -DFUZZED_FILE='\"samples.csv\"' (or summary.json, run.json)"
#endif

static const char *const files[] = { "samples.csv", "summary.json", "run.json", "vmstat.csv" };

static void setup(const char *dir)
{
	const char *ref = getenv("PINBENCH_FUZZ_REF");
	char path[4096];
	size_t len;

	if (!ref) {
		fprintf(stderr, "PINBENCH_FUZZ_REF must name a run directory\n");
		abort();
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", ref, files[i]);
		char *text = read_file(path, &len);
		if (!text) {
			perror(path);
			abort();
		}
		fuzz_write(dir, files[i], (const uint8_t *)text, len);
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *dir = fuzz_scratch_dir();
	struct load_options o = { .allow_incomplete = true, .all_counters = true };
	struct dataset d;
	char err[1024] = "";

	fuzz_init();
	if (!ready) {
		setup(dir);
		ready = 1;
	}
	fuzz_write(dir, FUZZED_FILE, data, size);
	if (dataset_load(dir, &o, &d, err, sizeof(err)) == 0)
		dataset_free(&d);
	else if (!err[0])
		abort();
	run_dir_complete(dir);
	return 0;
}
