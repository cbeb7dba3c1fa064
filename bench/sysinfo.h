/* What run.json records about the machine so that a comparison can be
 * trusted: kernel, configuration, knobs, zones, topology. */
#ifndef PB_SYSINFO_H
#define PB_SYSINFO_H

#include <hwloc.h>
#include <jansson.h>

json_t *sysinfo_kernel(void);
json_t *sysinfo_knobs(void);
json_t *sysinfo_zones(void);
json_t *sysinfo_meminfo(void);
json_t *sysinfo_topology(hwloc_topology_t topo);

#endif
