#include "config.h"
#include "differences.h"
#include "units.h"
#include "util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static char *value_text(json_t *v)
{
	if (!v)
		return xstrdup("(none)");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	return s ? s : xstrdup("?");
}

static void add(struct differences *ds, const char *key, json_t *base, json_t *cand, bool refuse)
{
	char *b = value_text(base), *c = value_text(cand);

	if (!strcmp(b, c)) {
		free(b);
		free(c);
		return;
	}
	ds->d = xrealloc(ds->d, (ds->n + 1) * sizeof(*ds->d));
	ds->d[ds->n++] = (struct difference){ xstrdup(key), b, c, refuse };
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of either object, sorted, each once. */
static const char **union_keys(json_t *a, json_t *b, size_t *n)
{
	const char **keys = xcalloc(json_object_size(a) + json_object_size(b) + 1, sizeof(*keys));
	const char *k;
	json_t *v;
	size_t m = 0;

	json_object_foreach(a, k, v)
		keys[m++] = k;
	json_object_foreach(b, k, v)
		if (!json_object_get(a, k))
			keys[m++] = k;
	qsort(keys, m, sizeof(*keys), cmp_str);
	*n = m;
	return keys;
}

/* Every key of two flat objects, as PREFIX.KEY. */
static void compare_objects(struct differences *ds, const char *prefix, json_t *a, json_t *b, bool refuse,
			    const char *skip)
{
	size_t n;
	const char **keys = union_keys(a, b, &n);
	char key[512];

	for (size_t i = 0; i < n; i++) {
		if (skip && !strcmp(keys[i], skip))
			continue;
		snprintf(key, sizeof(key), "%s.%s", prefix, keys[i]);
		add(ds, key, json_object_get(a, keys[i]), json_object_get(b, keys[i]), refuse);
	}
	free(keys);
}

static json_t *job_named(json_t *jobs, const char *name)
{
	size_t i;
	json_t *j;

	json_array_foreach(jobs, i, j)
		if (json_is_string(json_object_get(j, "name")) &&
		    !strcmp(json_string_value(json_object_get(j, "name")), name))
			return j;
	return NULL;
}

/* The pin jobs by name (run.json "jobs"), then [global]'s keys. */
static void compare_scenarios(struct differences *ds, json_t *a, json_t *b)
{
	json_t *ja = json_object_get(a, "jobs"), *jb = json_object_get(b, "jobs"), *j;
	json_t *present = json_string("(pin job)");
	char key[512];
	size_t i;

	for (int side = 0; side < 2; side++) {
		json_array_foreach(side ? jb : ja, i, j) {
			const char *name = json_string_value(json_object_get(j, "name"));
			if (!name)
				continue;
			json_t *other = job_named(side ? ja : jb, name);
			snprintf(key, sizeof(key), "scenario.%s", name);
			if (!other)
				add(ds, key, side ? NULL : present, side ? present : NULL, true);
			else if (!side)
				compare_objects(ds, key, j, other, true, "name");
		}
	}
	json_decref(present);
	compare_objects(ds, "scenario.global", json_object_get(a, "scenario_global"),
			json_object_get(b, "scenario_global"), true, "runs");
}

/* [global]'s keys of how many runs, not what a run does. */
static bool how_many_runs(const char *line)
{
	static const char *const keys[] = { "runs=", "max_runs=", "max_time=", "baseline=" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strncmp(line, keys[i], strlen(keys[i])))
			return true;
	return false;
}

/* What the pin jobs and [global] do not record (stressor sections, say):
 * the scenario texts without comments, blanks and how many runs. */
static char *normalised_scenario(json_t *run)
{
	const char *text = json_string_value(json_object_get(json_object_get(run, "scenario"), "text"));
	char *out = xmalloc((text ? strlen(text) : 0) + 2), *o = out;

	for (const char *p = text ? text : ""; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[1024];
		size_t k = 0;
		for (size_t i = 0; i < len && k < sizeof(line) - 1; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
				line[k++] = p[i];
		line[k] = '\0';
		if (k && line[0] != ';' && line[0] != '#' && !how_many_runs(line))
			o += sprintf(o, "%s\n", line);
		p += len + (eol != NULL);
	}
	*o = '\0';
	return out;
}

static void compare_scenario_text(struct differences *ds, json_t *a, json_t *b)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!strncmp(ds->d[i].key, "scenario.", 9))
			return; /* already explained key by key */
	char *ta = normalised_scenario(a), *tb = normalised_scenario(b);
	json_t *va = json_string(ta), *vb = json_string(tb);
	if (va && vb)
		add(ds, "scenario.text", va, vb, true);
	json_decref(va);
	json_decref(vb);
	free(ta);
	free(tb);
}

static void compare_zones(struct differences *ds, json_t *a, json_t *b)
{
	json_t *za = json_object_get(json_object_get(a, "memory"), "zones");
	json_t *zb = json_object_get(json_object_get(b, "memory"), "zones");
	json_t *oa = json_object(), *ob = json_object(), *z;
	char key[64];
	size_t i;

	for (int side = 0; side < 2; side++)
		json_array_foreach(side ? zb : za, i, z) {
			snprintf(key, sizeof(key), "node%" JSON_INTEGER_FORMAT ".%s",
				 json_integer_value(json_object_get(z, "node")),
				 json_string_value(json_object_get(z, "zone")) ? json_string_value(json_object_get(z, "zone")) : "?");
			json_object_set(side ? ob : oa, key, json_object_get(z, "present_bytes"));
		}
	compare_objects(ds, "memory.present_bytes", oa, ob, false, NULL);
	json_decref(oa);
	json_decref(ob);
	add(ds, "memory.movable_bytes",
	    json_object_get(json_object_get(json_object_get(a, "memory"), "memory_blocks"), "movable_bytes"),
	    json_object_get(json_object_get(json_object_get(b, "memory"), "memory_blocks"), "movable_bytes"), false);
}

static void compare_topology(struct differences *ds, json_t *a, json_t *b)
{
	json_t *ta = json_object_get(a, "topology"), *tb = json_object_get(b, "topology");
	json_t *na = json_integer((json_int_t)json_array_size(json_object_get(ta, "numa_nodes")));
	json_t *nb = json_integer((json_int_t)json_array_size(json_object_get(tb, "numa_nodes")));

	add(ds, "topology.numa_nodes", na, nb, true);
	json_decref(na);
	json_decref(nb);
	add(ds, "topology.cores", json_object_get(ta, "cores"), json_object_get(tb, "cores"), false);
	add(ds, "topology.pus", json_object_get(ta, "pus"), json_object_get(tb, "pus"), false);
}

void differences_find(json_t *a, json_t *b, struct differences *ds)
{
	if (!a || !b)
		return;
	add(ds, "schema_version", json_object_get(a, "schema_version"), json_object_get(b, "schema_version"), true);
	compare_scenarios(ds, a, b);
	compare_scenario_text(ds, a, b);
	compare_topology(ds, a, b);
	json_t *ka = json_object_get(a, "kernel"), *kb = json_object_get(b, "kernel");
	add(ds, "kernel.release", json_object_get(ka, "release"), json_object_get(kb, "release"), false);
	add(ds, "kernel.version", json_object_get(ka, "version"), json_object_get(kb, "version"), false);
	add(ds, "kernel.cmdline", json_object_get(ka, "cmdline"), json_object_get(kb, "cmdline"), false);
	compare_objects(ds, "kernel.config", json_object_get(ka, "config"), json_object_get(kb, "config"), false,
			NULL);
	compare_objects(ds, "knobs", json_object_get(a, "knobs"), json_object_get(b, "knobs"), false, NULL);
	compare_zones(ds, a, b);
	add(ds, "meminfo.MemTotal", json_object_get(json_object_get(a, "meminfo"), "MemTotal"),
	    json_object_get(json_object_get(b, "meminfo"), "MemTotal"), false);
	add(ds, "hostname", json_object_get(a, "hostname"), json_object_get(b, "hostname"), false);
	add(ds, "tool.version", json_object_get(json_object_get(a, "tool"), "version"),
	    json_object_get(json_object_get(b, "tool"), "version"), false);
}

void differences_identity(json_t *run, char out[DIFFERENCES_IDENTITY_LEN])
{
	json_t *jobs = json_object(), *global = json_deep_copy(json_object_get(run, "scenario_global")), *j;
	char *text = normalised_scenario(run);
	size_t i;

	json_array_foreach(json_object_get(run, "jobs"), i, j) {
		const char *name = json_string_value(json_object_get(j, "name"));
		json_t *copy = json_deep_copy(j);
		json_object_del(copy, "name");
		json_object_set_new(jobs, name ? name : "", copy ? copy : json_null());
	}
	json_object_del(global, "runs");
	json_t *id = json_pack("{s:O?, s:I, s:o, s:o, s:s}", "schema_version", json_object_get(run, "schema_version"),
			       "numa_nodes", (json_int_t)json_array_size(json_object_get(json_object_get(run, "topology"),
											  "numa_nodes")),
			       "jobs", jobs, "global", global ? global : json_null(), "text", text);
	char *canonical = id ? json_dumps(id, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(out, DIFFERENCES_IDENTITY_LEN, "%016" PRIx64,
		 fnv1a(FNV1A_INIT, canonical ? canonical : "", canonical ? strlen(canonical) : 0));
	free(canonical);
	json_decref(id);
	free(text);
}

void differences_free(struct differences *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		free(ds->d[i].key);
		free(ds->d[i].base);
		free(ds->d[i].cand);
	}
	free(ds->d);
	memset(ds, 0, sizeof(*ds));
}

const struct difference *differences_refusing(const struct differences *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->d[i].refuse)
			return &ds->d[i];
	return NULL;
}

/* One line of a value: a scenario text or a command line may be long. */
static void print_value(FILE *f, const char *v)
{
	size_t len = strcspn(v, "\n");

	fprintf(f, "%.*s%s", len > 60 ? 57 : (int)len, v, len > 60 || v[len] ? "..." : "");
}

const char *difference_text(const struct difference *d, const char *value, char *buf, size_t len)
{
	char *end;
	unsigned long long bytes = strtoull(value, &end, 10);

	if (!key_is_size(d->key) || end == value || *end || *value == '-')
		return value;
	format_size(bytes, buf, len);
	return buf;
}

void differences_print(FILE *f, const struct differences *ds, const char *indent, size_t max)
{
	size_t shown = max && ds->n > max ? max : ds->n;
	char buf[64];

	for (size_t i = 0; i < shown; i++) {
		fprintf(f, "%s%s%s: ", indent, ds->d[i].key, ds->d[i].refuse ? " (not the same test)" : "");
		print_value(f, difference_text(&ds->d[i], ds->d[i].base, buf, sizeof(buf)));
		fputs(" -> ", f);
		print_value(f, difference_text(&ds->d[i], ds->d[i].cand, buf, sizeof(buf)));
		fputc('\n', f);
	}
	if (shown < ds->n)
		fprintf(f, "%s... and %zu more (all in --format json)\n", indent, ds->n - shown);
}

json_t *differences_json(const struct differences *ds)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ds->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "key", ds->d[i].key, "base", ds->d[i].base,
						   "candidate", ds->d[i].cand, "refuses", ds->d[i].refuse));
	return a;
}
