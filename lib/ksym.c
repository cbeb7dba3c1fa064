/* Kernel stacks with names (see ksym.h). */
#include "config.h"
#include "ksym.h"
#include "files.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ksym {
	uint64_t addr;
	const char *name; /* into the map's text */
	int len;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* The text symbols (t, T, w, W) of a System.map, sorted. */
static struct ksym *text_symbols(const char *map, size_t *n)
{
	struct ksym *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (const char *p = map; *p;) {
		const char *eol = strchrnul(p, '\n');
		unsigned long long addr;
		char type;
		int name = 0;
		if (sscanf(p, "%llx %c %n", &addr, &type, &name) == 2 && name && strchr("tTwW", type)) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 4096;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[(*n)++] = (struct ksym){ addr, p + name, (int)(eol - p - name) };
		}
		p = *eol ? eol + 1 : eol;
	}
	qsort(v, *n, sizeof(*v), by_addr);
	return v;
}

/* The symbol an address falls in: the last one at or below it. */
static const struct ksym *lookup(const struct ksym *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &v[lo - 1] : NULL;
}

char *ksym_symbolize(const char *stack, const char *map)
{
	size_t n, len;
	struct ksym *v = text_symbols(map, &n);
	char *out;
	FILE *f = xopen_memstream(&out, &len);

	for (const char *p = stack; *p;) {
		const char *eol = strchrnul(p, '\n');
		const char *close = strstr(p, "] 0x");
		unsigned long long addr;
		int used = 0;
		fwrite(p, 1, (size_t)(eol - p), f);
		if (close && close < eol && sscanf(close + 2, "0x%llx%n", &addr, &used) == 1 && close + 2 + used == eol) {
			const struct ksym *s = lookup(v, n, addr);
			if (s)
				fprintf(f, " %.*s+0x%" PRIx64, s->len, s->name, (uint64_t)addr - s->addr);
		}
		if (*eol)
			fputc('\n', f);
		p = *eol ? eol + 1 : eol;
	}
	fclose(f);
	free(v);
	return out;
}

char *ksym_symbolize_file(const char *stack, const char *path)
{
	char *map = read_file(path, NULL);

	if (!map)
		return NULL;
	char *out = ksym_symbolize(stack, map);
	free(map);
	return out;
}
