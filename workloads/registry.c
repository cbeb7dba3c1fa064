/* The one list of pluggable parts. Adding a backend or a memory type is a
 * new file and one line here; nothing else names them. */
#include "config.h"
#include "memory.h"
#include "pin_backend.h"
#include "stressor.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

extern const struct pin_backend pin_backend_io_uring, pin_backend_af_xdp, pin_backend_vfio,
	pin_backend_iommufd, pin_backend_gup_test, pin_backend_qemu;
extern const struct memory_type memory_anon, memory_anon_thp, memory_memfd,
	memory_memfd_thp, memory_hugetlb;

extern const struct stressor stressor_pagecache, stressor_drop_caches, stressor_vmsplice,
	stressor_procvm, stressor_odirect, stressor_lru_batch, stressor_fragment, stressor_stress_ng,
	stressor_file_reader;

static const struct pin_backend *const backends[] = {
	&pin_backend_io_uring,
	&pin_backend_af_xdp,
	&pin_backend_vfio,
	&pin_backend_iommufd,
	&pin_backend_gup_test,
	&pin_backend_qemu,
};

static const struct memory_type *const memory_types[] = {
	&memory_anon, &memory_anon_thp, &memory_memfd, &memory_memfd_thp, &memory_hugetlb,
};

static const struct stressor *const stressors[] = {
	&stressor_pagecache, &stressor_drop_caches, &stressor_vmsplice, &stressor_procvm,
	&stressor_odirect, &stressor_lru_batch, &stressor_fragment, &stressor_stress_ng,
	&stressor_file_reader,
};

#define DEFINE_LOOKUP(type, table, find, names, at)                        \
	const type *at(size_t i)                                           \
	{                                                                  \
		return i < ARRAY_SIZE(table) ? table[i] : NULL;            \
	}                                                                  \
	const type *find(const char *name)                                 \
	{                                                                  \
		for (size_t i = 0; i < ARRAY_SIZE(table); i++)             \
			if (!strcmp(table[i]->name, name))                 \
				return table[i];                           \
		return NULL;                                               \
	}                                                                  \
	const char *names(void)                                            \
	{                                                                  \
		static char buf[256];                                      \
		size_t o = 0;                                              \
		for (size_t i = 0; i < ARRAY_SIZE(table) && o < sizeof(buf); i++) \
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", \
					      i ? ", " : "", table[i]->name); \
		return buf;                                                \
	}

DEFINE_LOOKUP(struct pin_backend, backends, pin_backend_find, pin_backend_names, pin_backend_at)

void *pin_backend_defaults(const struct pin_backend *b)
{
	char err[256];

	if (!b->config_size)
		return NULL;
	void *cfg = xcalloc(1, b->config_size);
	if (option_defaults(b->options, b->noptions, cfg, err, sizeof(err)))
		pb_err("%s", err); /* a table whose default is refused: the unit tests catch it */
	return cfg;
}
/* Stressors are found by their section type. */
const struct stressor *stressor_at(size_t i)
{
	return i < ARRAY_SIZE(stressors) ? stressors[i] : NULL;
}

const struct stressor *stressor_find(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(stressors); i++)
		if (!strcmp(stressors[i]->type, type))
			return stressors[i];
	return NULL;
}

DEFINE_LOOKUP(struct memory_type, memory_types, memory_type_find, memory_type_names, memory_type_at)
