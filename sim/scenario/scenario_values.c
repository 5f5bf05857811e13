/* scenario_values: the typed values of a scenario (scenario_int.h).
 *
 * Owns what a value must look like and how it is stored: numbers and integers in a range,
 * durations in seconds, milliseconds or days (stored in microseconds), scores (stored in
 * thousandths), bandwidths, strings, domain names, e-mail addresses, IPv4 addresses, enums, node
 * references, and arrays of them. Every sc_get_* is the one reader get() told what it wants, so
 * "look the key up, push it on the path, read, pop" is written once.
 * Does not know which object a key belongs to or what it means: scenario_nodes.c and
 * scenario_mail.c do; message and user references are read there (sc_val_msg_ref, sc_val_user).
 */
#include "scenario/scenario_int.h"

#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== objects and arrays ===================================================================== */

const cJSON *sc_field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const cJSON *sc_enter(Ctx *c, const cJSON *obj, const char *key, size_t *mark)
{
    const cJSON *v = sc_field(obj, key);
    *mark = v ? sc_path_key(c, key) : c->path_len;
    return v;
}

bool sc_need(Ctx *c, const cJSON *obj, const char *key, const char *why)
{
    if (sc_field(obj, key)) {
        return true;
    }
    return sc_fail(c, "missing required key \"%s\" (%s)", key, why);
}

bool sc_want_object(Ctx *c, const cJSON *v)
{
    return cJSON_IsObject(v) || sc_type_error(c, v, "an object { ... }");
}

bool sc_want_keys(Ctx *c, const cJSON *v, const char *const *keys, size_t n)
{
    return sc_want_object(c, v) && sc_check_keys(c, v, keys, n, "key", NULL);
}

bool sc_want_array(Ctx *c, const cJSON *v, size_t min, size_t max, const char *what)
{
    if (!cJSON_IsArray(v)) {
        char expected[96];
        snprintf(expected, sizeof expected, "an array [ ... ] of %s", what);
        return sc_type_error(c, v, expected);
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (n < min && n == 0) {
        return sc_fail(c, "expected a non-empty array of %s, got []", what);
    }
    if (n < min) {
        return sc_fail(c, "expected at least %zu %s, got %zu", min, what, n);
    }
    if (n > max) {
        return sc_fail(c, "%zu %s; the limit is %zu", n, what, max);
    }
    return true;
}

bool sc_each_element(Ctx *c, const cJSON *v, ElementReader read, void *arg)
{
    bool ok = true;
    size_t i = 0;
    for (const cJSON *e = v->child; e && ok; e = e->next, i++) {
        size_t m = sc_path_index(c, i);
        ok = read(c, e, i, arg);
        sc_path_pop(c, m);
    }
    return ok;
}

bool sc_parse_each(Ctx *c, const cJSON *obj, const char *key, size_t max, const char *what,
                   ElementReader read, void *arg)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, key, &m);
    bool ok = !v || (sc_want_array(c, v, 0, max, what) && sc_each_element(c, v, read, arg));
    sc_path_pop(c, m);
    return ok;
}

/* ==== numbers ================================================================================ */

bool sc_is_finite_number(const cJSON *v)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble);
}

static bool val_bool(Ctx *c, const cJSON *v, bool *out)
{
    if (!cJSON_IsBool(v)) {
        return sc_type_error(c, v, "true or false");
    }
    *out = cJSON_IsTrue(v);
    return true;
}

bool sc_val_int(Ctx *c, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
    char expected[96];
    bool above = sc_is_finite_number(v) && v->valuedouble > (double)max;
    if (max == MAX_SAFE_INT && !above) {
        snprintf(expected, sizeof expected, "an integer >= %lld", (long long)min);
    } else {
        snprintf(expected, sizeof expected, "an integer from %lld to %lld", (long long)min,
                 (long long)max);
    }
    if (!sc_is_finite_number(v) || floor(v->valuedouble) != v->valuedouble ||
        v->valuedouble < (double)min || v->valuedouble > (double)max) {
        return sc_type_error(c, v, expected);
    }
    *out = (int64_t)v->valuedouble;
    return true;
}

/* Indexed by TimeForm. */
static const struct {
    int64_t us_per_unit;
    const char *unit;
    bool positive; /* 0 is refused too */
} TIME_UNITS[] = {
    [TIME_SECONDS] = { US_PER_S, "seconds", false },
    [TIME_POSITIVE_SECONDS] = { US_PER_S, "seconds", true },
    [TIME_MS] = { US_PER_MS, "milliseconds", false },
    [TIME_POSITIVE_DAYS] = { 86400 * US_PER_S, "days", true },
};

/* A duration in the form's unit -> microseconds, rounded to nearest. Never negative, never
 * above SCENARIO_MAX_DAYS. */
bool sc_val_time(Ctx *c, const cJSON *v, TimeForm form, int64_t *us)
{
    int64_t us_per_unit = TIME_UNITS[form].us_per_unit;
    const char *unit = TIME_UNITS[form].unit;
    bool positive = TIME_UNITS[form].positive;
    char expected[64], got[64];
    snprintf(expected, sizeof expected, "a number of %s %s 0", unit, positive ? ">" : ">=");
    if (!sc_is_finite_number(v) || v->valuedouble < 0 || (positive && v->valuedouble <= 0)) {
        return sc_type_error(c, v, expected);
    }
    double max_units = (double)MAX_US / (double)us_per_unit;
    if (v->valuedouble > max_units) {
        return sc_fail(c, "expected at most %.15g %s (%d days), got %s", max_units, unit,
                       SCENARIO_MAX_DAYS, sc_describe(v, got, sizeof got));
    }
    int64_t n = (int64_t)llround(v->valuedouble * (double)us_per_unit);
    if (positive && n < 1) {
        return sc_fail(c, "expected %s, got %s, which is less than a microsecond", expected,
                       sc_describe(v, got, sizeof got));
    }
    *us = n;
    return true;
}

static bool val_score(Ctx *c, const cJSON *v, int32_t *milli)
{
    if (!sc_is_finite_number(v) || v->valuedouble < -100 || v->valuedouble > 100) {
        return sc_type_error(c, v, "a score from -100 to 100");
    }
    *milli = (int32_t)llround(v->valuedouble * 1000);
    return true;
}

/* Mbit/s -> bit/s, rounded to whole bit/s: 1 bit/s .. 1 Tbit/s. The message states the real
 * range: 0.0000005 Mbit/s is the least value that rounds to 1 bit/s, so 4e-07 (> 0) is refused. */
static bool val_bandwidth(Ctx *c, const cJSON *v, int64_t *bps)
{
    if (!sc_is_finite_number(v) || v->valuedouble <= 0 || v->valuedouble > 1e6 ||
        llround(v->valuedouble * 1e6) < 1) {
        return sc_type_error(c, v,
                             "a bandwidth in Mbit/s from 0.0000005 to 1000000 (it is rounded "
                             "to whole bit/s, at least 1)");
    }
    *bps = (int64_t)llround(v->valuedouble * 1e6);
    return true;
}

/* ==== strings ================================================================================ */

static bool val_text(Ctx *c, const cJSON *v, bool nonempty, const char **out)
{
    if (!cJSON_IsString(v) || !v->valuestring) {
        return sc_type_error(c, v, nonempty ? "a non-empty string" : "a string");
    }
    size_t len = strlen(v->valuestring);
    if (len > SCENARIO_MAX_STRING_BYTES) {
        return sc_fail(c, "a string of %zu bytes; the limit is %u bytes (64 KiB)", len,
                       SCENARIO_MAX_STRING_BYTES);
    }
    if (nonempty && len == 0) {
        return sc_type_error(c, v, "a non-empty string");
    }
    *out = v->valuestring;
    return true;
}

static bool val_enum(Ctx *c, const cJSON *v, const char *const *names, size_t n, int *out)
{
    if (cJSON_IsString(v) && v->valuestring) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(v->valuestring, names[i]) == 0) {
                *out = (int)i;
                return true;
            }
        }
    }
    char got[64];
    Candidates cd;
    sc_candidates_start(&cd, cJSON_IsString(v) ? v->valuestring : NULL);
    sc_candidates_add_all(&cd, names, n);
    sc_candidates_end(&cd);
    return sc_fail(c, "expected one of: %s; got %s%s", cd.list, sc_describe(v, got, sizeof got),
                   cd.hint);
}

bool sc_val_id(Ctx *c, const cJSON *v, const char *what, StrId *out)
{
    char expected[96];
    snprintf(expected, sizeof expected, "a %s id: 1 to 64 visible ASCII characters, no spaces",
             what);
    if (!cJSON_IsString(v) || !v->valuestring) {
        return sc_type_error(c, v, expected);
    }
    const char *s = v->valuestring;
    size_t len = strlen(s);
    bool ok = len >= 1 && len <= 64;
    for (size_t i = 0; ok && i < len; i++) {
        ok = s[i] > 0x20 && s[i] < 0x7F;
    }
    if (!ok) {
        return sc_type_error(c, v, expected);
    }
    *out = sc_intern(c, s);
    return true;
}

/* Host and domain names: dot-separated labels of letters, digits, '-' and '_' (1-63 each, no
 * '-' at either end), 253 characters at most. One trailing dot has been stripped already. */
static bool domain_ok(const char *s, size_t len)
{
    if (len == 0 || len > 253) {
        return false;
    }
    size_t label = 0;
    for (size_t i = 0; i <= len; i++) {
        char ch = i < len ? s[i] : '.';
        if (ch == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-') {
                return false;
            }
            label = 0;
        } else if (sc_is_alpha(ch) || sc_is_digit(ch) || ch == '-' || ch == '_') {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

/* A domain name, stored lower case without its trailing dot. `single_label` asks for a TLD. */
static bool val_name(Ctx *c, const cJSON *v, bool single_label, StrId *out)
{
    const char *expected =
        single_label ? "a top-level domain such as \"xyz\"" : "a domain name such as \"b.example\"";
    if (!cJSON_IsString(v) || !v->valuestring) {
        return sc_type_error(c, v, expected);
    }
    char buf[256];
    size_t len = strlen(v->valuestring);
    if (len > 0 && v->valuestring[len - 1] == '.') {
        len--;
    }
    if (len >= sizeof buf || !domain_ok(v->valuestring, len) ||
        (single_label && memchr(v->valuestring, '.', len))) {
        return sc_type_error(c, v, expected);
    }
    for (size_t i = 0; i < len; i++) {
        buf[i] = sc_to_lower(v->valuestring[i]);
    }
    buf[len] = '\0';
    *out = sc_intern(c, buf);
    return true;
}

/* What is wrong with an address, or NULL. Accepted: a dot-atom local part (RFC 5322 atext and
 * dots; UTF-8 allowed as with SMTPUTF8), one '@', a domain name; the RFC 5321 length limits. */
static const char *address_problem(const char *s, char *buf, size_t size)
{
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@')) {
        return "an address has exactly one @";
    }
    size_t local = (size_t)(at - s), domain = strlen(at + 1);
    if (local == 0) {
        return "the local part (before the @) is empty";
    }
    if (local > 64) {
        snprintf(buf, size, "the local part is %zu octets long, the limit is 64 (RFC 5321)", local);
        return buf;
    }
    if (domain > 255 || local + 1 + domain > 254) {
        snprintf(buf, size, "the address is %zu octets long, the limit is 254 (RFC 5321)",
                 local + 1 + domain);
        return buf;
    }
    for (size_t i = 0; i < local; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '.' ? (i == 0 || i + 1 == local || s[i + 1] == '.')
                      : !(ch >= 0x80 || sc_is_alpha(ch) || sc_is_digit(ch) ||
                          strchr("!#$%&'*+-/=?^_`{|}~", ch))) {
            return "the local part may hold letters, digits, !#$%&'*+-/=?^_`{|}~ and single "
                   "dots inside";
        }
    }
    if (!domain_ok(at + 1, domain)) {
        return "the part after the @ is not a domain name";
    }
    return NULL;
}

/* An e-mail address; its domain is stored lower case (domains are case-insensitive, local parts
 * are not). */
static bool val_address(Ctx *c, const cJSON *v, StrId *out)
{
    if (!cJSON_IsString(v) || !v->valuestring) {
        return sc_type_error(c, v, "an e-mail address such as \"bob@b.example\"");
    }
    char why[96], got[64];
    const char *problem = address_problem(v->valuestring, why, sizeof why);
    if (problem) {
        return sc_fail(c, "expected an e-mail address such as \"bob@b.example\", got %s: %s",
                       sc_describe(v, got, sizeof got), problem);
    }
    char buf[256];
    size_t len = strlen(v->valuestring);
    memcpy(buf, v->valuestring, len + 1);
    for (char *p = strchr(buf, '@'); *p; p++) {
        *p = sc_to_lower(*p);
    }
    *out = sc_intern(c, buf);
    return true;
}

bool sc_val_str(Ctx *c, const cJSON *v, StrForm form, StrId *out)
{
    const char *s = ""; /* val_text sets it on success; gcc -O3 cannot see that */
    switch (form) {
    case STR_TEXT:
    case STR_NONEMPTY:
        if (!val_text(c, v, form == STR_NONEMPTY, &s)) {
            return false;
        }
        *out = sc_intern(c, s);
        return true;
    case STR_DOMAIN: return val_name(c, v, false, out);
    case STR_TLD: return val_name(c, v, true, out);
    case STR_ADDRESS: return val_address(c, v, out);
    case STR_MSG_REF: return sc_val_msg_ref(c, v, out);
    case STR_USER: return sc_val_user(c, v, out);
    }
    return false;
}

bool sc_val_ip(Ctx *c, const cJSON *v, uint32_t *out)
{
    uint32_t ip = 0;
    if (!cJSON_IsString(v) || !v->valuestring || !world_parse_ip(v->valuestring, &ip) || !ip) {
        return sc_type_error(c, v, "an IPv4 address such as \"203.0.113.25\"");
    }
    *out = ip;
    return true;
}

/* ==== node references ======================================================================== */

/* The kinds in mask as a phrase: "a resolver", "a filter or store node", "an outgoing, incoming,
 * ... or store node"; or, `plural`, "resolver nodes", "outgoing, incoming or store nodes". */
static void kinds_text(unsigned mask, bool plural, char *buf, size_t size)
{
    size_t count = 0, seen = 0;
    for (int k = 0; k < NODE_KIND_COUNT; k++) {
        count += (mask & KIND_BIT(k)) != 0;
    }
    buf[0] = '\0';
    for (int k = 0; k < NODE_KIND_COUNT; k++) {
        if (!(mask & KIND_BIT(k))) {
            continue;
        }
        size_t len = strlen(buf);
        const char *sep = seen == 0 ? "" : seen + 1 == count ? " or " : ", ";
        bool article = !plural && seen == 0;
        snprintf(buf + len, size - len, "%s%s%s%s", sep, article ? sc_kind_article(k) : "",
                 article ? " " : "", trace_node_kind_name(k));
        seen++;
    }
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, plural ? " nodes" : " node");
}

bool sc_val_node(Ctx *c, const cJSON *v, unsigned mask, int32_t *out)
{
    const World *w = c->w;
    char kinds[96];
    kinds_text(mask, false, kinds, sizeof kinds);
    if (!cJSON_IsString(v) || !v->valuestring) {
        char expected[128];
        snprintf(expected, sizeof expected, "the id of %s", kinds);
        return sc_type_error(c, v, expected);
    }
    int32_t n = idmap_get(&c->nodes, strpool_find(w->strings, v->valuestring));
    if (n >= 0 && (mask & KIND_BIT(w->nodes[n].kind))) {
        *out = n;
        return true;
    }
    if (n >= 0) {
        NodeKind k = w->nodes[n].kind;
        return sc_fail(c, "node \"%s\" is %s %s, expected %s", v->valuestring, sc_kind_article(k),
                       trace_node_kind_name(k), kinds);
    }
    Candidates cd;
    sc_candidates_start(&cd, v->valuestring);
    for (uint32_t i = 0; i < w->node_count; i++) {
        if (mask & KIND_BIT(w->nodes[i].kind)) {
            sc_candidates_add(&cd, sc_str(c, w->nodes[i].name));
        }
    }
    sc_candidates_end(&cd);
    char plural[128] = "nodes";
    if (mask != ANY_NODE) {
        kinds_text(mask, true, plural, sizeof plural);
    }
    if (!cd.list[0]) {
        return sc_fail(c, "node \"%.64s\" is not defined, and there are no %s", v->valuestring,
                       plural);
    }
    return sc_fail(c, "node \"%.64s\" is not defined%s; defined %s: %s", v->valuestring, cd.hint,
                   plural, cd.list);
}

/* ==== sc_get_*: one reader, told what it wants =============================================== */

typedef enum {
    WANT_STR,
    WANT_TIME,
    WANT_INT,
    WANT_BOOL,
    WANT_SCORE,
    WANT_BANDWIDTH,
    WANT_IP,
    WANT_ENUM,
    WANT_NODE,
} WantType;

/* What one key's value must be, and where it goes: `type` says which of the rest apply. */
typedef struct {
    WantType type;
    StrForm str;              /* WANT_STR */
    TimeForm time;            /* WANT_TIME */
    int64_t min, max;         /* WANT_INT */
    const char *const *names; /* WANT_ENUM */
    size_t name_count;        /* WANT_ENUM */
    unsigned kinds;           /* WANT_NODE */
    union {
        StrId *str;    /* WANT_STR */
        int64_t *i64;  /* WANT_TIME, WANT_INT, WANT_BANDWIDTH */
        int32_t *i32;  /* WANT_SCORE, WANT_NODE */
        uint32_t *u32; /* WANT_IP */
        bool *flag;    /* WANT_BOOL */
        int *choice;   /* WANT_ENUM */
    } out;
} Want;

static bool val_want(Ctx *c, const cJSON *v, const Want *w)
{
    switch (w->type) {
    case WANT_STR: return sc_val_str(c, v, w->str, w->out.str);
    case WANT_TIME: return sc_val_time(c, v, w->time, w->out.i64);
    case WANT_INT: return sc_val_int(c, v, w->min, w->max, w->out.i64);
    case WANT_BOOL: return val_bool(c, v, w->out.flag);
    case WANT_SCORE: return val_score(c, v, w->out.i32);
    case WANT_BANDWIDTH: return val_bandwidth(c, v, w->out.i64);
    case WANT_IP: return sc_val_ip(c, v, w->out.u32);
    case WANT_ENUM: return val_enum(c, v, w->names, w->name_count, w->out.choice);
    case WANT_NODE: return sc_val_node(c, v, w->kinds, w->out.i32);
    }
    return false;
}

/* Reads obj[key] as `w` says, with the key on the path; an absent key is fine and changes
 * nothing. */
static bool get(Ctx *c, const cJSON *obj, const char *key, const Want *w)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, key, &m);
    bool ok = !v || val_want(c, v, w);
    sc_path_pop(c, m);
    return ok;
}

bool sc_get_str(Ctx *c, const cJSON *obj, const char *key, StrForm form, StrId *out)
{
    return get(c, obj, key, &(Want){ .type = WANT_STR, .str = form, .out.str = out });
}

bool sc_get_time(Ctx *c, const cJSON *obj, const char *key, TimeForm form, int64_t *us)
{
    return get(c, obj, key, &(Want){ .type = WANT_TIME, .time = form, .out.i64 = us });
}

bool sc_get_int(Ctx *c, const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out)
{
    return get(c, obj, key, &(Want){ .type = WANT_INT, .min = min, .max = max, .out.i64 = out });
}

bool sc_get_u32(Ctx *c, const cJSON *obj, const char *key, int64_t min, int64_t max, uint32_t *out)
{
    int64_t x = *out;
    if (!sc_get_int(c, obj, key, min, max, &x)) {
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

bool sc_get_bool(Ctx *c, const cJSON *obj, const char *key, bool *out)
{
    return get(c, obj, key, &(Want){ .type = WANT_BOOL, .out.flag = out });
}

bool sc_get_score(Ctx *c, const cJSON *obj, const char *key, int32_t *milli)
{
    return get(c, obj, key, &(Want){ .type = WANT_SCORE, .out.i32 = milli });
}

bool sc_get_bandwidth(Ctx *c, const cJSON *obj, const char *key, int64_t *bps)
{
    return get(c, obj, key, &(Want){ .type = WANT_BANDWIDTH, .out.i64 = bps });
}

bool sc_get_ip(Ctx *c, const cJSON *obj, const char *key, uint32_t *out)
{
    return get(c, obj, key, &(Want){ .type = WANT_IP, .out.u32 = out });
}

bool sc_get_enum(Ctx *c, const cJSON *obj, const char *key, const char *const *names, size_t n,
                 int *out)
{
    return get(c, obj, key,
               &(Want){ .type = WANT_ENUM, .names = names, .name_count = n, .out.choice = out });
}

bool sc_get_node(Ctx *c, const cJSON *obj, const char *key, unsigned mask, int32_t *out)
{
    return get(c, obj, key, &(Want){ .type = WANT_NODE, .kinds = mask, .out.i32 = out });
}

/* ==== composite values ======================================================================= */

typedef struct {
    StrForm form;
    StrId *arr;
    uint32_t *count;
} Names;

static bool read_name(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    Names *names = arg;
    (void)i;
    if (!sc_val_str(c, e, names->form, &names->arr[*names->count])) {
        return false;
    }
    (*names->count)++;
    return true;
}

bool sc_get_names(Ctx *c, const cJSON *obj, const char *key, StrForm form, StrId **arr,
                  uint32_t *count)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, key, &m);
    if (!v) {
        return true;
    }
    bool ok =
        sc_want_array(c, v, 0, SIZE_MAX, form == STR_TLD ? "top-level domains" : "domain names");
    if (ok) {
        free(*arr);
        *arr = xmalloc(sizeof **arr * ((size_t)cJSON_GetArraySize(v) + 1));
        *count = 0;
        ok = sc_each_element(c, v, read_name, &(Names){ form, *arr, count });
    }
    sc_path_pop(c, m);
    return ok;
}

bool sc_get_ms_range(Ctx *c, const cJSON *obj, const char *key, int64_t *lo, int64_t *hi)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, key, &m);
    bool ok = true;
    if (v) {
        int64_t a = 0, b = 0;
        ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2;
        for (int i = 0; ok && i < 2; i++) {
            size_t mi = sc_path_index(c, (size_t)i);
            ok = sc_val_time(c, cJSON_GetArrayItem(v, i), TIME_MS, i ? &b : &a);
            sc_path_pop(c, mi);
        }
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) {
            sc_type_error(c, v, "[min, max] in milliseconds");
        } else if (ok && a > b) {
            ok = sc_fail(c, "expected [min, max] with min <= max, got min %.15g ms > max %.15g ms",
                         (double)a / US_PER_MS, (double)b / US_PER_MS);
        }
        if (ok) {
            *lo = a;
            *hi = b;
        }
    }
    sc_path_pop(c, m);
    return ok;
}

/* The object form of sc_get_bounds. */
static bool val_bounds_object(Ctx *c, const cJSON *v, bool seconds, int64_t max, int64_t *lo,
                              int64_t *hi)
{
    static const char *const keys[] = { "min", "max" };
    int64_t a = -1, b = -1;
    bool ok = sc_check_keys(c, v, keys, COUNT_OF(keys), "key", NULL);
    if (ok && !v->child) {
        ok = sc_fail(c, "expected at least one of \"min\" and \"max\"");
    }
    ok = ok &&
         (seconds ? sc_get_time(c, v, "min", TIME_SECONDS, &a) &&
                        sc_get_time(c, v, "max", TIME_SECONDS, &b)
                  : sc_get_int(c, v, "min", 0, max, &a) && sc_get_int(c, v, "max", 0, max, &b));
    if (ok && a >= 0 && b >= 0 && a > b) {
        ok = sc_fail_at(c, "min", "min is larger than max; expected min <= max");
    }
    *lo = a;
    *hi = b;
    return ok;
}

bool sc_get_bounds(Ctx *c, const cJSON *obj, const char *key, bool seconds, int64_t max,
                   int64_t *lo, int64_t *hi)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, key, &m);
    bool ok = true;
    if (!v) {
        return true;
    }
    if (!seconds && cJSON_IsNumber(v)) {
        ok = sc_val_int(c, v, 0, max, lo);
        *hi = *lo;
    } else if (cJSON_IsObject(v)) {
        ok = val_bounds_object(c, v, seconds, max, lo, hi);
    } else {
        ok = sc_type_error(c, v,
                           seconds ? "an object {\"min\": seconds, \"max\": seconds}"
                                   : "an integer >= 0 or an object {\"min\", \"max\"}");
    }
    sc_path_pop(c, m);
    return ok;
}

bool sc_check_in_horizon(Ctx *c, const char *key, int64_t at_us)
{
    if (at_us <= c->w->horizon_us) {
        return true;
    }
    return sc_fail_at(c, key,
                      "%.15g s is after the end of the run (horizon_s = %.15g s); move it "
                      "earlier or raise \"horizon_s\"",
                      (double)at_us / US_PER_S, (double)c->w->horizon_us / US_PER_S);
}
