/* What a guest sends back over its second serial port (see
 * vm/guest-init.sh): facts about its kernel, the files of its run
 * directory in base64, and the exit status of `pinbench run`. */
#ifndef PB_TRANSFER_H
#define PB_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>

struct guest_report {
	bool started;           /* /init ran: at least one fact arrived */
	char release[128];
	char nodes[64];         /* online nodes, "0-1" */
	char vfio[64];          /* the device /init bound to vfio-pci, "" when none */
	long movable_pages, cma_kb, mem_kb; /* -1: not sent */
	/* guest uptime (s) when /init started, when the run ended, when the
	 * files were sent: boot, run and transfer times; NAN: not sent */
	double uptime_init, uptime_run, uptime_sent;
	int exit_status;        /* of `pinbench run`; -1: never sent */
	size_t nfiles;          /* files written */
	char truncated[64];     /* a file the stream ended in, "" when none */
};

/* Reads the stream (text, possibly cut anywhere) and writes each complete
 * file into dir. 0, or -1 with a sentence in err when the stream is
 * damaged (a bad name, bad base64, a size that does not match); files
 * before the damage are kept. */
int transfer_read(const char *stream, size_t len, const char *dir, struct guest_report *r, char *err,
		  size_t errlen);

/* Number of nodes in a list like "0-1,3"; 0 when malformed. */
unsigned node_list_count(const char *list);

#endif
