/* The exit status of every pinbench command, listed once: scripts and CI
 * jobs branch on these numbers, so they never change meaning. */
#ifndef PB_EXITCODE_H
#define PB_EXITCODE_H

enum pb_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,    /* what was measured failed: a boot, a build, a gate */
	EXIT_BAD_INPUT = 2, /* a scenario, a flag or a result file is wrong */
	EXIT_CANNOT = 3,    /* this machine or kernel cannot run it */
	/* 3 is also compare's and gate's "inconclusive" (issue 14): those
	 * commands never answer "cannot", so the value is shared. */
};

#endif
