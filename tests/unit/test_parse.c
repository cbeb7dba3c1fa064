/* Sizes, durations, numbers, booleans and their bad input. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "util.h"
#include "units.h"

static void sizes(void **state)
{
	static const struct { const char *in; uint64_t want; } ok[] = {
		{ "0", 0 }, { "4096", 4096 }, { "64K", 64 * KIB }, { "64k", 64 * KIB },
		{ "512M", 512 * MIB }, { "512MiB", 512 * MIB }, { "2G", 2 * GIB }, { "2GB", 2 * GIB },
		{ "1T", 1024 * GIB }, { "1.5G", 3 * GIB / 2 }, { "10b", 10 },
	};
	char err[128];
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(parse_size(ok[i].in, &v, err, sizeof(err)), 0);
		assert_int_equal(v, ok[i].want);
	}
}

static void bad_sizes(void **state)
{
	static const char *const bad[] = { "", "-1", "+5", "12Q", "M", "1.5", "0.3K", "nan", "1e30G", "5 G x" };
	char err[128];
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(parse_size(bad[i], &v, err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
	}
	parse_size("12Q", &v, err, sizeof(err));
	assert_non_null(strstr(err, "'12Q' is not a size"));
}

static void durations(void **state)
{
	char err[128];
	uint64_t v;

	(void)state;
	assert_int_equal(parse_duration_ns("250ms", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 250000000ULL);
	assert_int_equal(parse_duration_ns("2", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 2000000000ULL);
	assert_int_equal(parse_duration_ns("1m", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 60000000000ULL);
	assert_int_equal(parse_duration_ns("100us", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 100000ULL);
	assert_int_equal(parse_duration_ns("0", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_duration_ns("5 parsecs", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a duration"));
	assert_int_equal(parse_duration_ns("-1s", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_duration_ns("1e30h", &v, err, sizeof(err)), -1);
}

static void numbers_and_bools(void **state)
{
	char err[128];
	uint64_t v;
	bool b;

	(void)state;
	assert_int_equal(parse_uint("42", 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_uint("101", 100, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "maximum 100"));
	assert_int_equal(parse_uint("4x", 100, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_uint("-4", 100, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_uint("99999999999999999999999", UINT64_MAX, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_bool("Yes", &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(parse_bool("off", &b, err, sizeof(err)), 0);
	assert_false(b);
	assert_int_equal(parse_bool("maybe", &b, err, sizeof(err)), -1);
}

static void formatting(void **state)
{
	char buf[32];

	(void)state;
	format_size(512 * MIB, buf, sizeof(buf));
	assert_string_equal(buf, "512 MiB");
	format_size(3 * GIB / 2, buf, sizeof(buf));
	assert_string_equal(buf, "1.5 GiB");
	format_size(12, buf, sizeof(buf));
	assert_string_equal(buf, "12 B");
	assert_string_equal(errno_name(ENOMEM, buf, sizeof(buf)), "ENOMEM");
	assert_string_equal(errno_name(100000, buf, sizeof(buf)), "E100000");
}

static void seeded_generator_is_stable(void **state)
{
	uint64_t s = 42;

	(void)state;
	/* first output for seed 42, computed independently in Python */
	assert_int_equal(splitmix64(&s), 0xbdd732262feb6e95ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(bad_sizes),
		cmocka_unit_test(durations),
		cmocka_unit_test(numbers_and_bools),
		cmocka_unit_test(formatting),
		cmocka_unit_test(seeded_generator_is_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
