/* Plain files of numbers (one per line) and CSV columns: the first byte
 * chooses which (odd: the column 'latency'), the rest is the file. */
#include "config.h"
#include "dataset.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct load_options o = { 0 };
	struct dataset d;
	char err[1024] = "";

	if (!size)
		return 0;
	fuzz_init();
	o.column = data[0] & 1 ? "latency" : NULL;
	o.higher_is_better = data[0] & 2;
	if (dataset_load(fuzz_input_file(data + 1, size - 1), &o, &d, err, sizeof(err)) == 0)
		dataset_free(&d);
	else if (!err[0])
		abort();
	return 0;
}
