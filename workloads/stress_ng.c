/* stress-ng: extra background load from stress-ng, run as a subprocess
 * with an argv (never a shell), journalled, stopped at the end. Its output,
 * with --metrics, is kept in the run directory as stress-ng-NAME.log. */
#include "config.h"
#include "harness.h"
#include "journal.h"
#include "stressor.h"
#include "subprocess.h"
#include "util.h"
#include "clock.h"
#include "paths.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wordexp.h>


struct ng_cfg {
	char args[OPT_STRING_MAX];
};

struct ng_state {
	pid_t pid;
	char log[4200];
	uint64_t started, ended;
	int status;
};

static const struct scenario_key ng_options[] = {
	OPT_TYPE("stress-ng"),
	OPT_STRING(struct ng_cfg, args, "args", NULL, NULL,
		   "stress-ng arguments, split on blanks (quotes group words, no shell), e.g. --vm 1 --vm-bytes 512M (required)"),
};

static int ng_check(const void *c, const char **key, char *err, size_t len)
{
	const struct ng_cfg *cfg = c;

	*key = "args";
	if (!cfg->args[0]) {
		snprintf(err, len, "is required (e.g. args = --cpu 1 --vm 1 --vm-bytes 256M)");
		return -1;
	}
	return check_words(cfg->args, err, len);
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

static int ng_setup(struct harness *h, char *why, size_t len)
{
	const struct ng_cfg *cfg = harness_cfg(h);
	const struct stressor_env *env = harness_env(h);
	struct ng_state *s = harness_priv(h);
	char *argv[SPLIT_WORDS_MAX + 3];
	size_t argc = 0;
	wordexp_t w;
	int ret;

	if (split_words(cfg->args, &w, why, len)) /* checked when the scenario was read */
		return -EINVAL;
	argv[argc++] = "stress-ng";
	for (size_t i = 0; i < w.we_wordc; i++)
		argv[argc++] = w.we_wordv[i];
	argv[argc++] = "--metrics";
	argv[argc] = NULL;
	snprintf(s->log, sizeof(s->log), "%s/stress-ng-%s.log", env->workdir, env->name);
	ret = spawn_background(argv, s->log, &s->pid);
	wordfree(&w);
	if (ret) {
		snprintf(why, len, "cannot start stress-ng: %s", strerror(-ret));
		return ret;
	}
	journal_process(s->pid);
	s->started = now_ns();
	return 0;
}

/* SIGINT: stress-ng stops its stressors and prints its metrics. */
static void ng_teardown(struct harness *h)
{
	struct ng_state *s = harness_priv(h);

	if (!s->pid)
		return;
	s->status = stop_process(s->pid, SIGINT, 10000);
	s->ended = now_ns();
	journal_forget_process(s->pid);
}

static void ng_report(struct harness *h, json_t *j)
{
	const struct ng_state *s = harness_priv(h);

	json_object_set_new(j, "exit_status", json_integer(s->status));
	json_object_set_new(j, "log", json_string(path_base(s->log)));
	json_object_set_new(j, "seconds", json_real((double)(s->ended - s->started) / 1e9));
}

static const struct harness_ops ng_ops = {
	.priv_size = sizeof(struct ng_state),
	.setup = ng_setup,
	.report = ng_report,
	.teardown = ng_teardown,
};
HARNESS_START(ng_start, ng_ops)

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
	.stop = harness_stop,
};
