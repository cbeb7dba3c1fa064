/* The exit status of every pinbench command, listed once: scripts and CI
 * jobs branch on these numbers, so they never change meaning. */
#ifndef PB_EXITCODE_H
#define PB_EXITCODE_H

enum pb_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,    /* what was measured failed: a boot, a build, a gate */
	EXIT_BAD_INPUT = 2, /* a scenario, a flag or a result file is wrong */
	EXIT_CANNOT = 3,    /* this machine or kernel cannot run it */
	/* gate: no rule failed, one could not be decided with the runs given.
	 * gate never answers "cannot", so the value is shared. */
	EXIT_INCONCLUSIVE = 3,
	/* gate --bisect, as git bisect run reads them (good and bad are 0
	 * and 1): this commit cannot be judged, and stop bisecting. */
	EXIT_BISECT_SKIP = 125,
	EXIT_BISECT_ABORT = 128,
};

#endif
