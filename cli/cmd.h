/* The subcommands of `pinbench`, one function each (cli/pinbench.c
 * holds the table). */
#ifndef PB_CMD_H
#define PB_CMD_H

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

#endif
