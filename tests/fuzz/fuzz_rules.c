/* The gate's rules reader. */
#include "config.h"
#include "fuzz.h"
#include "gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules rs;
	char err[1024] = "";

	fuzz_init();
	if (rules_load(fuzz_input_file(data, size), &rs, err, sizeof(err)) == 0)
		rules_free(&rs);
	else if (!err[0])
		abort();
	return 0;
}
