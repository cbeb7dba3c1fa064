#include "config.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int pb_verbose;

static void vlog(const char *level, const char *fmt, va_list ap)
{
	/* One fprintf per message so lines from threads do not interleave. */
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "pinbench: %s%s\n", level, buf);
}

#define DEFINE_LOG(fn, level, cond)          \
	void fn(const char *fmt, ...)        \
	{                                    \
		va_list ap;                  \
		if (!(cond))                 \
			return;              \
		va_start(ap, fmt);           \
		vlog(level, fmt, ap);        \
		va_end(ap);                  \
	}

DEFINE_LOG(pb_err, "error: ", 1)
DEFINE_LOG(pb_warn, "warning: ", 1)
DEFINE_LOG(pb_info, "", 1)
DEFINE_LOG(pb_debug, "debug: ", pb_verbose > 0)

bool pb_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}
