/* Kernel stacks with names: the bare addresses /proc/PID/stack prints on
 * a kernel without kallsyms, looked up in the build's System.map. */
#ifndef PB_KSYM_H
#define PB_KSYM_H

/* stack with " name+0xOFF" after every "[<...>] 0xADDR" line whose
 * address falls in a text symbol of map (System.map's text: "ADDR TYPE
 * NAME" lines); malloc'd. Lines already named, and every line when map
 * holds no text symbol, are kept as they are. */
char *ksym_symbolize(const char *stack, const char *map);

/* The same with the map read from path; NULL when it cannot be read. */
char *ksym_symbolize_file(const char *stack, const char *path);

#endif
