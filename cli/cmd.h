/* The subcommands of `pinbench`, one function each, and the option
 * tables each parses (cli/pinbench.c holds the command table). */
#ifndef PB_CMD_H
#define PB_CMD_H

#include "cli_options.h"

int cmd_run(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_history(int argc, char **argv);

/* NULL-terminated lists of option tables (cli_options.h). */
extern const struct cli_option *const cmd_run_options[];
extern const struct cli_option *const cmd_store_options[];
extern const struct cli_option *const cmd_report_options[];
extern const struct cli_option *const cmd_compare_options[];
extern const struct cli_option *const cmd_gate_options[];
extern const struct cli_option *const cmd_history_options[];
extern const struct cli_option *const cmd_capacity_options[];
extern const struct cli_option *const cmd_vm_options[];
extern const struct cli_option *const cmd_kernel_options[];

#endif
