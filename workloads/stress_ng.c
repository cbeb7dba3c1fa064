/* stress-ng: extra background load from stress-ng, run as a subprocess
 * with an argv (never a shell), journalled, stopped at the end. Its output,
 * with --metrics, is kept in the run directory as stress-ng-NAME.log. */
#include "config.h"
#include "journal.h"
#include "stressor.h"
#include "subprocess.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 64

struct ng_cfg {
	char args[OPT_STRING_MAX];
};

struct ng_state {
	pid_t pid;
	char log[4200];
	uint64_t started;
};

static const struct scenario_key ng_options[] = {
	OPT_TYPE("stress-ng"),
	OPT_STRING(struct ng_cfg, args, "args", NULL, NULL,
		   "stress-ng arguments, split on blanks, e.g. --vm 1 --vm-bytes 512M (required)"),
};

static int ng_check(const void *c, const char **key, char *err, size_t len)
{
	const struct ng_cfg *cfg = c;

	*key = "args";
	if (!cfg->args[0]) {
		snprintf(err, len, "is required (e.g. args = --cpu 1 --vm 1 --vm-bytes 256M)");
		return -1;
	}
	if (strpbrk(cfg->args, "\"'`$;|&<>")) {
		snprintf(err, len, "holds shell syntax; the arguments are split on blanks and passed as they are");
		return -1;
	}
	return 0;
}

static int ng_probe(const void *cfg, char *why, size_t len)
{
	(void)cfg;
	if (!program_in_path("stress-ng")) {
		snprintf(why, len, "stress-ng is not installed (apt-get install stress-ng)");
		return -ENOENT;
	}
	return 0;
}

static int ng_start(const void *c, const struct stressor_env *env, void **state, char *why, size_t len)
{
	const struct ng_cfg *cfg = c;
	struct ng_state *s = xcalloc(1, sizeof(*s));
	char copy[OPT_STRING_MAX], *argv[MAX_ARGS + 3];
	int argc = 0, ret;

	snprintf(copy, sizeof(copy), "%s", cfg->args);
	argv[argc++] = "stress-ng";
	for (char *save, *a = strtok_r(copy, " \t", &save); a && argc < MAX_ARGS; a = strtok_r(NULL, " \t", &save))
		argv[argc++] = a;
	argv[argc++] = "--metrics";
	argv[argc] = NULL;
	snprintf(s->log, sizeof(s->log), "%s/stress-ng-%s.log", env->workdir, env->name);
	ret = spawn_background(argv, s->log, &s->pid);
	if (ret) {
		snprintf(why, len, "cannot start stress-ng: %s", strerror(-ret));
		free(s);
		return ret;
	}
	journal_process(s->pid);
	s->started = now_ns();
	*state = s;
	return 0;
}

static json_t *ng_stop(void *state)
{
	struct ng_state *s = state;
	char who[24];
	/* SIGINT: stress-ng stops its stressors and prints its metrics. */
	int status = stop_process(s->pid, SIGINT, 10000);
	json_t *j = json_pack("{s:i, s:s, s:f}", "exit_status", status, "log", path_base(s->log),
			      "seconds", (double)(now_ns() - s->started) / 1e9);

	snprintf(who, sizeof(who), "%d", (int)s->pid);
	journal_forget("process", who);
	free(s);
	return j;
}

const struct stressor stressor_stress_ng = {
	.type = "stress-ng",
	.summary = "runs stress-ng with the given arguments as background load",
	.program = "stress-ng",
	.options = ng_options,
	.noptions = ARRAY_SIZE(ng_options),
	.config_size = sizeof(struct ng_cfg),
	.check = ng_check,
	.probe = ng_probe,
	.start = ng_start,
	.stop = ng_stop,
};
