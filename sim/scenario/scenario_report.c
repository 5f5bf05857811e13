/* scenario_report: how the loader says where a problem is and what it is (scenario_int.h).
 *
 * Owns the JSON path of the value being read ("$.nodes[2].retry"), the one way an error is
 * recorded (at that path, as one printable line), the "got ..." description of a JSON value and
 * the candidate lists with their "did you mean" hint. Does not decide what is an error: the
 * readers in the other files do.
 */
#include "scenario/scenario_int.h"

#include "util/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ==== the path =============================================================================== */

size_t sc_path_pushf(Ctx *c, const char *fmt, ...)
{
    size_t mark = c->path_len, room = sizeof c->path - mark;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + mark, room, fmt, ap);
    va_end(ap);
    c->path_len = n < 0 ? mark : (size_t)n >= room ? sizeof c->path - 1 : mark + (size_t)n;
    return mark;
}

size_t sc_path_key(Ctx *c, const char *key)
{
    return sc_path_pushf(c, ".%.64s", key);
}

size_t sc_path_index(Ctx *c, size_t i)
{
    return sc_path_pushf(c, "[%zu]", i);
}

void sc_path_pop(Ctx *c, size_t mark)
{
    c->path_len = mark;
    c->path[mark] = '\0';
}

/* ==== errors ================================================================================= */

static bool vfail_at(Ctx *c, const char *key, const char *fmt, va_list ap)
{
    char msg[sizeof((Error *)0)->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* Keys and values quoted from the file may hold escaped control characters; the message and
     * the path must stay one printable line. */
    utf8_make_printable(msg);
    size_t mark = key ? sc_path_key(c, key) : c->path_len;
    char where[sizeof c->path];
    memcpy(where, c->path, sizeof where);
    utf8_make_printable(where);
    error_set(c->err, c->file, where, "%s", msg);
    sc_path_pop(c, mark);
    return false;
}

bool sc_fail(Ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(c, NULL, fmt, ap);
    va_end(ap);
    return false;
}

bool sc_fail_at(Ctx *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(c, key, fmt, ap);
    va_end(ap);
    return false;
}

bool sc_type_error(Ctx *c, const cJSON *v, const char *expected)
{
    char got[64];
    return sc_fail(c, "expected %s, got %s", expected, sc_describe(v, got, sizeof got));
}

/* Length of the prefix of s that is at most `max` bytes and does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && s[n]) {
        n++;
    }
    if (n <= max) {
        return n;
    }
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    return n;
}

const char *sc_describe(const cJSON *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "nothing");
    } else if (cJSON_IsString(v) && v->valuestring) {
        size_t n = utf8_cut(v->valuestring, 40);
        snprintf(buf, size, "\"%.*s%s\"", (int)n, v->valuestring, v->valuestring[n] ? "..." : "");
        for (char *p = buf; *p; p++) {
            if (sc_is_control((unsigned char)*p)) {
                *p = '?';
            }
        }
    } else if (cJSON_IsNumber(v) && floor(v->valuedouble) == v->valuedouble &&
               fabs(v->valuedouble) < 1e17) {
        snprintf(buf, size, "%.0f", v->valuedouble); /* whole numbers in full */
    } else if (cJSON_IsNumber(v)) {
        snprintf(buf, size, "%.15g", v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(buf, size, "null");
    } else {
        /* Arrays and objects: their compact JSON, cut short. */
        char *json = cJSON_PrintUnformatted(v);
        size_t n = json ? utf8_cut(json, 40) : 0;
        snprintf(buf, size, "%.*s%s", (int)n, json ? json : "?", json && json[n] ? "..." : "");
        cJSON_free(json);
    }
    return buf;
}

/* ==== candidates and "did you mean" ========================================================== */

/* Levenshtein distance, ignoring ASCII case; strings longer than 64 bytes are never close. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) {
        return SIZE_MAX;
    }
    size_t row[65], prev;
    for (size_t j = 0; j <= m; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= n; i++) {
        prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t sub = prev + (sc_to_lower(a[i - 1]) != sc_to_lower(b[j - 1]));
            size_t del = row[j] + 1, ins = row[j - 1] + 1;
            prev = row[j];
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    }
    return row[m];
}

void sc_candidates_start(Candidates *cd, const char *want)
{
    cd->want = want;
    cd->list[0] = '\0';
    cd->dropped = 0;
    cd->best = NULL;
    cd->best_dist = SIZE_MAX;
    cd->hint[0] = '\0';
}

void sc_candidates_add(Candidates *cd, const char *name)
{
    size_t len = strlen(cd->list), need = strlen(name) + (len ? 2 : 0);
    if (cd->dropped || len + need >= LIST_CHARS) {
        cd->dropped++;
    } else {
        snprintf(cd->list + len, sizeof cd->list - len, "%s%s", len ? ", " : "", name);
    }
    if (!cd->want) {
        return;
    }
    /* The first of equally close candidates wins. */
    size_t d = edit_distance(cd->want, name);
    if (d <= 2 && d < strlen(name) && d < cd->best_dist) {
        cd->best = name;
        cd->best_dist = d;
    }
}

void sc_candidates_add_all(Candidates *cd, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sc_candidates_add(cd, names[i]);
    }
}

void sc_candidates_end(Candidates *cd)
{
    if (cd->dropped) {
        size_t len = strlen(cd->list);
        snprintf(cd->list + len, sizeof cd->list - len, ", ... (%zu more)", cd->dropped);
    }
    if (cd->best) {
        snprintf(cd->hint, sizeof cd->hint, " (did you mean \"%s\"?)", cd->best);
    }
}
