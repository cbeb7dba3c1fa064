#include "config.h"
#include "clock.h"

#include <stdio.h>
#include <time.h>

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void format_iso8601(uint64_t realtime, char *buf, size_t len)
{
	time_t secs = (time_t)(realtime / 1000000000ULL);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(realtime % 1000000000ULL / 1000000));
}

void sleep_ns_unless(uint64_t ns, atomic_int *stop)
{
	uint64_t end = now_ns() + ns;

	/* Short slices so an interrupt is honoured within 50 ms. */
	while (!*stop) {
		uint64_t now = now_ns();
		if (now >= end)
			return;
		uint64_t left = end - now;
		if (left > 50000000ULL)
			left = 50000000ULL;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)left };
		nanosleep(&ts, NULL);
	}
}
