/* Binding threads to CPUs (hwloc), shared by pin workers and stressors. */
#ifndef PB_AFFINITY_H
#define PB_AFFINITY_H

#include <hwloc.h>

/* Binds the calling thread to the CPUs of a NUMA node. A node without
 * CPUs (memory only) leaves the thread unbound. Returns 0 or -1. */
int bind_thread_to_node(hwloc_topology_t topo, int node);
/* Binds the calling thread to one CPU (OS index). */
int bind_thread_to_cpu(hwloc_topology_t topo, int cpu);
/* A CPU other than cpu that this process may run on, or -1. */
int other_cpu(hwloc_topology_t topo, int cpu);

#endif
