/* The scenario reader: any file is a scenario or one error message. */
#include "config.h"
#include "fuzz.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario sc;
	char err[1024];

	fuzz_init();
	if (scenario_load(fuzz_input_file(data, size), &sc, err, sizeof(err)) == 0)
		scenario_free(&sc);
	else if (!err[0])
		abort(); /* an error must say why */
	return 0;
}
