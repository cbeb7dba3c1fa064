#include "config.h"
#include "affinity.h"

int bind_thread_to_node(hwloc_topology_t topo, int node)
{
	hwloc_obj_t o = hwloc_get_numanode_obj_by_os_index(topo, (unsigned)node);

	if (!o || hwloc_bitmap_iszero(o->cpuset))
		return 0;
	return hwloc_set_cpubind(topo, o->cpuset, HWLOC_CPUBIND_THREAD);
}

int bind_thread_to_cpu(hwloc_topology_t topo, int cpu)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int ret;

	hwloc_bitmap_only(set, (unsigned)cpu);
	ret = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	return ret;
}

int other_cpu(hwloc_topology_t topo, int cpu)
{
	hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(topo);
	int i;

	hwloc_bitmap_foreach_begin(i, allowed)
		if (i != cpu)
			return i;
	hwloc_bitmap_foreach_end();
	return -1;
}
