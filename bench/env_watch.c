#include "config.h"
#include "env_watch.h"
#include "log.h"
#include "sysinfo.h"
#include "util.h"
#include "units.h"
#include "clock.h"

#include <string.h>
#include <unistd.h>

void env_watch_start(struct env_watch *w, uint64_t t0)
{
	memset(w, 0, sizeof(*w));
	w->knobs = sysinfo_knobs();
	if (zoneinfo_read(&w->zones))
		memset(&w->zones, 0, sizeof(w->zones));
	w->changed = json_array();
	w->seen = json_object();
	w->t0 = t0;
	w->last = now_ns();
}

/* Says one difference, once per key. */
static void say(struct env_watch *w, const char *key, const char *when, const char *from, const char *to,
		const char *unit)
{
	char what[1024];
	size_t o = 0;

	if (json_object_get(w->seen, key))
		return;
	json_object_set_new(w->seen, key, json_true());
	appendf(what, sizeof(what), &o, "%s: %s -> %s%s", key, from, to, unit);
	appendf(what, sizeof(what), &o, " (seen %.1f s into the run, %s)", (double)(now_ns() - w->t0) / 1e9, when);
	pb_warn("the environment changed under the run: %s", what);
	json_array_append_new(w->changed, json_string(what));
}

/* A multiple-choice knob's choice ("always [madvise] never" -> madvise),
 * as the scenario and `pinbench env` name it; other values as they are. */
static const char *choice(const json_t *v, char *buf, size_t len)
{
	const char *s = json_string_value(v), *open = s ? strchr(s, '[') : NULL;
	const char *close_ = open ? strchr(open, ']') : NULL;

	if (!s)
		return "(gone)";
	if (!close_)
		return s;
	snprintf(buf, len, "%.*s", (int)(close_ - open - 1), open + 1);
	return buf;
}

static void check_knobs(struct env_watch *w, const char *when)
{
	char a[256], b[256];

	json_t *now = sysinfo_knobs(), *v;
	const char *key;

	json_object_foreach(w->knobs, key, v) {
		json_t *cur = json_object_get(now, key);
		if (!json_equal(v, cur))
			say(w, key, when, choice(v, a, sizeof(a)), choice(cur, b, sizeof(b)), "");
	}
	json_object_foreach(now, key, v)
		if (!json_object_get(w->knobs, key))
			say(w, key, when, "(none)", choice(v, b, sizeof(b)), "");
	json_decref(now);
}

static void check_zones(struct env_watch *w, const char *when)
{
	struct zoneinfo now;
	char key[64], from[32], to[32];

	if (zoneinfo_read(&now))
		return;
	for (size_t i = 0; i < w->zones.n; i++) {
		const struct zone_info *z = &w->zones.zones[i];
		uint64_t cur = zoneinfo_present(&now, z->node, z->name);
		if (cur == z->present)
			continue;
		snprintf(key, sizeof(key), "node %d zone %s", z->node, z->name);
		format_size(z->present * (uint64_t)getpagesize(), from, sizeof(from));
		format_size(cur * (uint64_t)getpagesize(), to, sizeof(to));
		say(w, key, when, from, to, " present");
	}
	zoneinfo_free(&now);
}

void env_watch_check(struct env_watch *w, const char *when)
{
	if (!w->knobs)
		return;
	check_knobs(w, when);
	check_zones(w, when);
	w->last = now_ns();
}

void env_watch_poll(struct env_watch *w, const char *when)
{
	if (now_ns() - w->last >= ENV_WATCH_INTERVAL_NS)
		env_watch_check(w, when);
}

void env_watch_free(struct env_watch *w)
{
	json_decref(w->knobs);
	json_decref(w->changed);
	json_decref(w->seen);
	zoneinfo_free(&w->zones);
	memset(w, 0, sizeof(*w));
}
