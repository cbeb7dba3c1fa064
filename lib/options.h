/* Declarative option tables: every key a section may hold, with its type,
 * bounds or choices, default and help. Scenario sections (pin jobs,
 * backends, stressors) are each described by one table; the parsing, the
 * error messages, `pinbench run --help-keys` and the man page check are
 * all derived from it, so none of them can drift from the others.
 *
 * Tables are written with the OPT_* macros below: each takes the struct
 * and the member, so the field's offset, size and type come from the
 * compiler, and a member of the wrong type is a compile error. */
#ifndef PB_OPTIONS_H
#define PB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* (text) -> field at base + offset; 0, or -1 with a reason in err. */
typedef int (*opt_parser)(const char *val, void *field, char *err, size_t len);

enum opt_type {
	OPT_T_CUSTOM,   /* parse() fills the field: a syntax of its own */
	OPT_T_TYPE,     /* a section's `type =`: read by the scenario itself */
	OPT_T_UINT,     /* uint64_t in [min, max] */
	OPT_T_SIZE,     /* uint64_t bytes (K, M, G, T) in [min, max], a multiple of align */
	OPT_T_DURATION, /* uint64_t nanoseconds (ns, us, ms, s, m, h) */
	OPT_T_BOOL,     /* bool: yes or no */
	OPT_T_STRING,   /* char[size]; check() refuses what is not its syntax */
	OPT_T_CHOICE,   /* char[size]: one of choices */
};

struct scenario_key {
	const char *key;
	const char *def; /* NULL: no default */
	opt_parser parse; /* OPT_T_CUSTOM only */
	size_t offset;
	const char *help;
	enum opt_type type;
	size_t size;           /* of the field */
	uint64_t min, max;     /* numbers: inclusive bounds */
	uint64_t align;        /* OPT_T_SIZE: a multiple of this (0: any) */
	const char *word;      /* numbers, optional: a word taken instead, read as UINT64_MAX */
	const char *choices;   /* OPT_T_CHOICE: "a|b|c"; a leading "|" allows "" */
	/* OPT_T_CUSTOM, optional: "a, b, c", what it accepts (a registry) */
	const char *(*choice_names)(void);
	/* OPT_T_STRING, optional: 0, or -1 with a reason in err */
	int (*check)(const char *v, char *err, size_t len);
};

#define OPT_STRING_MAX 192
#define OPT_COUNT_MAX 1000000

/* offsetof(T, m), and a compile error unless member m has type `type`. */
#define OPT_OFFSET_(T, m, type) _Generic(((T *)0)->m, type: offsetof(T, m))
/* The same for a char array of any size. */
#define OPT_CHARS_(T, m) _Generic(&((T *)0)->m, char(*)[sizeof(((T *)0)->m)]: offsetof(T, m))
/* sizeof(T.m), and a compile error when the text s could not fit in it:
 * every choice is shorter than the whole "a|b|c". */
#define OPT_FITS_(T, m, s)                                                                         \
	(sizeof(((T *)0)->m) +                                                                     \
	 0 * sizeof(struct { _Static_assert(sizeof(s) <= sizeof(((T *)0)->m), #m " is too small for " s); int x_; }))

#define OPT_NUM_(ty, T, m, k, d, lo, hi, al, h)                                                   \
	{ .key = (k), .def = (d), .type = (ty), .offset = OPT_OFFSET_(T, m, uint64_t),             \
	  .size = sizeof(uint64_t), .min = (lo), .max = (hi), .align = (al), .help = (h) }

/* A section's `type = NAME` key. */
#define OPT_TYPE(name) { .key = "type", .type = OPT_T_TYPE, .help = (name) }
/* uint64_t m in [lo, hi] */
#define OPT_UINT(T, m, k, d, lo, hi, h) OPT_NUM_(OPT_T_UINT, T, m, k, d, lo, hi, 0, h)
/* uint64_t m, 1 to OPT_COUNT_MAX: repetitions, threads, pages */
#define OPT_COUNT(T, m, k, d, h) OPT_UINT(T, m, k, d, 1, OPT_COUNT_MAX, h)
/* uint64_t m bytes in [lo, hi], a multiple of al (0: any) */
#define OPT_SIZE(T, m, k, d, lo, hi, al, h) OPT_NUM_(OPT_T_SIZE, T, m, k, d, lo, hi, al, h)
#define OPT_ANY_SIZE(T, m, k, d, h) OPT_SIZE(T, m, k, d, 0, UINT64_MAX, 0, h)
/* The same, or the word w (e.g. "auto"), which the field holds as UINT64_MAX. */
#define OPT_SIZE_OR_WORD(T, m, k, d, w, h)                                                         \
	{ .key = (k), .def = (d), .type = OPT_T_SIZE, .offset = OPT_OFFSET_(T, m, uint64_t),       \
	  .size = sizeof(uint64_t), .max = UINT64_MAX - 1, .word = (w), .help = (h) }
/* uint64_t m nanoseconds */
#define OPT_DURATION(T, m, k, d, h) OPT_NUM_(OPT_T_DURATION, T, m, k, d, 0, UINT64_MAX, 0, h)
#define OPT_BOOL(T, m, k, d, h)                                                                    \
	{ .key = (k), .def = (d), .type = OPT_T_BOOL, .offset = OPT_OFFSET_(T, m, bool),           \
	  .size = sizeof(bool), .help = (h) }
/* char m[], with an optional syntax check (NULL: any text that fits) */
#define OPT_STRING(T, m, k, d, chk, h)                                                             \
	{ .key = (k), .def = (d), .type = OPT_T_STRING, .offset = OPT_CHARS_(T, m),                \
	  .size = sizeof(((T *)0)->m), .check = (chk), .help = (h) }
/* char m[] holding one of ch ("a|b|c") */
#define OPT_CHOICE(T, m, k, d, ch, h)                                                              \
	{ .key = (k), .def = (d), .type = OPT_T_CHOICE, .offset = OPT_CHARS_(T, m),                \
	  .size = OPT_FITS_(T, m, ch), .choices = (ch), .help = (h) }
/* A field parse() fills; names() lists what it accepts (or NULL). */
#define OPT_CUSTOM(T, m, k, d, p, names, h)                                                        \
	{ .key = (k), .def = (d), .type = OPT_T_CUSTOM, .parse = (p), .offset = offsetof(T, m),    \
	  .size = sizeof(((T *)0)->m), .choice_names = (names), .help = (h) }
/* A custom key that fills the whole struct (e.g. a job's node list). */
#define OPT_WHOLE(T, k, d, p, h)                                                                   \
	{ .key = (k), .def = (d), .type = OPT_T_CUSTOM, .parse = (p), .size = sizeof(T), .help = (h) }

/* Parses v into the field of o at base (through its type). 0, or -1 with
 * a reason in err. */
int option_parse(const struct scenario_key *o, const char *v, void *base, char *err, size_t len);
/* Whether v is one of choices ("a|b|c"). */
bool option_is_choice(const char *choices, const char *v);
/* The same as 0, or -1 with "'v' is not one of a,b,c" in err. */
int option_check_choice(const char *choices, const char *v, char *err, size_t len);

const struct scenario_key *option_find(const struct scenario_key *opts, size_t n, const char *key);
/* "a, b, c" */
void option_names(const struct scenario_key *opts, size_t n, char *buf, size_t len);
/* Parses every default into base. 0, or -1 with the key in err. */
int option_defaults(const struct scenario_key *opts, size_t n, void *base, char *err, size_t len);
/* What a key takes, for listings: "a size, a multiple of 4 KiB", "one of
 * always, madvise, never". */
void option_describe(const struct scenario_key *o, char *buf, size_t len);
/* Checks a table against itself: every default parses, is within bounds
 * and fits its field, every choice fits, no key twice. 0, or -1 with the
 * fault in err (for the unit tests: what C cannot check at compile time). */
int option_table_check(const struct scenario_key *opts, size_t n, size_t struct_size, char *err, size_t len);

#endif
