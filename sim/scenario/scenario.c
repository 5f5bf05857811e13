/* scenario: reads a scenario file (JSON, format v1 — docs/scenario-format.md) into a World.
 *
 * A load has three steps, and the first error of any step ends it:
 *   1. Text. The size limit, then a strict JSON syntax check of our own (it also enforces the
 *      nesting limit and rejects NUL bytes and malformed UTF-8) so that a syntax error is reported
 *      at its exact line:column with a hint; cJSON's own error offset is vague for common slips
 *      such as a trailing comma. cJSON then builds the tree.
 *   2. Structure. One parse function per object kind walks the tree and fills the World, starting
 *      from the defaults world_create / world_add_* set. Every object rejects unknown and duplicate
 *      keys. A Ctx carries the JSON path ("$.nodes[2].retry") so each error names its place. Nodes
 *      are declared (id, kind) in a first pass so that references may point forward.
 *   3. Cross-checks that need the whole file (mailbox domains, client mailboxes, null MX), then
 *      world_finalize.
 * The partial World of a failed load is destroyed; nothing else is allocated outside the Ctx.
 */
#include "scenario/scenario.h"

#include "util/idmap.h"
#include "util/pairmap.h"
#include "util/xalloc.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAFE_INT INT64_C(9007199254740991) /* 2^53 - 1: the integers a double holds exactly */
#define MAX_US (SCENARIO_MAX_SECONDS * US_PER_S)
#define MAX_COUNT INT64_C(1000000) /* ceiling for counters such as concurrency or max_links */
#define LIST_CHARS 360             /* room for "defined nodes: a, b, ..." inside a message */
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define KIND_BIT(k) (1u << (unsigned)(k))
#define ANY_NODE ((1u << NODE_KIND_COUNT) - 1u)

/* ==== the load context ======================================================================= */

typedef struct {
    const char *file;
    World *w;
    Error *err;
    char path[256]; /* JSON path of the value being read, "$.nodes[2].retry" */
    size_t path_len;
    IdMap nodes;     /* node id -> node index */
    IdMap clients;   /* address -> client node */
    IdMap specs;     /* message id -> spec index */
    IdMap mailboxes; /* address -> the last store node that has a mailbox for it */
    PairMap links;   /* the two ends of each link in "links" -> its index there: the duplicate
                        check is O(1) a link */
    uint64_t rcpt_total;
} Ctx;

/* Path building: each push returns a mark that path_pop restores. A path too long for the
 * buffer is cut (it is only ever shown). */
static size_t path_pushf(Ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static size_t path_pushf(Ctx *c, const char *fmt, ...)
{
    size_t mark = c->path_len, room = sizeof c->path - mark;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + mark, room, fmt, ap);
    va_end(ap);
    c->path_len = n < 0 ? mark : (size_t)n >= room ? sizeof c->path - 1 : mark + (size_t)n;
    return mark;
}

static size_t path_key(Ctx *c, const char *key)
{
    return path_pushf(c, ".%.64s", key);
}

static size_t path_index(Ctx *c, size_t i)
{
    return path_pushf(c, "[%zu]", i);
}

static void path_pop(Ctx *c, size_t mark)
{
    c->path_len = mark;
    c->path[mark] = '\0';
}

/* C0 controls and DEL: never shown as they are in a message or a path. */
static bool is_control(unsigned char ch)
{
    return ch < 0x20 || ch == 0x7F;
}

/* Records the error at the current path (plus `key` when non-NULL) and returns false, so that
 * parse functions can `return fail(...)`. */
static bool vfail_at(Ctx *c, const char *key, const char *fmt, va_list ap)
{
    char msg[sizeof((Error *)0)->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* Keys and values quoted from the file may hold escaped control characters; the message and
     * the path must stay one printable line. */
    utf8_make_printable(msg);
    size_t mark = key ? path_key(c, key) : c->path_len;
    char where[sizeof c->path];
    memcpy(where, c->path, sizeof where);
    utf8_make_printable(where);
    error_set(c->err, c->file, where, "%s", msg);
    path_pop(c, mark);
    return false;
}

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static bool fail(Ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static bool fail_at(Ctx *c, const char *key, const char *fmt, ...) PRINTF_LIKE(3, 4);

static bool fail(Ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(c, NULL, fmt, ap);
    va_end(ap);
    return false;
}

static bool fail_at(Ctx *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(c, key, fmt, ap);
    va_end(ap);
    return false;
}

static StrId intern(Ctx *c, const char *s)
{
    return strpool_intern(c->w->strings, s);
}

static const char *str(const Ctx *c, StrId id)
{
    return strpool_get(c->w->strings, id);
}

/* ==== small text helpers ===================================================================== */

static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_alpha(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static char to_lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
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

/* Levenshtein distance for "did you mean" hints; strings longer than 64 bytes are never close. */
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
            size_t sub = prev + (to_lower(a[i - 1]) != to_lower(b[j - 1]));
            size_t del = row[j] + 1, ins = row[j - 1] + 1;
            prev = row[j];
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    }
    return row[m];
}

/* Keeps the closest candidate seen so far (distance <= 2 and shorter than the candidate). */
typedef struct {
    const char *best;
    size_t dist;
} Closest;

static void closest_offer(Closest *cl, const char *want, const char *candidate)
{
    size_t d = edit_distance(want, candidate);
    if (d <= 2 && d < strlen(candidate) && d < cl->dist) {
        cl->best = candidate;
        cl->dist = d;
    }
}

/* " (did you mean \"x\"?)" or "" */
static const char *closest_hint(const Closest *cl, char *buf, size_t size)
{
    if (!cl->best) {
        return "";
    }
    snprintf(buf, size, " (did you mean \"%s\"?)", cl->best);
    return buf;
}

/* Appends `item` to a ", "-separated list in buf, keeping the list under LIST_CHARS; once full,
 * counts the rest in *dropped. */
static void list_add(char *buf, size_t size, const char *item, size_t *dropped)
{
    size_t len = strlen(buf), need = strlen(item) + (len ? 2 : 0);
    size_t limit = size < LIST_CHARS ? size : LIST_CHARS;
    if (*dropped || len + need >= limit) {
        (*dropped)++;
        return;
    }
    snprintf(buf + len, size - len, "%s%s", len ? ", " : "", item);
}

static void list_end(char *buf, size_t size, size_t dropped)
{
    if (dropped) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, ", ... (%zu more)", dropped);
    }
}

static void list_join(char *buf, size_t size, const char *const *items, size_t n)
{
    size_t dropped = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        list_add(buf, size, items[i], &dropped);
    }
    list_end(buf, size, dropped);
}

/* A short description of a JSON value for "got ..." in messages. */
static const char *describe(const cJSON *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "nothing");
    } else if (cJSON_IsString(v) && v->valuestring) {
        size_t n = utf8_cut(v->valuestring, 40);
        snprintf(buf, size, "\"%.*s%s\"", (int)n, v->valuestring, v->valuestring[n] ? "..." : "");
        for (char *p = buf; *p; p++) {
            if (is_control((unsigned char)*p)) {
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

/* "expected <what>, got <value>" at the current path. */
static bool type_error(Ctx *c, const cJSON *v, const char *expected)
{
    char got[64];
    return fail(c, "expected %s, got %s", expected, describe(v, got, sizeof got));
}

/* ==== step 1: the text ======================================================================= */

/* A strict JSON (RFC 8259) syntax checker. It accepts exactly what JSON allows, which cJSON does
 * not quite (it takes "01"), stops at the first problem with its byte offset and a message, and
 * bounds nesting, so its recursion is at most SCENARIO_MAX_DEPTH deep. */
typedef struct {
    const char *s;
    size_t len, pos;
    int depth;
    const char *msg; /* set on failure; pos is then where the problem is */
} Lex;

static bool lex_fail(Lex *x, const char *msg)
{
    x->msg = msg;
    return false;
}

static void lex_space(Lex *x)
{
    while (x->pos < x->len) {
        char ch = x->s[x->pos];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
            return;
        }
        x->pos++;
    }
}

static bool lex_hex4(const char *s)
{
    for (int i = 0; i < 4; i++) {
        char ch = s[i];
        if (!is_digit(ch) && !((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) {
            return false;
        }
    }
    return true;
}

static bool lex_string(Lex *x)
{
    size_t start = x->pos++;
    while (x->pos < x->len) {
        unsigned char ch = (unsigned char)x->s[x->pos];
        if (ch == '"') {
            x->pos++;
            return true;
        }
        if (ch == 0) {
            return lex_fail(x, "a NUL byte; a scenario is a UTF-8 text file");
        }
        if (ch < 0x20) {
            return lex_fail(x, ch == '\n' ? "a line break inside a string: a closing \" missing? "
                                            "(write \\n for a line break)"
                                          : "a control character inside a string; escape it");
        }
        if (ch == '\\') {
            char e = x->pos + 1 < x->len ? x->s[x->pos + 1] : '\0';
            if (e == 'u') {
                if (x->pos + 6 > x->len || !lex_hex4(x->s + x->pos + 2)) {
                    return lex_fail(x, "\\u must be followed by four hex digits");
                }
                x->pos += 6;
                continue;
            }
            if (!e || !strchr("\"\\/bfnrt", e)) {
                return lex_fail(x,
                                "an invalid escape; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                                "and \\uXXXX");
            }
            x->pos += 2;
            continue;
        }
        size_t n = utf8_seq((const unsigned char *)x->s + x->pos, x->len - x->pos);
        if (!n) {
            return lex_fail(x, "bytes that are not valid UTF-8; save the file as UTF-8");
        }
        x->pos += n;
    }
    x->pos = start;
    return lex_fail(x, "a string that is never closed (missing \")");
}

static bool lex_digits(Lex *x)
{
    size_t start = x->pos;
    while (x->pos < x->len && is_digit(x->s[x->pos])) {
        x->pos++;
    }
    return x->pos > start;
}

static bool lex_number(Lex *x)
{
    size_t start = x->pos;
    if (x->s[x->pos] == '-') {
        x->pos++;
    }
    if (x->pos < x->len && x->s[x->pos] == '0') {
        x->pos++;
        if (x->pos < x->len && is_digit(x->s[x->pos])) {
            x->pos = start;
            return lex_fail(x, "a number with a leading zero; JSON numbers do not start with 0");
        }
    } else if (!lex_digits(x)) {
        x->pos = start;
        return lex_fail(x, "an invalid number");
    }
    if (x->pos < x->len && x->s[x->pos] == '.') {
        x->pos++;
        if (!lex_digits(x)) {
            x->pos = start;
            return lex_fail(x, "an invalid number (digits must follow the decimal point)");
        }
    }
    if (x->pos < x->len && (x->s[x->pos] == 'e' || x->s[x->pos] == 'E')) {
        x->pos++;
        if (x->pos < x->len && (x->s[x->pos] == '+' || x->s[x->pos] == '-')) {
            x->pos++;
        }
        if (!lex_digits(x)) {
            x->pos = start;
            return lex_fail(x, "an invalid number (digits must follow the exponent)");
        }
    }
    return true;
}

static bool lex_word(Lex *x)
{
    static const char *const words[] = { "true", "false", "null" };
    for (size_t i = 0; i < COUNT_OF(words); i++) {
        size_t n = strlen(words[i]);
        if (x->len - x->pos >= n && memcmp(x->s + x->pos, words[i], n) == 0 &&
            !(x->pos + n < x->len && is_alpha(x->s[x->pos + n]))) {
            x->pos += n;
            return true;
        }
    }
    return lex_fail(x, "a word that is not a JSON value; strings need double quotes, and the "
                       "only bare words are true, false and null");
}

/* Why a value cannot start at the current character. */
static const char *lex_no_value(const Lex *x)
{
    if (x->pos >= x->len) {
        return "a value is missing (an unclosed { or [?)";
    }
    switch (x->s[x->pos]) {
    case '/': return "a comment; JSON has no comments";
    case '\'': return "a single quote; JSON strings use double quotes";
    case '}':
    case ']': return "a closing bracket where a value should be (a comma too many?)";
    case ',': return "a comma where a value should be (a value missing?)";
    default: return "something that is not a JSON value";
    }
}

static bool lex_value(Lex *x);

/* After a value inside an object or array: why neither ',' nor the closing bracket came. */
static bool lex_missing_separator(Lex *x, char close)
{
    if (x->pos >= x->len) {
        return lex_fail(x, close == '}' ? "an object is still open (a missing }?)"
                                        : "an array is still open (a missing ]?)");
    }
    char ch = x->s[x->pos];
    if (ch == '/') {
        return lex_fail(x, "a comment; JSON has no comments");
    }
    if (ch == '"' || ch == '{' || ch == '[' || ch == '-' || is_digit(ch) || is_alpha(ch)) {
        return lex_fail(x, close == '}' ? "expected ',' or '}' after a value (a missing comma?)"
                                        : "expected ',' or ']' after a value (a missing comma?)");
    }
    return lex_fail(x, close == '}' ? "expected ',' or '}' after a value in an object"
                                    : "expected ',' or ']' after a value in an array");
}

static bool lex_enter(Lex *x)
{
    if (++x->depth > SCENARIO_MAX_DEPTH) {
        return lex_fail(x, "[ and { nested more than 32 deep (the limit for a scenario)");
    }
    x->pos++;
    lex_space(x);
    return true;
}

static bool lex_object(Lex *x)
{
    if (!lex_enter(x)) {
        return false;
    }
    if (x->pos < x->len && x->s[x->pos] == '}') {
        x->pos++;
        x->depth--;
        return true;
    }
    for (;;) {
        if (x->pos >= x->len) {
            return lex_fail(x, "an object is still open (a missing }?)");
        }
        char ch = x->s[x->pos];
        if (ch == '}') {
            return lex_fail(x, "a comma before '}'; JSON allows no comma after the last member");
        }
        if (ch != '"') {
            return lex_fail(x, ch == '\''  ? "a single quote; JSON keys use double quotes"
                               : ch == '/' ? "a comment; JSON has no comments"
                                           : "expected a key in double quotes");
        }
        if (!lex_string(x)) {
            return false;
        }
        lex_space(x);
        if (x->pos >= x->len || x->s[x->pos] != ':') {
            return lex_fail(x, "expected ':' after the key");
        }
        x->pos++;
        lex_space(x);
        if (!lex_value(x)) {
            return false;
        }
        lex_space(x);
        if (x->pos < x->len && x->s[x->pos] == '}') {
            x->pos++;
            x->depth--;
            return true;
        }
        if (x->pos >= x->len || x->s[x->pos] != ',') {
            return lex_missing_separator(x, '}');
        }
        x->pos++;
        lex_space(x);
    }
}

static bool lex_array(Lex *x)
{
    if (!lex_enter(x)) {
        return false;
    }
    if (x->pos < x->len && x->s[x->pos] == ']') {
        x->pos++;
        x->depth--;
        return true;
    }
    for (;;) {
        if (!lex_value(x)) {
            return false;
        }
        lex_space(x);
        if (x->pos < x->len && x->s[x->pos] == ']') {
            x->pos++;
            x->depth--;
            return true;
        }
        if (x->pos >= x->len || x->s[x->pos] != ',') {
            return lex_missing_separator(x, ']');
        }
        x->pos++;
        lex_space(x);
    }
}

static bool lex_value(Lex *x)
{
    if (x->pos >= x->len) {
        return lex_fail(x, lex_no_value(x));
    }
    char ch = x->s[x->pos];
    if (ch == '{') {
        return lex_object(x);
    }
    if (ch == '[') {
        return lex_array(x);
    }
    if (ch == '"') {
        return lex_string(x);
    }
    if (ch == '-' || is_digit(ch)) {
        return lex_number(x);
    }
    if (is_alpha(ch)) {
        return lex_word(x);
    }
    return lex_fail(x, lex_no_value(x));
}

/* Checks the whole text; on failure x->pos and x->msg say where and what. A NUL byte or bad
 * UTF-8 outside strings fails as "not a JSON value", so those are looked for first. */
static bool lex_document(Lex *x)
{
    size_t skip = x->len >= 3 && memcmp(x->s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* UTF-8 BOM */
    x->pos = skip;
    for (size_t i = skip; i < x->len; i++) {
        if (x->s[i] == '\0') {
            x->pos = i;
            return lex_fail(x, "a NUL byte; a scenario is a UTF-8 text file");
        }
    }
    lex_space(x);
    if (!lex_value(x)) {
        return false;
    }
    lex_space(x);
    if (x->pos < x->len) {
        return lex_fail(x, x->s[x->pos] == '/' ? "a comment; JSON has no comments"
                                               : "more text after the end of the JSON document");
    }
    return true;
}

/* 1-based line and column (in characters, not bytes) of byte offset `pos`. */
static void line_col(const char *s, size_t pos, unsigned long *line, unsigned long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static void syntax_error(Error *err, const char *file, const char *s, size_t len, size_t pos,
                         const char *msg)
{
    unsigned long line, col;
    char where[48], near[64];
    line_col(s, pos, &line, &col);
    snprintf(where, sizeof where, "line %lu:%lu", line, col);
    /* Up to 24 bytes of the line from pos, not cut inside a UTF-8 sequence; a NUL byte is part of
     * the excerpt (shown as '?' below), not its end. */
    size_t n = 0;
    while (pos + n < len && n < 24 && s[pos + n] != '\n' && s[pos + n] != '\r') {
        n++;
    }
    while (n > 0 && pos + n < len && ((unsigned char)s[pos + n] & 0xC0) == 0x80) {
        n--;
    }
    if (pos >= len) {
        error_set(err, file, where, "JSON syntax error at the end of the file: %s", msg);
        return;
    }
    if (n == 0) {
        error_set(err, file, where, "JSON syntax error at the end of the line: %s", msg);
        return;
    }
    /* The excerpt is shown as it is, except control characters and bytes that are not UTF-8,
     * which become '?' so that the message itself stays printable UTF-8. */
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < sizeof near;) {
        size_t seq = utf8_seq((const unsigned char *)s + pos + i, n - i);
        if (seq == 0 || (seq == 1 && is_control((unsigned char)s[pos + i]))) {
            near[k++] = '?';
            i++;
            continue;
        }
        memcpy(near + k, s + pos + i, seq);
        k += seq;
        i += seq;
    }
    near[k] = '\0';
    error_set(err, file, where, "JSON syntax error near '%s': %s", near, msg);
}

/* Parses text (NUL-terminated at text[len]) into a cJSON tree, or NULL with err set. */
static cJSON *parse_json(const char *text, size_t len, const char *file, Error *err)
{
    Lex x = { .s = text, .len = len };
    size_t i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && strchr(" \t\r\n", text[i])) {
        i++;
    }
    if (i == len) {
        error_set(err, file, "",
                  "the file is empty; a scenario is a JSON object "
                  "{ \"mailsim\": 1, \"title\": ..., \"nodes\": [...] }");
        return NULL;
    }
    if (!lex_document(&x)) {
        syntax_error(err, file, text, len, x.pos, x.msg);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (!root) {
        /* Our checker accepted it; cJSON refuses, e.g. a \u escape naming half a surrogate
         * pair. Its offset is the best place we have. */
        size_t pos = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        syntax_error(err, file, text, len, pos,
                     "a value the JSON reader cannot decode "
                     "(an unpaired \\uD800-\\uDFFF escape?)");
    }
    return root;
}

/* ==== value readers ========================================================================== */
/* Each val_* reads the value at the current path; each get_* looks a key up in an object, and
 * when present reads it with the key pushed on the path. An absent key leaves *out alone, which
 * is how defaults survive. */

static const cJSON *field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const cJSON *enter(Ctx *c, const cJSON *obj, const char *key, size_t *mark)
{
    const cJSON *v = field(obj, key);
    *mark = v ? path_key(c, key) : c->path_len;
    return v;
}

static bool need(Ctx *c, const cJSON *obj, const char *key, const char *why)
{
    if (field(obj, key)) {
        return true;
    }
    return fail(c, "missing required key \"%s\" (%s)", key, why);
}

static bool want_object(Ctx *c, const cJSON *v)
{
    return cJSON_IsObject(v) || type_error(c, v, "an object { ... }");
}

/* Checks that v is an array of min..max elements; `what` names the elements. */
static bool want_array(Ctx *c, const cJSON *v, size_t min, size_t max, const char *what)
{
    if (!cJSON_IsArray(v)) {
        char expected[96];
        snprintf(expected, sizeof expected, "an array [ ... ] of %s", what);
        return type_error(c, v, expected);
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (n < min && n == 0) {
        return fail(c, "expected a non-empty array of %s, got []", what);
    }
    if (n < min) {
        return fail(c, "expected at least %zu %s, got %zu", min, what, n);
    }
    if (n > max) {
        return fail(c, "%zu %s; the limit is %zu", n, what, max);
    }
    return true;
}

/* Rejects keys not in `allowed` (with a "did you mean" hint) and keys given twice. `noun` is
 * "key" or "rule"; `what`, when non-NULL, names the object ("a client node"). */
static bool check_keys(Ctx *c, const cJSON *obj, const char *const *allowed, size_t n,
                       const char *noun, const char *what)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        size_t i = 0;
        while (i < n && strcmp(k->string, allowed[i]) != 0) {
            i++;
        }
        if (i == n) {
            char list[LIST_CHARS + 32], hint[96], for_what[64] = "";
            Closest cl = { NULL, SIZE_MAX };
            for (size_t j = 0; j < n; j++) {
                closest_offer(&cl, k->string, allowed[j]);
            }
            list_join(list, sizeof list, allowed, n);
            if (what) {
                snprintf(for_what, sizeof for_what, " for %s", what);
            }
            return fail_at(c, k->string, "unknown %s \"%.64s\"%s%s; expected one of: %s", noun,
                           k->string, for_what, closest_hint(&cl, hint, sizeof hint), list);
        }
        for (const cJSON *p = obj->child; p != k; p = p->next) {
            if (strcmp(p->string, k->string) == 0) {
                return fail_at(c, k->string, "duplicate key \"%s\"; each key may appear once",
                               k->string);
            }
        }
    }
    return true;
}

static bool val_text(Ctx *c, const cJSON *v, bool nonempty, const char **out)
{
    if (!cJSON_IsString(v) || !v->valuestring) {
        return type_error(c, v, nonempty ? "a non-empty string" : "a string");
    }
    size_t len = strlen(v->valuestring);
    if (len > SCENARIO_MAX_STRING_BYTES) {
        return fail(c, "a string of %zu bytes; the limit is %u bytes (64 KiB)", len,
                    SCENARIO_MAX_STRING_BYTES);
    }
    if (nonempty && len == 0) {
        return type_error(c, v, "a non-empty string");
    }
    *out = v->valuestring;
    return true;
}

static bool val_bool(Ctx *c, const cJSON *v, bool *out)
{
    if (!cJSON_IsBool(v)) {
        return type_error(c, v, "true or false");
    }
    *out = cJSON_IsTrue(v);
    return true;
}

static bool is_finite_number(const cJSON *v)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble);
}

/* A duration in `unit` (us_per_unit microseconds each) -> microseconds, rounded to nearest.
 * Never negative, never above SCENARIO_MAX_DAYS; `positive` also refuses 0. */
static bool val_duration(Ctx *c, const cJSON *v, int64_t us_per_unit, const char *unit,
                         bool positive, int64_t *out)
{
    char expected[64], got[64];
    snprintf(expected, sizeof expected, "a number of %s %s 0", unit, positive ? ">" : ">=");
    if (!is_finite_number(v) || v->valuedouble < 0 || (positive && v->valuedouble <= 0)) {
        return type_error(c, v, expected);
    }
    double max_units = (double)MAX_US / (double)us_per_unit;
    if (v->valuedouble > max_units) {
        return fail(c, "expected at most %.15g %s (%d days), got %s", max_units, unit,
                    SCENARIO_MAX_DAYS, describe(v, got, sizeof got));
    }
    int64_t us = (int64_t)llround(v->valuedouble * (double)us_per_unit);
    if (positive && us < 1) {
        return fail(c, "expected %s, got %s, which is less than a microsecond", expected,
                    describe(v, got, sizeof got));
    }
    *out = us;
    return true;
}

static bool val_int(Ctx *c, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
    char expected[96];
    bool above = is_finite_number(v) && v->valuedouble > (double)max;
    if (max == MAX_SAFE_INT && !above) {
        snprintf(expected, sizeof expected, "an integer >= %lld", (long long)min);
    } else {
        snprintf(expected, sizeof expected, "an integer from %lld to %lld", (long long)min,
                 (long long)max);
    }
    if (!is_finite_number(v) || floor(v->valuedouble) != v->valuedouble ||
        v->valuedouble < (double)min || v->valuedouble > (double)max) {
        return type_error(c, v, expected);
    }
    *out = (int64_t)v->valuedouble;
    return true;
}

/* A spam score in points -> thousandths. */
static bool val_score(Ctx *c, const cJSON *v, int32_t *milli)
{
    if (!is_finite_number(v) || v->valuedouble < -100 || v->valuedouble > 100) {
        return type_error(c, v, "a score from -100 to 100");
    }
    *milli = (int32_t)llround(v->valuedouble * 1000);
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
    char list[LIST_CHARS + 32], got[64], hint[96];
    Closest cl = { NULL, SIZE_MAX };
    for (size_t i = 0; i < n && cJSON_IsString(v); i++) {
        closest_offer(&cl, v->valuestring, names[i]);
    }
    list_join(list, sizeof list, names, n);
    return fail(c, "expected one of: %s; got %s%s", list, describe(v, got, sizeof got),
                closest_hint(&cl, hint, sizeof hint));
}

/* Node and message ids: 1-64 visible ASCII characters (no spaces). */
static bool val_id(Ctx *c, const cJSON *v, const char *what, StrId *out)
{
    char expected[96];
    snprintf(expected, sizeof expected, "a %s id: 1 to 64 visible ASCII characters, no spaces",
             what);
    if (!cJSON_IsString(v) || !v->valuestring) {
        return type_error(c, v, expected);
    }
    const char *s = v->valuestring;
    size_t len = strlen(s);
    bool ok = len >= 1 && len <= 64;
    for (size_t i = 0; ok && i < len; i++) {
        ok = s[i] > 0x20 && s[i] < 0x7F;
    }
    if (!ok) {
        return type_error(c, v, expected);
    }
    *out = intern(c, s);
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
        } else if (is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '_') {
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
        return type_error(c, v, expected);
    }
    char buf[256];
    size_t len = strlen(v->valuestring);
    if (len > 0 && v->valuestring[len - 1] == '.') {
        len--;
    }
    if (len >= sizeof buf || !domain_ok(v->valuestring, len) ||
        (single_label && memchr(v->valuestring, '.', len))) {
        return type_error(c, v, expected);
    }
    for (size_t i = 0; i < len; i++) {
        buf[i] = to_lower(v->valuestring[i]);
    }
    buf[len] = '\0';
    *out = intern(c, buf);
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
                      : !(ch >= 0x80 || is_alpha(ch) || is_digit(ch) ||
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
        return type_error(c, v, "an e-mail address such as \"bob@b.example\"");
    }
    char why[96], got[64];
    const char *problem = address_problem(v->valuestring, why, sizeof why);
    if (problem) {
        return fail(c, "expected an e-mail address such as \"bob@b.example\", got %s: %s",
                    describe(v, got, sizeof got), problem);
    }
    char buf[256];
    size_t len = strlen(v->valuestring);
    memcpy(buf, v->valuestring, len + 1);
    for (char *p = strchr(buf, '@'); *p; p++) {
        *p = to_lower(*p);
    }
    *out = intern(c, buf);
    return true;
}

static bool val_ip(Ctx *c, const cJSON *v, uint32_t *out)
{
    uint32_t ip = 0;
    if (!cJSON_IsString(v) || !v->valuestring || !world_parse_ip(v->valuestring, &ip) || !ip) {
        return type_error(c, v, "an IPv4 address such as \"203.0.113.25\"");
    }
    *out = ip;
    return true;
}

static const char *kind_article(NodeKind k)
{
    return k == NODE_OUTGOING || k == NODE_INCOMING ? "an" : "a";
}

/* "a resolver", "a filter or store", "an outgoing, incoming, ... or store" */
static void kinds_phrase(unsigned mask, char *buf, size_t size)
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
        snprintf(buf + len, size - len, "%s%s%s%s", sep, seen == 0 ? kind_article(k) : "",
                 seen == 0 ? " " : "", trace_node_kind_name(k));
        seen++;
    }
    if (count > 1) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, " node");
    }
}

/* "resolver nodes", "outgoing, incoming or store nodes" */
static void kinds_plural(unsigned mask, char *buf, size_t size)
{
    size_t count = 0, seen = 0;
    for (int k = 0; k < NODE_KIND_COUNT; k++) {
        count += (mask & KIND_BIT(k)) != 0;
    }
    buf[0] = '\0';
    for (int k = 0; k < NODE_KIND_COUNT; k++) {
        if (mask & KIND_BIT(k)) {
            size_t len = strlen(buf);
            const char *sep = seen == 0 ? "" : seen + 1 == count ? " or " : ", ";
            snprintf(buf + len, size - len, "%s%s", sep, trace_node_kind_name(k));
            seen++;
        }
    }
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, " nodes");
}

/* A reference to a node whose kind is in `mask`. */
static bool val_node(Ctx *c, const cJSON *v, unsigned mask, int32_t *out)
{
    const World *w = c->w;
    char kinds[96];
    kinds_phrase(mask, kinds, sizeof kinds);
    if (!cJSON_IsString(v) || !v->valuestring) {
        char expected[128];
        snprintf(expected, sizeof expected, "the id of %s node", kinds);
        return type_error(c, v, expected);
    }
    StrId id = strpool_find(w->strings, v->valuestring);
    int32_t n = idmap_get(&c->nodes, id);
    if (n >= 0 && (mask & KIND_BIT(w->nodes[n].kind))) {
        *out = n;
        return true;
    }
    if (n >= 0) {
        NodeKind k = w->nodes[n].kind;
        return fail(c, "node \"%s\" is %s %s, expected %s", v->valuestring, kind_article(k),
                    trace_node_kind_name(k), kinds);
    }
    char list[LIST_CHARS + 32] = "", hint[96];
    size_t dropped = 0;
    Closest cl = { NULL, SIZE_MAX };
    for (uint32_t i = 0; i < w->node_count; i++) {
        if (mask & KIND_BIT(w->nodes[i].kind)) {
            list_add(list, sizeof list, str(c, w->nodes[i].name), &dropped);
            closest_offer(&cl, v->valuestring, str(c, w->nodes[i].name));
        }
    }
    list_end(list, sizeof list, dropped);
    closest_hint(&cl, hint, sizeof hint);
    char plural[128] = "nodes";
    if (mask != ANY_NODE) {
        kinds_plural(mask, plural, sizeof plural);
    }
    if (!list[0]) {
        return fail(c, "node \"%.64s\" is not defined, and there are no %s", v->valuestring,
                    plural);
    }
    return fail(c, "node \"%.64s\" is not defined%s; defined %s: %s", v->valuestring,
                cl.best ? hint : "", plural, list);
}

/* If s is "<id>.<k>", the id of copy k of a one-per-recipient message defined so far, that
 * message's index; else -1. */
static int32_t copy_of(Ctx *c, const char *s)
{
    const char *dot = strrchr(s, '.');
    if (!dot || dot == s || dot[1] < '1' || dot[1] > '9' || dot - s >= 256) {
        return -1;
    }
    uint64_t k = 0;
    for (const char *p = dot + 1; *p; p++) {
        if (*p < '0' || *p > '9' || k > SCENARIO_MAX_RECIPIENTS) {
            return -1;
        }
        k = k * 10 + (uint64_t)(*p - '0');
    }
    char prefix[256];
    memcpy(prefix, s, (size_t)(dot - s));
    prefix[dot - s] = '\0';
    StrId id = strpool_find(c->w->strings, prefix);
    int32_t spec = idmap_get(&c->specs, id);
    return spec >= 0 && c->w->specs[spec].one_per_recipient && k <= c->w->specs[spec].to_count
               ? spec
               : -1;
}

/* A message id that a user action or caption may refer to: one defined in "messages", a copy
 * of a mailing ("<id>.<k>"), or a bounce's "<id>-dsn" (bounces are created by the run, so they
 * cannot be checked here). */
static bool val_msg_ref(Ctx *c, const cJSON *v, StrId *out)
{
    const char *s = ""; /* val_text sets it on success; gcc -O3 cannot see that */
    if (!val_text(c, v, true, &s)) {
        return false;
    }
    StrId id = strpool_find(c->w->strings, s);
    if (ends_with(s, "-dsn") || idmap_get(&c->specs, id) >= 0 ||
        copy_of(c, s) >= 0) {
        *out = intern(c, s);
        return true;
    }
    char list[LIST_CHARS + 32] = "", hint[96];
    size_t dropped = 0;
    Closest cl = { NULL, SIZE_MAX };
    for (uint32_t i = 0; i < c->w->spec_count; i++) {
        list_add(list, sizeof list, str(c, c->w->specs[i].id), &dropped);
        closest_offer(&cl, s, str(c, c->w->specs[i].id));
    }
    list_end(list, sizeof list, dropped);
    if (!list[0]) {
        return fail(c, "message \"%.64s\" is not defined, and \"messages\" defines none", s);
    }
    return fail(c, "message \"%.64s\" is not defined%s; defined messages: %s", s,
                closest_hint(&cl, hint, sizeof hint), list);
}

/* The address of a client that reads a store (the user of mark_spam, delete, fetch). */
static bool val_user(Ctx *c, const cJSON *v, StrId *out)
{
    StrId addr;
    if (!val_address(c, v, &addr)) {
        return false;
    }
    int32_t n = idmap_get(&c->clients, addr);
    if (n < 0) {
        char list[LIST_CHARS + 32] = "";
        size_t dropped = 0;
        for (uint32_t i = 0; i < c->w->node_count; i++) {
            if (c->w->nodes[i].kind == NODE_CLIENT) {
                list_add(list, sizeof list, str(c, c->w->nodes[i].u.client.address), &dropped);
            }
        }
        list_end(list, sizeof list, dropped);
        return fail(c, "no client has the address %s; client addresses: %s", str(c, addr),
                    list[0] ? list : "(none)");
    }
    if (c->w->nodes[n].u.client.store < 0) {
        return fail(c, "client \"%s\" (%s) has no \"store\", so it has no mailbox to act on",
                    str(c, c->w->nodes[n].name), str(c, addr));
    }
    *out = addr;
    return true;
}

/* ---- get_*: the same, for an optional key of an object ---- */

static bool get_text(Ctx *c, const cJSON *obj, const char *key, bool nonempty, StrId *out)
{
    size_t m;
    const char *s = NULL;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_text(c, v, nonempty, &s);
    if (ok && s) {
        *out = intern(c, s);
    }
    path_pop(c, m);
    return ok;
}

static bool get_bool(Ctx *c, const cJSON *obj, const char *key, bool *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_bool(c, v, out);
    path_pop(c, m);
    return ok;
}

static bool get_seconds(Ctx *c, const cJSON *obj, const char *key, bool positive, int64_t *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_duration(c, v, US_PER_S, "seconds", positive, out);
    path_pop(c, m);
    return ok;
}

static bool get_ms(Ctx *c, const cJSON *obj, const char *key, int64_t *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_duration(c, v, US_PER_MS, "milliseconds", false, out);
    path_pop(c, m);
    return ok;
}

static bool get_int(Ctx *c, const cJSON *obj, const char *key, int64_t min, int64_t max,
                    int64_t *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_int(c, v, min, max, out);
    path_pop(c, m);
    return ok;
}

static bool get_u32(Ctx *c, const cJSON *obj, const char *key, int64_t min, int64_t max,
                    uint32_t *out)
{
    int64_t x = *out;
    if (!get_int(c, obj, key, min, max, &x)) {
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

static bool get_score(Ctx *c, const cJSON *obj, const char *key, int32_t *milli)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_score(c, v, milli);
    path_pop(c, m);
    return ok;
}

static bool get_enum(Ctx *c, const cJSON *obj, const char *key, const char *const *names, size_t n,
                     int *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_enum(c, v, names, n, out);
    path_pop(c, m);
    return ok;
}

static bool get_node(Ctx *c, const cJSON *obj, const char *key, unsigned mask, int32_t *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_node(c, v, mask, out);
    path_pop(c, m);
    return ok;
}

static bool get_name(Ctx *c, const cJSON *obj, const char *key, StrId *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_name(c, v, false, out);
    path_pop(c, m);
    return ok;
}

static bool get_address(Ctx *c, const cJSON *obj, const char *key, StrId *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_address(c, v, out);
    path_pop(c, m);
    return ok;
}

static bool get_ip(Ctx *c, const cJSON *obj, const char *key, uint32_t *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_ip(c, v, out);
    path_pop(c, m);
    return ok;
}

static bool get_msg_ref(Ctx *c, const cJSON *obj, const char *key, StrId *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_msg_ref(c, v, out);
    path_pop(c, m);
    return ok;
}

static bool get_user(Ctx *c, const cJSON *obj, const char *key, StrId *out)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = !v || val_user(c, v, out);
    path_pop(c, m);
    return ok;
}

/* An array of domain names (or, with single_label, TLDs). The array is handed to *arr at once,
 * and *count grows as names are read, so the World frees it whatever happens. */
static bool get_names(Ctx *c, const cJSON *obj, const char *key, bool single_label, StrId **arr,
                      uint32_t *count)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    if (!v) {
        return true;
    }
    bool ok = want_array(c, v, 0, SIZE_MAX, single_label ? "top-level domains" : "domain names");
    if (ok) {
        free(*arr);
        *arr = xmalloc(sizeof **arr * ((size_t)cJSON_GetArraySize(v) + 1));
        *count = 0;
    }
    size_t i = 0;
    for (const cJSON *e = ok ? v->child : NULL; e && ok; e = e->next, i++) {
        size_t mi = path_index(c, i);
        ok = val_name(c, e, single_label, &(*arr)[*count]);
        *count += ok;
        path_pop(c, mi);
    }
    path_pop(c, m);
    return ok;
}

/* A time at which something happens must fall inside the run. */
static bool check_in_horizon(Ctx *c, const char *key, int64_t at_us)
{
    if (at_us <= c->w->horizon_us) {
        return true;
    }
    return fail_at(c, key,
                   "%.15g s is after the end of the run (horizon_s = %.15g s); move it "
                   "earlier or raise \"horizon_s\"",
                   (double)at_us / US_PER_S, (double)c->w->horizon_us / US_PER_S);
}

/* ==== step 2: the objects ==================================================================== */

/* Runs `parse` on each element of the array at root[key] (absent = nothing to do). */
static bool parse_each(Ctx *c, const cJSON *root, const char *key, size_t max, const char *what,
                       bool (*parse)(Ctx *, const cJSON *, size_t))
{
    size_t m;
    const cJSON *v = enter(c, root, key, &m);
    bool ok = !v || want_array(c, v, 0, max, what);
    size_t i = 0;
    for (const cJSON *e = v && ok ? v->child : NULL; e && ok; e = e->next, i++) {
        size_t mi = path_index(c, i);
        ok = parse(c, e, i);
        path_pop(c, mi);
    }
    path_pop(c, m);
    return ok;
}

/* ---- network and links ---- */

/* Mbit/s -> bit/s; 1 bit/s .. 1 Tbit/s. */
static bool get_bandwidth(Ctx *c, const cJSON *obj, const char *key, int64_t *bps)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = true;
    if (v) {
        ok = is_finite_number(v) && v->valuedouble > 0 && v->valuedouble <= 1e6 &&
             llround(v->valuedouble * 1e6) >= 1;
        if (ok) {
            *bps = (int64_t)llround(v->valuedouble * 1e6);
        } else {
            type_error(c, v, "a bandwidth in Mbit/s > 0 and <= 1000000");
        }
    }
    path_pop(c, m);
    return ok;
}

static const char *const LINK_KEYS[] = { "between", "latency_ms", "bandwidth_mbps", "jitter_ms" };

/* The link figures shared by "network" and each of "links". */
static bool parse_link_figures(Ctx *c, const cJSON *obj, WorldLink *l)
{
    return get_ms(c, obj, "latency_ms", &l->latency_us) &&
           get_bandwidth(c, obj, "bandwidth_mbps", &l->bandwidth_bps) &&
           get_ms(c, obj, "jitter_ms", &l->jitter_us);
}

static bool parse_network(Ctx *c, const cJSON *root)
{
    size_t m;
    const cJSON *v = enter(c, root, "network", &m);
    bool ok = !v || (want_object(c, v) &&
                     check_keys(c, v, LINK_KEYS + 1, COUNT_OF(LINK_KEYS) - 1, "key", NULL) &&
                     parse_link_figures(c, v, &c->w->default_link));
    path_pop(c, m);
    return ok;
}

static bool parse_link(Ctx *c, const cJSON *v, size_t index)
{
    World *w = c->w;
    (void)index;
    if (!want_object(c, v) || !check_keys(c, v, LINK_KEYS, COUNT_OF(LINK_KEYS), "key", NULL) ||
        !need(c, v, "between", "the two node ids the link joins, [\"a\", \"b\"]")) {
        return false;
    }
    size_t m = path_key(c, "between");
    const cJSON *between = field(v, "between");
    int32_t end[2] = { -1, -1 };
    bool ok = cJSON_IsArray(between) && cJSON_GetArraySize(between) == 2;
    if (!ok) {
        type_error(c, between, "two node ids [\"a\", \"b\"]");
    }
    for (int i = 0; ok && i < 2; i++) {
        size_t mi = path_index(c, (size_t)i);
        ok = val_node(c, cJSON_GetArrayItem(between, i), ANY_NODE, &end[i]);
        path_pop(c, mi);
    }
    if (ok && end[0] == end[1]) {
        ok = fail(c, "a link joins two different nodes; both ends are \"%s\"",
                  str(c, w->nodes[end[0]].name));
    }
    int64_t before = ok ? pairmap_get(&c->links, end[0], end[1]) : -1;
    if (before >= 0) {
        ok = fail(c, "the link between \"%s\" and \"%s\" is already defined at $.links[%u]",
                  str(c, w->nodes[end[0]].name), str(c, w->nodes[end[1]].name),
                  (unsigned)before);
    }
    path_pop(c, m);
    if (!ok) {
        return false;
    }
    pairmap_add(&c->links, end[0], end[1], w->link_count);
    WorldLink *l = world_add_link(w); /* starts as a copy of the "network" defaults */
    l->a = end[0];
    l->b = end[1];
    return parse_link_figures(c, v, l);
}

/* ---- nodes ---- */

static const char *const CLIENT_KEYS[] = { "id",    "kind",    "label",  "ip",
                                           "pos",   "address", "name",   "submit_to",
                                           "store", "poll_s",  "access", "idle",
                                           "submit" };
static const char *const OUTGOING_KEYS[] = {
    "id",         "kind",         "label", "ip",
    "pos",        "resolver",     "retry", "connect_timeout_s",
    "process_ms", "max_mx_tries", "rdns",  "local_domains",
    "local_store"
};
static const char *const RESOLVER_KEYS[] = { "id",        "kind",          "label",  "ip",
                                             "pos",       "cache",         "hit_ms", "miss_ms",
                                             "timeout_s", "negative_ttl_s" };
static const char *const INCOMING_KEYS[] = {
    "id",           "kind",        "label",    "ip",        "pos",      "domains",
    "store",        "filter",      "resolver", "dnsbl",     "greylist", "message_size_limit",
    "quota_policy", "concurrency", "backlog",  "process_ms"
};
static const char *const FILTER_KEYS[] = {
    "id",       "kind",      "label",          "ip",
    "pos",      "store",     "required_score", "scores",
    "scan_ms",  "max_links", "uribl",          "suspicious_tlds",
    "sbl_zone", "resolver",  "bayes"
};
static const char *const STORE_KEYS[] = { "id",  "kind",      "label",     "ip",
                                          "pos", "mailboxes", "deliver_ms" };

typedef struct {
    const char *const *keys;
    size_t count;
} KeySet;

#define KEYSET(a)                                                                                  \
    {                                                                                              \
        a, COUNT_OF(a)                                                                             \
    }

static const KeySet NODE_KEYS[NODE_KIND_COUNT] = {
    KEYSET(CLIENT_KEYS),   KEYSET(OUTGOING_KEYS), KEYSET(RESOLVER_KEYS),
    KEYSET(INCOMING_KEYS), KEYSET(FILTER_KEYS),   KEYSET(STORE_KEYS),
};

/* Pass 1: the node's id and kind, so that every node can be referred to in pass 2. */
static bool declare_node(Ctx *c, const cJSON *v, size_t i)
{
    const char *kinds[NODE_KIND_COUNT];
    for (int k = 0; k < NODE_KIND_COUNT; k++) {
        kinds[k] = trace_node_kind_name(k);
    }
    StrId id = STR_EMPTY;
    int kind = 0;
    if (!want_object(c, v) ||
        !need(c, v, "id", "a unique name for the node, such as its host name") ||
        !need(c, v, "kind", "client, outgoing, resolver, incoming, filter or store")) {
        return false;
    }
    size_t m = path_key(c, "id");
    bool ok = val_id(c, field(v, "id"), "node", &id);
    path_pop(c, m);
    if (!ok || !get_enum(c, v, "kind", kinds, NODE_KIND_COUNT, &kind)) {
        return false;
    }
    int32_t prev = idmap_get(&c->nodes, id);
    if (prev >= 0) {
        return fail_at(c, "id", "duplicate node id \"%s\"; $.nodes[%d] already uses it", str(c, id),
                       prev);
    }
    int32_t n = world_add_node(c->w, (NodeKind)kind, id);
    (void)i; /* nodes are added in file order, so n == i */
    idmap_set(&c->nodes, id, n);
    return true;
}

static bool parse_pos(Ctx *c, const cJSON *obj, WorldNode *n)
{
    size_t m;
    const cJSON *v = enter(c, obj, "pos", &m);
    bool ok = true;
    if (v) {
        const cJSON *x = cJSON_GetArrayItem(v, 0), *y = cJSON_GetArrayItem(v, 1);
        ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2 && is_finite_number(x) &&
             is_finite_number(y) && x->valuedouble >= 0 && x->valuedouble <= 1 &&
             y->valuedouble >= 0 && y->valuedouble <= 1;
        if (ok) {
            n->has_pos = true;
            n->x = (float)x->valuedouble;
            n->y = (float)y->valuedouble;
        } else {
            type_error(c, v, "[x, y] with both numbers from 0 to 1");
        }
    }
    path_pop(c, m);
    return ok;
}

static bool parse_client(Ctx *c, const cJSON *v, int32_t self)
{
    static const char *const access[] = { "imap", "pop3" };
    static const char *const submit[] = { "smtp", "pickup" };
    ClientCfg *cl = &c->w->nodes[self].u.client;
    int acc = (int)cl->access, sub = cl->pickup ? 1 : 0;
    if (!need(c, v, "address", "the user's e-mail address") ||
        !get_address(c, v, "address", &cl->address)) {
        return false;
    }
    int32_t other = idmap_get(&c->clients, cl->address);
    if (other >= 0) {
        return fail_at(c, "address",
                       "%s is already the address of client \"%s\"; give each "
                       "client its own address",
                       str(c, cl->address), str(c, c->w->nodes[other].name));
    }
    idmap_set(&c->clients, cl->address, self);
    if (!get_text(c, v, "name", false, &cl->display_name) ||
        !get_node(c, v, "submit_to", KIND_BIT(NODE_OUTGOING), &cl->submit_to) ||
        !get_node(c, v, "store", KIND_BIT(NODE_STORE), &cl->store) ||
        !get_seconds(c, v, "poll_s", false, &cl->poll_us) ||
        !get_enum(c, v, "access", access, COUNT_OF(access), &acc) ||
        !get_bool(c, v, "idle", &cl->idle) ||
        !get_enum(c, v, "submit", submit, COUNT_OF(submit), &sub)) {
        return false;
    }
    cl->access = (AccessProto)acc;
    cl->pickup = sub == 1;
    if (cl->pickup && cl->submit_to < 0) {
        return fail_at(c, "submit", "\"pickup\" hands mail to the \"submit_to\" server's own "
                                    "queue; this client has no \"submit_to\"");
    }
    if (cl->submit_to < 0 && cl->store < 0) {
        return fail(c, "a client needs \"submit_to\" (an outgoing server, to send), \"store\" "
                       "(a mail store, to read mail), or both");
    }
    return true;
}

static bool parse_waits(Ctx *c, const cJSON *retry, RetryPolicy *p)
{
    size_t m = path_key(c, "waits_s");
    const cJSON *v = field(retry, "waits_s");
    bool ok = want_array(c, v, 1, RETRY_MAX_FIXED, "waits in seconds");
    size_t i = 0;
    for (const cJSON *e = ok ? v->child : NULL; e && ok; e = e->next, i++) {
        size_t mi = path_index(c, i);
        ok = val_duration(c, e, US_PER_S, "seconds", true, &p->fixed_us[i]);
        path_pop(c, mi);
    }
    p->fixed_count = ok ? (uint32_t)i : 0;
    path_pop(c, m);
    return ok;
}

static bool parse_retry(Ctx *c, const cJSON *obj, RetryPolicy *p)
{
    static const char *const keys[] = { "style",         "queue_run_s", "min_backoff_s",
                                        "max_backoff_s", "lifetime_s",  "delay_warning_s",
                                        "waits_s" };
    static const char *const styles[] = { "postfix", "exim", "fixed" };
    size_t m;
    const cJSON *v = enter(c, obj, "retry", &m);
    int style = RETRY_POSTFIX;
    bool ok = !v || (want_object(c, v) && check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) &&
                     get_enum(c, v, "style", styles, COUNT_OF(styles), &style));
    if (!v || !ok) {
        path_pop(c, m);
        return ok;
    }
    world_retry_defaults(p, (RetryStyle)style);
    ok = get_seconds(c, v, "queue_run_s", true, &p->queue_run_us) &&
         get_seconds(c, v, "min_backoff_s", false, &p->min_backoff_us) &&
         get_seconds(c, v, "max_backoff_s", false, &p->max_backoff_us) &&
         get_seconds(c, v, "lifetime_s", false, &p->lifetime_us) &&
         get_seconds(c, v, "delay_warning_s", false, &p->delay_warning_us);
    if (ok && style == RETRY_FIXED) {
        ok = need(c, v, "waits_s", "the list of waits between tries for style \"fixed\"") &&
             parse_waits(c, v, p);
    } else if (ok && field(v, "waits_s")) {
        ok = fail_at(c, "waits_s",
                     "\"waits_s\" applies only to \"style\": \"fixed\", and this "
                     "retry policy's style is \"%s\"",
                     styles[style]);
    }
    if (ok && p->min_backoff_us > p->max_backoff_us) {
        ok = fail_at(c, "min_backoff_s",
                     "min_backoff_s (%.15g s) is larger than max_backoff_s "
                     "(%.15g s); expected min_backoff_s <= max_backoff_s",
                     (double)p->min_backoff_us / US_PER_S, (double)p->max_backoff_us / US_PER_S);
    }
    path_pop(c, m);
    return ok;
}

static bool parse_outgoing(Ctx *c, const cJSON *v, int32_t self)
{
    OutgoingCfg *o = &c->w->nodes[self].u.out;
    if (!need(c, v, "resolver", "the resolver node this server asks for MX and A records") ||
        !get_node(c, v, "resolver", KIND_BIT(NODE_RESOLVER), &o->resolver) ||
        !parse_retry(c, v, &o->retry) ||
        !get_seconds(c, v, "connect_timeout_s", true, &o->connect_timeout_us) ||
        !get_ms(c, v, "process_ms", &o->process_us) ||
        !get_u32(c, v, "max_mx_tries", 1, 10, &o->max_mx_tries) ||
        !get_bool(c, v, "rdns", &o->rdns) ||
        !get_names(c, v, "local_domains", false, &o->local_domains, &o->local_domain_count) ||
        !get_node(c, v, "local_store", KIND_BIT(NODE_STORE), &o->local_store)) {
        return false;
    }
    if (o->local_domain_count > 0 && o->local_store < 0) {
        return need(c, v, "local_store",
                    "the store node that receives mail for "
                    "\"local_domains\"");
    }
    return true;
}

/* [min, max] in milliseconds, min <= max. */
static bool get_ms_range(Ctx *c, const cJSON *obj, const char *key, int64_t *lo, int64_t *hi)
{
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = true;
    if (v) {
        int64_t a = 0, b = 0;
        ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2;
        for (int i = 0; ok && i < 2; i++) {
            size_t mi = path_index(c, (size_t)i);
            ok = val_duration(c, cJSON_GetArrayItem(v, i), US_PER_MS, "milliseconds", false,
                              i ? &b : &a);
            path_pop(c, mi);
        }
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) {
            type_error(c, v, "[min, max] in milliseconds");
        } else if (ok && a > b) {
            ok = fail(c, "expected [min, max] with min <= max, got min %.15g ms > max %.15g ms",
                      (double)a / US_PER_MS, (double)b / US_PER_MS);
        }
        if (ok) {
            *lo = a;
            *hi = b;
        }
    }
    path_pop(c, m);
    return ok;
}

static bool parse_resolver(Ctx *c, const cJSON *v, int32_t self)
{
    ResolverCfg *r = &c->w->nodes[self].u.res;
    return get_bool(c, v, "cache", &r->cache) &&
           get_ms_range(c, v, "hit_ms", &r->hit_min_us, &r->hit_max_us) &&
           get_ms_range(c, v, "miss_ms", &r->miss_min_us, &r->miss_max_us) &&
           get_seconds(c, v, "timeout_s", true, &r->timeout_us) &&
           get_seconds(c, v, "negative_ttl_s", false, &r->negative_ttl_us);
}

static bool parse_greylist(Ctx *c, const cJSON *obj, IncomingCfg *in)
{
    static const char *const keys[] = { "delay_s", "max_age_days", "auto_whitelist" };
    size_t m;
    const cJSON *v = enter(c, obj, "greylist", &m);
    bool ok = true;
    if (cJSON_IsBool(v)) {
        in->greylist = cJSON_IsTrue(v);
    } else if (cJSON_IsObject(v)) {
        in->greylist = true;
        size_t ma;
        const cJSON *age;
        ok = check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) &&
             get_seconds(c, v, "delay_s", false, &in->greylist_delay_us) &&
             get_u32(c, v, "auto_whitelist", 0, MAX_COUNT, &in->greylist_auto_whitelist);
        if (ok && (age = enter(c, v, "max_age_days", &ma)) != NULL) {
            ok = val_duration(c, age, 86400 * US_PER_S, "days", true, &in->greylist_max_age_us);
            path_pop(c, ma);
        }
    } else if (v) {
        ok = type_error(c, v,
                        "true, false or an object {\"delay_s\", \"max_age_days\", "
                        "\"auto_whitelist\"}");
    }
    path_pop(c, m);
    return ok;
}

static bool parse_incoming(Ctx *c, const cJSON *v, int32_t self)
{
    static const char *const quota[] = { "temporary", "permanent" };
    IncomingCfg *in = &c->w->nodes[self].u.in;
    int q = (int)in->quota;
    if (!need(c, v, "domains", "the domains this server accepts mail for") ||
        !need(c, v, "store", "the store node that keeps the mail this server accepts") ||
        !get_names(c, v, "domains", false, &in->domains, &in->domain_count)) {
        return false;
    }
    if (in->domain_count == 0) {
        return fail_at(c, "domains", "expected at least one domain name, got none");
    }
    if (!get_node(c, v, "store", KIND_BIT(NODE_STORE), &in->store) ||
        !get_node(c, v, "filter", KIND_BIT(NODE_FILTER), &in->filter) ||
        !get_node(c, v, "resolver", KIND_BIT(NODE_RESOLVER), &in->resolver) ||
        !get_names(c, v, "dnsbl", false, &in->dnsbl, &in->dnsbl_count) ||
        !parse_greylist(c, v, in) ||
        !get_int(c, v, "message_size_limit", 1, MAX_SAFE_INT, &in->size_limit_bytes) ||
        !get_enum(c, v, "quota_policy", quota, COUNT_OF(quota), &q) ||
        !get_u32(c, v, "concurrency", 1, MAX_COUNT, &in->concurrency) ||
        !get_u32(c, v, "backlog", 0, MAX_COUNT, &in->backlog) ||
        !get_ms(c, v, "process_ms", &in->process_us)) {
        return false;
    }
    in->quota = (QuotaPolicy)q;
    if (in->dnsbl_count > 0 && in->resolver < 0) {
        return need(c, v, "resolver", "a resolver node for the look-ups that \"dnsbl\" needs");
    }
    return true;
}

static bool parse_scores(Ctx *c, const cJSON *obj, FilterCfg *f)
{
    size_t m;
    const cJSON *v = enter(c, obj, "scores", &m);
    bool ok =
        !v || (want_object(c, v) && check_keys(c, v, WORLD_RULE_NAMES, RULE_COUNT, "rule", NULL));
    for (int r = 0; v && ok && r < RULE_COUNT; r++) {
        ok = get_score(c, v, WORLD_RULE_NAMES[r], &f->score_milli[r]);
    }
    path_pop(c, m);
    return ok;
}

static bool parse_bayes(Ctx *c, const cJSON *obj, FilterCfg *f)
{
    static const char *const keys[] = { "enabled",   "min_spam",      "min_ham",
                                        "autolearn", "autolearn_ham", "autolearn_spam" };
    size_t m;
    const cJSON *v = enter(c, obj, "bayes", &m);
    bool ok = !v || (want_object(c, v) && check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) &&
                     get_bool(c, v, "enabled", &f->bayes) &&
                     get_u32(c, v, "min_spam", 0, MAX_COUNT, &f->bayes_min_spam) &&
                     get_u32(c, v, "min_ham", 0, MAX_COUNT, &f->bayes_min_ham) &&
                     get_bool(c, v, "autolearn", &f->autolearn) &&
                     get_score(c, v, "autolearn_ham", &f->autolearn_ham_milli) &&
                     get_score(c, v, "autolearn_spam", &f->autolearn_spam_milli));
    if (v && ok && f->autolearn_ham_milli >= f->autolearn_spam_milli) {
        ok = fail_at(c, "autolearn_ham",
                     "autolearn_ham (%.3f) must be below autolearn_spam "
                     "(%.3f)",
                     f->autolearn_ham_milli / 1000.0, f->autolearn_spam_milli / 1000.0);
    }
    path_pop(c, m);
    return ok;
}

/* SpamAssassin's default list is longer; these are the ones a classroom meets. */
static const char *const DEFAULT_SUSPICIOUS_TLDS[] = { "xyz", "top", "click", "loan", "work" };

static bool parse_filter(Ctx *c, const cJSON *v, int32_t self)
{
    FilterCfg *f = &c->w->nodes[self].u.filter;
    if (!need(c, v, "store", "the store node that receives the scanned mail") ||
        !get_node(c, v, "store", KIND_BIT(NODE_STORE), &f->store) ||
        !get_score(c, v, "required_score", &f->required_milli) || !parse_scores(c, v, f) ||
        !get_ms(c, v, "scan_ms", &f->scan_us) ||
        !get_u32(c, v, "max_links", 0, MAX_COUNT, &f->max_links) ||
        !get_names(c, v, "uribl", false, &f->uribl, &f->uribl_count) ||
        !get_name(c, v, "sbl_zone", &f->sbl_zone) ||
        !get_node(c, v, "resolver", KIND_BIT(NODE_RESOLVER), &f->resolver) ||
        !parse_bayes(c, v, f)) {
        return false;
    }
    if (field(v, "suspicious_tlds")) {
        if (!get_names(c, v, "suspicious_tlds", true, &f->bad_tlds, &f->bad_tld_count)) {
            return false;
        }
    } else {
        size_t n = COUNT_OF(DEFAULT_SUSPICIOUS_TLDS);
        f->bad_tlds = xmalloc(sizeof *f->bad_tlds * n);
        for (size_t i = 0; i < n; i++) {
            f->bad_tlds[i] = intern(c, DEFAULT_SUSPICIOUS_TLDS[i]);
        }
        f->bad_tld_count = (uint32_t)n;
    }
    if (f->sbl_zone != STR_EMPTY && f->resolver < 0) {
        return need(c, v, "resolver", "a resolver node for the look-ups that \"sbl_zone\" needs");
    }
    return true;
}

static bool parse_mailbox(Ctx *c, const cJSON *v, int32_t self, MailboxCfg *mb)
{
    static const char *const keys[] = { "address", "quota_bytes", "used_bytes" };
    mb->quota_bytes = 51200000; /* Postfix mailbox_size_limit */
    mb->used_bytes = 0;
    if (!want_object(c, v) || !check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) ||
        !need(c, v, "address", "the mailbox owner's e-mail address") ||
        !get_address(c, v, "address", &mb->address) ||
        !get_int(c, v, "quota_bytes", 0, MAX_SAFE_INT, &mb->quota_bytes) ||
        !get_int(c, v, "used_bytes", 0, MAX_SAFE_INT, &mb->used_bytes)) {
        return false;
    }
    if (idmap_get(&c->mailboxes, mb->address) == self) {
        return fail_at(c, "address", "this store already has a mailbox for %s",
                       str(c, mb->address));
    }
    idmap_set(&c->mailboxes, mb->address, self);
    return true;
}

static bool parse_store(Ctx *c, const cJSON *v, int32_t self)
{
    StoreCfg *s = &c->w->nodes[self].u.store;
    size_t m;
    const cJSON *arr = enter(c, v, "mailboxes", &m);
    bool ok = !arr || want_array(c, arr, 0, SIZE_MAX, "mailboxes");
    if (arr && ok) {
        s->mailboxes = xmalloc(sizeof *s->mailboxes * ((size_t)cJSON_GetArraySize(arr) + 1));
    }
    size_t i = 0;
    for (const cJSON *e = arr && ok ? arr->child : NULL; e && ok; e = e->next, i++) {
        size_t mi = path_index(c, i);
        ok = parse_mailbox(c, e, self, &s->mailboxes[s->mailbox_count]);
        s->mailbox_count += ok;
        path_pop(c, mi);
    }
    path_pop(c, m);
    return ok && get_ms(c, v, "deliver_ms", &s->deliver_us);
}

/* Pass 2: everything else about node i. */
static bool parse_node(Ctx *c, const cJSON *v, size_t i)
{
    World *w = c->w;
    int32_t self = (int32_t)i;
    WorldNode *n = &w->nodes[self];
    char what[48];
    snprintf(what, sizeof what, "%s %s node", kind_article(n->kind), trace_node_kind_name(n->kind));
    if (!check_keys(c, v, NODE_KEYS[n->kind].keys, NODE_KEYS[n->kind].count, "key", what) ||
        !get_text(c, v, "label", false, &n->label)) {
        return false;
    }
    if ((n->kind == NODE_OUTGOING || n->kind == NODE_INCOMING) &&
        !need(c, v, "ip",
              "the server's IPv4 address; the next server sees it as the sending "
              "IP (blocklists, greylisting)")) {
        return false;
    }
    if (!get_ip(c, v, "ip", &n->ip) || !parse_pos(c, v, n)) {
        return false;
    }
    for (int32_t j = 0; n->ip && j < self; j++) {
        if (w->nodes[j].ip == n->ip) {
            char ip[16];
            world_format_ip(n->ip, ip);
            return fail_at(c, "ip", "ip %s is already used by node \"%s\"", ip,
                           str(c, w->nodes[j].name));
        }
    }
    switch (n->kind) {
    case NODE_CLIENT: return parse_client(c, v, self);
    case NODE_OUTGOING: return parse_outgoing(c, v, self);
    case NODE_RESOLVER: return parse_resolver(c, v, self);
    case NODE_INCOMING: return parse_incoming(c, v, self);
    case NODE_FILTER: return parse_filter(c, v, self);
    case NODE_STORE: return parse_store(c, v, self);
    default: return true;
    }
}

/* Each outgoing server gets a link to each incoming server it can reach (world_finalize), and the
 * trace and the player carry every link: their number is bounded here, before any is made. */
static bool check_server_pairs(Ctx *c)
{
    uint64_t out = 0, in = 0;
    for (uint32_t i = 0; i < c->w->node_count; i++) {
        out += c->w->nodes[i].kind == NODE_OUTGOING;
        in += c->w->nodes[i].kind == NODE_INCOMING;
    }
    if (out * in <= SCENARIO_MAX_SERVER_PAIRS) {
        return true;
    }
    size_t m = path_key(c, "nodes");
    fail(c,
         "%llu outgoing times %llu incoming servers make %llu pairs, each a link in the picture; "
         "the limit is %u pairs",
         (unsigned long long)out, (unsigned long long)in, (unsigned long long)(out * in),
         SCENARIO_MAX_SERVER_PAIRS);
    path_pop(c, m);
    return false;
}

/* Every mailbox must be in a domain that some server takes mail for, or no mail reaches it. */
static bool check_mailbox_domains(Ctx *c)
{
    const World *w = c->w;
    IdMap accepted = { 0 };
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        const StrId *d = n->kind == NODE_INCOMING   ? n->u.in.domains
                         : n->kind == NODE_OUTGOING ? n->u.out.local_domains
                                                    : NULL;
        uint32_t count = n->kind == NODE_INCOMING   ? n->u.in.domain_count
                         : n->kind == NODE_OUTGOING ? n->u.out.local_domain_count
                                                    : 0;
        for (uint32_t k = 0; k < count; k++) {
            idmap_set(&accepted, d[k], 0);
        }
    }
    bool ok = true;
    for (uint32_t i = 0; ok && i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        for (uint32_t j = 0; n->kind == NODE_STORE && ok && j < n->u.store.mailbox_count; j++) {
            const char *addr = str(c, n->u.store.mailboxes[j].address);
            const char *domain = world_domain_of(addr);
            StrId d = strpool_find(w->strings, domain);
            if (idmap_get(&accepted, d) >= 0) {
                continue;
            }
            size_t m = path_pushf(c, ".nodes[%u].mailboxes[%u].address", i, j);
            ok = fail(c,
                      "mailbox %s is in no domain any server accepts; add \"%s\" to an "
                      "incoming node's \"domains\" or an outgoing node's \"local_domains\"",
                      addr, domain);
            path_pop(c, m);
        }
    }
    idmap_free(&accepted);
    return ok;
}

/* A client that reads a store must have a mailbox there. */
static bool check_client_mailboxes(Ctx *c)
{
    const World *w = c->w;
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        if (n->kind != NODE_CLIENT || n->u.client.store < 0) {
            continue;
        }
        const ClientCfg *cl = &n->u.client;
        if (idmap_get(&c->mailboxes, cl->address) == cl->store ||
            world_find_mailbox(w, cl->store, cl->address)) {
            continue;
        }
        size_t m = path_pushf(c, ".nodes[%u].store", i);
        fail(c,
             "store \"%s\" has no mailbox for %s; add {\"address\": \"%s\"} to its "
             "\"mailboxes\"",
             str(c, w->nodes[cl->store].name), str(c, cl->address), str(c, cl->address));
        path_pop(c, m);
        return false;
    }
    return true;
}

static bool parse_nodes(Ctx *c, const cJSON *root)
{
    if (!need(c, root, "nodes", "the array of clients, servers and stores in the scenario")) {
        return false;
    }
    size_t m = path_key(c, "nodes");
    const cJSON *v = field(root, "nodes");
    bool ok = want_array(c, v, 1, SCENARIO_MAX_NODES, "nodes");
    path_pop(c, m);
    ok = ok && parse_each(c, root, "nodes", SCENARIO_MAX_NODES, "nodes", declare_node) &&
         parse_each(c, root, "nodes", SCENARIO_MAX_NODES, "nodes", parse_node);
    return ok && check_server_pairs(c) && check_mailbox_domains(c) && check_client_mailboxes(c);
}

/* ---- DNS ---- */

static const char *const MX_KEYS[] = { "name", "type", "ttl_s", "pref", "host" };
static const char *const A_KEYS[] = { "name", "type", "ttl_s", "addr" };

static bool parse_record(Ctx *c, const cJSON *v, size_t i)
{
    static const char *const types[] = { "A", "MX" }; /* index = DnsType */
    int type = DNS_A;
    (void)i;
    if (!want_object(c, v) || !need(c, v, "name", "the domain name the record belongs to") ||
        !need(c, v, "type", "\"MX\" or \"A\"") ||
        !get_enum(c, v, "type", types, COUNT_OF(types), &type)) {
        return false;
    }
    bool mx = type == DNS_MX;
    if (!check_keys(c, v, mx ? MX_KEYS : A_KEYS, mx ? COUNT_OF(MX_KEYS) : COUNT_OF(A_KEYS), "key",
                    mx ? "an MX record" : "an A record")) {
        return false;
    }
    DnsRecord *r = world_add_record(c->w);
    r->type = (DnsType)type;
    if (!get_name(c, v, "name", &r->name) || !get_seconds(c, v, "ttl_s", false, &r->ttl_us)) {
        return false;
    }
    if (!mx) {
        return need(c, v, "addr", "the IPv4 address the A record maps the name to") &&
               get_ip(c, v, "addr", &r->addr);
    }
    int64_t pref = 0;
    if (!need(c, v, "host", "the mail server's host name, or \".\" for a null MX") ||
        !get_int(c, v, "pref", 0, 65535, &pref)) {
        return false;
    }
    r->pref = (uint16_t)pref;
    const cJSON *host = field(v, "host");
    if (cJSON_IsString(host) && strcmp(host->valuestring, ".") == 0) {
        r->host = intern(c, ".");
        return true;
    }
    return get_name(c, v, "host", &r->host);
}

/* "203.0.113.7" under "zen.example" -> A 7.113.0.203.zen.example = 127.0.0.2 (RFC 5782). */
static bool parse_blocklist(Ctx *c, const cJSON *v, size_t i)
{
    static const char *const keys[] = { "zone", "listed" };
    StrId zone = STR_EMPTY;
    (void)i;
    if (!want_object(c, v) || !check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) ||
        !need(c, v, "zone", "the blocklist's DNS zone, such as \"zen.example\"") ||
        !get_name(c, v, "zone", &zone)) {
        return false;
    }
    size_t m;
    const cJSON *listed = enter(c, v, "listed", &m);
    bool ok = !listed || want_array(c, listed, 0, SIZE_MAX, "IPv4 addresses");
    size_t k = 0;
    for (const cJSON *e = listed && ok ? listed->child : NULL; e && ok; e = e->next, k++) {
        uint32_t ip = 0;
        size_t mi = path_index(c, k);
        ok = val_ip(c, e, &ip);
        path_pop(c, mi);
        if (ok) {
            DnsRecord *r = world_add_record(c->w);
            r->type = DNS_A;
            r->name = strpool_internf(c->w->strings, "%u.%u.%u.%u.%s", ip & 255, (ip >> 8) & 255,
                                      (ip >> 16) & 255, ip >> 24, str(c, zone));
            r->addr = UINT32_C(0x7F000002); /* 127.0.0.2: listed */
            r->ttl_us = 300 * US_PER_S;
        }
    }
    path_pop(c, m);
    return ok;
}

/* RFC 7505: a domain with a null MX has no other MX record. Records from "records" come first
 * in the World, so index i is $.dns.records[i]. The first offending record is reported, against
 * the first earlier MX it conflicts with: any MX of the name for a null MX, the first null MX of
 * the name for another MX. Linear: two maps from the name to its first MX and first null MX. */
static bool check_null_mx(Ctx *c, uint32_t record_count)
{
    const World *w = c->w;
    StrId root = strpool_find(w->strings, ".");
    IdMap first_mx = { 0 }, first_null = { 0 };
    bool ok = true;
    for (uint32_t j = 0; root != UINT32_MAX && ok && j < record_count; j++) {
        const DnsRecord *b = &w->records[j];
        if (b->type != DNS_MX) {
            continue;
        }
        int32_t i = idmap_get(b->host == root ? &first_mx : &first_null, b->name);
        if (i >= 0) {
            size_t m = path_pushf(c, ".dns.records[%u]", j);
            ok = fail(c,
                      "%s has a null MX (RFC 7505: it accepts no mail) and another MX record "
                      "(at $.dns.records[%d]); a null MX must be the domain's only MX",
                      str(c, b->name), i);
            path_pop(c, m);
        }
        if (idmap_get(&first_mx, b->name) < 0) {
            idmap_set(&first_mx, b->name, (int32_t)j);
        }
        if (b->host == root && idmap_get(&first_null, b->name) < 0) {
            idmap_set(&first_null, b->name, (int32_t)j);
        }
    }
    idmap_free(&first_mx);
    idmap_free(&first_null);
    return ok;
}

static bool parse_dns(Ctx *c, const cJSON *root)
{
    static const char *const keys[] = { "records", "blocklists" };
    size_t m;
    const cJSON *v = enter(c, root, "dns", &m);
    bool ok = !v || (want_object(c, v) && check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) &&
                     parse_each(c, v, "records", SIZE_MAX, "records", parse_record));
    uint32_t from_records = c->w->record_count;
    ok = ok && (!v || parse_each(c, v, "blocklists", SIZE_MAX, "blocklists", parse_blocklist));
    path_pop(c, m);
    return ok && check_null_mx(c, from_records);
}

/* ---- messages ---- */

static bool parse_attachment(Ctx *c, const cJSON *v, Attachment *a)
{
    static const char *const keys[] = { "name", "size_bytes" };
    return want_object(c, v) && check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) &&
           need(c, v, "name", "the attachment's file name") &&
           need(c, v, "size_bytes", "the attachment's size before base64 encoding") &&
           get_text(c, v, "name", true, &a->name) &&
           get_int(c, v, "size_bytes", 0, SCENARIO_MAX_MESSAGE_BYTES, &a->size_bytes);
}

/* The attachments, whose sizes together stay within SCENARIO_MAX_MESSAGE_BYTES: with the cap on
 * "size_bytes" it bounds every message, so transfer times and mailbox sums cannot overflow. */
static bool parse_attachments(Ctx *c, const cJSON *obj, uint32_t si)
{
    size_t m;
    const cJSON *v = enter(c, obj, "attachments", &m);
    bool ok = !v || want_array(c, v, 0, SIZE_MAX, "attachments");
    MessageSpec *s = &c->w->specs[si];
    int64_t total = 0;
    if (v && ok) {
        s->attachments = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->attachments);
    }
    size_t i = 0;
    for (const cJSON *e = v && ok ? v->child : NULL; e && ok; e = e->next, i++) {
        size_t mi = path_index(c, i);
        ok = parse_attachment(c, e, &s->attachments[s->attachment_count]);
        if (ok) {
            total += s->attachments[s->attachment_count].size_bytes;
            s->attachment_count++;
        }
        if (ok && total > SCENARIO_MAX_MESSAGE_BYTES) {
            ok = fail_at(c, "size_bytes",
                         "the attachments add up to %lld bytes; the limit for one message is "
                         "%lld bytes (1 GiB)",
                         (long long)total, (long long)SCENARIO_MAX_MESSAGE_BYTES);
        }
        path_pop(c, mi);
    }
    path_pop(c, m);
    return ok;
}

static bool parse_recipients(Ctx *c, const cJSON *obj, uint32_t si)
{
    size_t m = path_key(c, "to");
    const cJSON *v = field(obj, "to");
    MessageSpec *s = &c->w->specs[si];
    /* One message goes to at most a thousand; a mailing sends a copy to each, so it may name
     * as many as a scenario may hold. */
    bool ok = want_array(c, v, 1,
                         s->one_per_recipient ? SCENARIO_MAX_RECIPIENTS
                                              : SCENARIO_MAX_RCPTS_PER_MESSAGE,
                         "recipient addresses");
    size_t n = ok ? (size_t)cJSON_GetArraySize(v) : 0;
    if (ok && c->rcpt_total + n > SCENARIO_MAX_RECIPIENTS) {
        ok = fail(c, "the messages have more than %u recipients in all (the limit)",
                  SCENARIO_MAX_RECIPIENTS);
    }
    if (ok) {
        c->rcpt_total += n;
        s->to = xmalloc(sizeof *s->to * n);
    }
    size_t i = 0;
    for (const cJSON *e = ok ? v->child : NULL; e && ok; e = e->next, i++) {
        size_t mi = path_index(c, i);
        ok = val_address(c, e, &s->to[s->to_count]);
        s->to_count += ok;
        path_pop(c, mi);
    }
    path_pop(c, m);
    return ok;
}

/* The message's id: the one given, or "m<N>" (N counts from 1); unique, and never "-dsn". */
static bool message_id(Ctx *c, const cJSON *v, uint32_t si, StrId *id)
{
    bool given = field(v, "id") != NULL;
    if (given) {
        size_t m = path_key(c, "id");
        bool ok = val_id(c, field(v, "id"), "message", id);
        path_pop(c, m);
        if (!ok) {
            return false;
        }
        if (ends_with(str(c, *id), "-dsn")) {
            return fail_at(c, "id",
                           "message ids ending in \"-dsn\" are reserved for the bounces "
                           "the run creates");
        }
    } else {
        *id = strpool_internf(c->w->strings, "m%u", si + 1);
    }
    int32_t prev = idmap_get(&c->specs, *id);
    if (prev >= 0 && given) {
        return fail_at(c, "id", "duplicate message id \"%s\"; $.messages[%d] already uses it",
                       str(c, *id), prev);
    }
    if (prev >= 0) {
        return fail(c,
                    "this message's default id \"%s\" is already used by $.messages[%d]; "
                    "give it an \"id\"",
                    str(c, *id), prev);
    }
    idmap_set(&c->specs, *id, (int32_t)si);
    return true;
}

/* The sender must be a client that can submit mail. */
static bool check_sender(Ctx *c, StrId from)
{
    int32_t n = idmap_get(&c->clients, from);
    if (n >= 0 && c->w->nodes[n].u.client.submit_to >= 0) {
        return true;
    }
    if (n >= 0) {
        return fail_at(c, "from",
                       "client \"%s\" (%s) cannot send: it has no \"submit_to\" "
                       "server",
                       str(c, c->w->nodes[n].name), str(c, from));
    }
    char list[LIST_CHARS + 32] = "";
    size_t dropped = 0;
    for (uint32_t i = 0; i < c->w->node_count; i++) {
        const WorldNode *node = &c->w->nodes[i];
        if (node->kind == NODE_CLIENT && node->u.client.submit_to >= 0) {
            list_add(list, sizeof list, str(c, node->u.client.address), &dropped);
        }
    }
    list_end(list, sizeof list, dropped);
    return fail_at(c, "from",
                   "no client has the address %s; addresses of clients that can "
                   "send: %s",
                   str(c, from), list[0] ? list : "(none)");
}

/* "every_s": the pace of a mailing's copies; only with "one_per_recipient". */
static bool get_every(Ctx *c, const cJSON *v, MessageSpec *s)
{
    if (field(v, "every_s") && !s->one_per_recipient) {
        return fail_at(c, "every_s",
                       "\"every_s\" paces the copies of a mailing; it needs "
                       "\"one_per_recipient\": true");
    }
    return get_seconds(c, v, "every_s", false, &s->every_us);
}

/* No message may have the id of a mailing's copy ("news.2" beside a mailing "news" with two
 * or more recipients): the trace could not tell them apart. */
static bool check_copy_ids(Ctx *c)
{
    for (uint32_t i = 0; i < c->w->spec_count; i++) {
        int32_t list = copy_of(c, str(c, c->w->specs[i].id));
        if (list >= 0) {
            size_t m = path_key(c, "messages");
            path_index(c, i);
            fail_at(c, "id",
                    "\"%s\" is the id of a copy of $.messages[%d] (\"%s\", one per recipient); "
                    "give this message another id",
                    str(c, c->w->specs[i].id), list, str(c, c->w->specs[list].id));
            path_pop(c, m);
            return false;
        }
    }
    return true;
}

static bool parse_message(Ctx *c, const cJSON *v, size_t i)
{
    static const char *const keys[] = { "id",          "at_s",    "from",
                                        "to",          "subject", "body",
                                        "attachments", "date",    "size_bytes",
                                        "one_per_recipient", "every_s" };
    World *w = c->w;
    if (!want_object(c, v) || !check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) ||
        !need(c, v, "from", "the sender's address, that of a client node") ||
        !need(c, v, "to", "an array of recipient addresses")) {
        return false;
    }
    uint32_t si = w->spec_count;
    MessageSpec *s = world_add_spec(w);
    int64_t at_us = 0;
    bool date = true;
    (void)i;
    if (!message_id(c, v, si, &s->id) || !get_seconds(c, v, "at_s", false, &at_us) ||
        !check_in_horizon(c, "at_s", at_us) || !get_address(c, v, "from", &s->from) ||
        !check_sender(c, s->from) || !get_bool(c, v, "one_per_recipient", &s->one_per_recipient) ||
        !get_every(c, v, s) || !parse_recipients(c, v, si) ||
        !get_text(c, v, "subject", false, &s->subject) ||
        !get_text(c, v, "body", false, &s->body) || !parse_attachments(c, v, si) ||
        !get_bool(c, v, "date", &date) ||
        !get_int(c, v, "size_bytes", 1, SCENARIO_MAX_MESSAGE_BYTES, &s->size_bytes)) {
        return false;
    }
    s->no_date = !date;
    Action *a = world_add_action(w);
    a->kind = ACT_SEND;
    a->at_us = at_us;
    a->spec = si;
    return true;
}

/* ---- actions ---- */

static const char *const OUTAGE_KEYS[] = { "at_s", "do", "node", "until_s", "mode" };
static const char *const DNS_FAILURE_KEYS[] = { "at_s", "do", "name", "rcode", "until_s" };
static const char *const MARK_KEYS[] = { "at_s", "do", "user", "msg" };
static const char *const DELETE_KEYS[] = { "at_s", "do", "user", "msg", "bytes" };
static const char *const FETCH_KEYS[] = { "at_s", "do", "user" };

/* Indexed by ActionKind; ACT_SEND comes from "messages", not from "actions". */
static const KeySet ACTION_KEYS[ACT_KIND_COUNT] = {
    [ACT_OUTAGE] = KEYSET(OUTAGE_KEYS),  [ACT_DNS_FAILURE] = KEYSET(DNS_FAILURE_KEYS),
    [ACT_MARK_SPAM] = KEYSET(MARK_KEYS), [ACT_MARK_NOT_SPAM] = KEYSET(MARK_KEYS),
    [ACT_DELETE] = KEYSET(DELETE_KEYS),  [ACT_FETCH] = KEYSET(FETCH_KEYS),
};

static bool get_until(Ctx *c, const cJSON *v, Action *a)
{
    size_t m;
    const cJSON *u = enter(c, v, "until_s", &m);
    int64_t until = 0;
    bool ok = !u || val_duration(c, u, US_PER_S, "seconds", false, &until);
    if (u && ok && until <= a->at_us) {
        char got[64];
        ok = fail(c, "expected a time after at_s (%.15g s), got %s", (double)a->at_us / US_PER_S,
                  describe(u, got, sizeof got));
    }
    if (u && ok) {
        a->until_us = until;
    }
    path_pop(c, m);
    return ok;
}

static bool parse_action_details(Ctx *c, const cJSON *v, Action *a)
{
    static const char *const modes[] = { "refuse", "timeout" };
    static const char *const rcodes[] = { "SERVFAIL", "TIMEOUT", "NXDOMAIN" };
    static const TraceRcode rcode_values[] = { RCODE_SERVFAIL, RCODE_TIMEOUT, RCODE_NXDOMAIN };
    const unsigned servers = ANY_NODE & ~KIND_BIT(NODE_CLIENT);
    int choice = 0;
    switch (a->kind) {
    case ACT_OUTAGE:
        if (!need(c, v, "node", "the server that goes down") ||
            !get_node(c, v, "node", servers, &a->node) || !get_until(c, v, a) ||
            !get_enum(c, v, "mode", modes, COUNT_OF(modes), &choice)) {
            return false;
        }
        a->mode = (OutageMode)choice;
        return true;
    case ACT_DNS_FAILURE:
        if (!need(c, v, "name", "the domain whose DNS fails") ||
            !get_name(c, v, "name", &a->name) ||
            !get_enum(c, v, "rcode", rcodes, COUNT_OF(rcodes), &choice) || !get_until(c, v, a)) {
            return false;
        }
        a->rcode = rcode_values[choice];
        return true;
    case ACT_MARK_SPAM:
    case ACT_MARK_NOT_SPAM:
        return need(c, v, "user", "the address of the user who clicks") &&
               need(c, v, "msg", "the id of the message the user marks") &&
               get_user(c, v, "user", &a->name) && get_msg_ref(c, v, "msg", &a->msg);
    case ACT_DELETE:
        if (!need(c, v, "user", "the address of the user who deletes mail") ||
            !get_user(c, v, "user", &a->name)) {
            return false;
        }
        if ((field(v, "msg") != NULL) == (field(v, "bytes") != NULL)) {
            return fail(c, "a delete action needs exactly one of \"msg\" (delete that message) "
                           "or \"bytes\" (free that much old mail)");
        }
        return get_msg_ref(c, v, "msg", &a->msg) &&
               get_int(c, v, "bytes", 1, MAX_SAFE_INT, &a->bytes);
    case ACT_FETCH:
        return need(c, v, "user", "the address of the user whose client checks mail") &&
               get_user(c, v, "user", &a->name);
    default: return true;
    }
}

static bool parse_action(Ctx *c, const cJSON *v, size_t i)
{
    const char *names[ACT_KIND_COUNT - 1];
    for (int k = ACT_OUTAGE; k < ACT_KIND_COUNT; k++) {
        names[k - ACT_OUTAGE] = world_action_name((ActionKind)k);
    }
    int choice = 0;
    int64_t at_us = 0;
    (void)i;
    if (!want_object(c, v) || !need(c, v, "at_s", "when it happens, in seconds from the start") ||
        !need(c, v, "do",
              "what happens: outage, dns_failure, mark_spam, mark_not_spam, delete "
              "or fetch") ||
        !get_enum(c, v, "do", names, COUNT_OF(names), &choice)) {
        return false;
    }
    ActionKind kind = (ActionKind)(ACT_OUTAGE + choice);
    char what[48];
    snprintf(what, sizeof what, "a \"%s\" action", world_action_name(kind));
    if (!check_keys(c, v, ACTION_KEYS[kind].keys, ACTION_KEYS[kind].count, "key", what) ||
        !get_seconds(c, v, "at_s", false, &at_us) || !check_in_horizon(c, "at_s", at_us)) {
        return false;
    }
    Action *a = world_add_action(c->w);
    a->kind = kind;
    a->at_us = at_us;
    return parse_action_details(c, v, a);
}

/* ---- captions ---- */

static void trace_kind_names(const char *names[TK_KIND_COUNT])
{
    for (int k = 0; k < TK_KIND_COUNT; k++) {
        names[k] = trace_kind_name((TraceKind)k);
    }
}

static bool parse_caption_on(Ctx *c, const cJSON *obj, CaptionRule *cr)
{
    static const char *const keys[] = { "kind", "msg", "code", "node" };
    const char *kinds[TK_KIND_COUNT];
    trace_kind_names(kinds);
    size_t m = path_key(c, "on");
    const cJSON *v = field(obj, "on");
    int64_t code = 0;
    bool ok = want_object(c, v) && check_keys(c, v, keys, COUNT_OF(keys), "key", NULL);
    if (ok && !v->child) {
        ok = fail(c, "expected at least one of \"kind\", \"msg\", \"code\" or \"node\" to say "
                     "which event the caption belongs to");
    }
    ok = ok && get_enum(c, v, "kind", kinds, TK_KIND_COUNT, &cr->kind) &&
         get_msg_ref(c, v, "msg", &cr->msg) && get_int(c, v, "code", 100, 599, &code) &&
         get_node(c, v, "node", ANY_NODE, &cr->node);
    cr->code = (int32_t)code;
    path_pop(c, m);
    return ok;
}

static bool parse_caption(Ctx *c, const cJSON *v, size_t i)
{
    static const char *const keys[] = { "text", "at_s", "on" };
    (void)i;
    if (!want_object(c, v) || !check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) ||
        !need(c, v, "text", "what the caption says")) {
        return false;
    }
    bool at = field(v, "at_s") != NULL, on = field(v, "on") != NULL;
    if (at == on) {
        return fail(c,
                    "a caption needs exactly one of \"at_s\" (show it at a time) or \"on\" "
                    "(show it with a matching event); this one has %s",
                    at ? "both" : "neither");
    }
    CaptionRule *cr = world_add_caption(c->w);
    if (!get_text(c, v, "text", true, &cr->text)) {
        return false;
    }
    if (on) {
        return parse_caption_on(c, v, cr);
    }
    return get_seconds(c, v, "at_s", false, &cr->at_us) && check_in_horizon(c, "at_s", cr->at_us);
}

/* ---- expectations ---- */

/* N (exactly N) or {"min", "max"} (either may be left out = unbounded), min <= max. With
 * `seconds`, values are durations in seconds and only the object form is taken. */
static bool get_bounds(Ctx *c, const cJSON *obj, const char *key, bool seconds, int64_t max,
                       int64_t *lo, int64_t *hi)
{
    static const char *const keys[] = { "min", "max" };
    size_t m;
    const cJSON *v = enter(c, obj, key, &m);
    bool ok = true;
    if (!v) {
        return true;
    }
    if (!seconds && cJSON_IsNumber(v)) {
        ok = val_int(c, v, 0, max, lo);
        *hi = *lo;
    } else if (cJSON_IsObject(v)) {
        int64_t a = -1, b = -1;
        ok = check_keys(c, v, keys, COUNT_OF(keys), "key", NULL);
        if (ok && !v->child) {
            ok = fail(c, "expected at least one of \"min\" and \"max\"");
        }
        ok = ok &&
             (seconds ? get_seconds(c, v, "min", false, &a) && get_seconds(c, v, "max", false, &b)
                      : get_int(c, v, "min", 0, max, &a) && get_int(c, v, "max", 0, max, &b));
        if (ok && a >= 0 && b >= 0 && a > b) {
            ok = fail_at(c, "min", "min is larger than max; expected min <= max");
        }
        *lo = a;
        *hi = b;
    } else {
        ok = type_error(c, v,
                        seconds ? "an object {\"min\": seconds, \"max\": seconds}"
                                : "an integer >= 0 or an object {\"min\", \"max\"}");
    }
    path_pop(c, m);
    return ok;
}

static bool parse_expect_msg(Ctx *c, const cJSON *v, size_t i)
{
    static const char *const keys[] = { "msg",      "rcpt",    "status",         "folder",
                                        "attempts", "final_s", "reply_contains", "fetched" };
    const char *statuses[ST_COUNT], *folders[] = { "null", "inbox", "junk" };
    for (int s = 0; s < ST_COUNT; s++) {
        statuses[s] = world_status_name((RcptStatus)s);
    }
    (void)i;
    if (!want_object(c, v) || !check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) ||
        !need(c, v, "msg", "the id of the message, such as \"m1\" or \"m1-dsn\"")) {
        return false;
    }
    ExpectMsg *e = world_add_expect_msg(c->w);
    int64_t amin = -1, amax = -1;
    bool fetched = false;
    if (!get_text(c, v, "msg", true, &e->msg) || !get_address(c, v, "rcpt", &e->rcpt) ||
        !get_enum(c, v, "status", statuses, ST_COUNT, &e->status)) {
        return false;
    }
    const cJSON *folder = field(v, "folder");
    if (cJSON_IsNull(folder)) {
        e->folder = FOLDER_NONE;
    } else if (!get_enum(c, v, "folder", folders, COUNT_OF(folders), &e->folder)) {
        return false;
    }
    if (!get_bounds(c, v, "attempts", false, MAX_COUNT, &amin, &amax) ||
        !get_bounds(c, v, "final_s", true, 0, &e->final_min_us, &e->final_max_us) ||
        !get_text(c, v, "reply_contains", false, &e->reply_contains) ||
        !get_bool(c, v, "fetched", &fetched)) {
        return false;
    }
    e->attempts_min = (int32_t)amin;
    e->attempts_max = (int32_t)amax;
    if (field(v, "fetched")) {
        e->fetched = fetched;
    }
    return true;
}

static bool parse_expect_event(Ctx *c, const cJSON *v, size_t i)
{
    static const char *const keys[] = { "kind", "msg",   "from",          "to",
                                        "code", "qtype", "text_contains", "count" };
    const char *kinds[TK_KIND_COUNT], *qtypes[QTYPE_COUNT];
    trace_kind_names(kinds);
    for (int q = 0; q < QTYPE_COUNT; q++) {
        qtypes[q] = trace_qtype_name((TraceQtype)q);
    }
    (void)i;
    if (!want_object(c, v) || !check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) ||
        !need(c, v, "kind", "the kind of trace event to count, such as \"smtp\" or \"dns\"")) {
        return false;
    }
    ExpectEvent *e = world_add_expect_event(c->w);
    int64_t code = 0;
    e->count_min = 1; /* "it happens at least once" unless "count" says otherwise */
    if (!get_enum(c, v, "kind", kinds, TK_KIND_COUNT, &e->kind) ||
        !get_text(c, v, "msg", true, &e->msg) || !get_node(c, v, "from", ANY_NODE, &e->from) ||
        !get_node(c, v, "to", ANY_NODE, &e->to) || !get_int(c, v, "code", 100, 599, &code) ||
        !get_enum(c, v, "qtype", qtypes, QTYPE_COUNT, &e->qtype) ||
        !get_text(c, v, "text_contains", false, &e->text_contains) ||
        !get_bounds(c, v, "count", false, MAX_SAFE_INT, &e->count_min, &e->count_max)) {
        return false;
    }
    e->code = (int32_t)code;
    return true;
}

static bool parse_expect(Ctx *c, const cJSON *root)
{
    static const char *const keys[] = { "messages", "events" };
    size_t m;
    const cJSON *v = enter(c, root, "expect", &m);
    bool ok = !v || (want_object(c, v) && check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) &&
                     parse_each(c, v, "messages", SIZE_MAX, "expectations", parse_expect_msg) &&
                     parse_each(c, v, "events", SIZE_MAX, "expectations", parse_expect_event));
    path_pop(c, m);
    return ok;
}

/* ---- the top level ---- */

static const char *const TOP_KEYS[] = { "mailsim", "title",    "lesson", "seed", "horizon_s",
                                        "network", "nodes",    "links",  "dns",  "messages",
                                        "actions", "captions", "expect" };

/* The version comes first: a file written for another version fails on that, not on a key. */
static bool parse_version(Ctx *c, const cJSON *root)
{
    if (!need(c, root, "mailsim", "the format version, 1 for this mailsim")) {
        return false;
    }
    size_t m = path_key(c, "mailsim");
    const cJSON *v = field(root, "mailsim");
    bool ok = true;
    if (!cJSON_IsNumber(v)) {
        ok = type_error(c, v, "the format version 1");
    } else if (v->valuedouble != SCENARIO_FORMAT_VERSION) {
        char got[64];
        ok = fail(c, "format version %s is not supported; this mailsim reads version %d",
                  describe(v, got, sizeof got), SCENARIO_FORMAT_VERSION);
    }
    path_pop(c, m);
    return ok;
}

static bool parse_top(Ctx *c, const cJSON *root)
{
    World *w = c->w;
    int64_t seed = (int64_t)w->seed;
    if (!cJSON_IsObject(root)) {
        return type_error(c, root, "a JSON object { \"mailsim\": 1, ... } at the top level");
    }
    if (!parse_version(c, root) ||
        !check_keys(c, root, TOP_KEYS, COUNT_OF(TOP_KEYS), "key", NULL) ||
        !need(c, root, "title", "a one-line title for the scenario") ||
        !get_text(c, root, "title", true, &w->title) ||
        !get_text(c, root, "lesson", false, &w->lesson) ||
        !get_int(c, root, "seed", 0, MAX_SAFE_INT, &seed) ||
        !get_seconds(c, root, "horizon_s", true, &w->horizon_us)) {
        return false;
    }
    w->seed = (uint64_t)seed;
    return parse_network(c, root) && parse_nodes(c, root) &&
           parse_each(c, root, "links", SCENARIO_MAX_LINKS, "links", parse_link) &&
           parse_dns(c, root) &&
           parse_each(c, root, "messages", SIZE_MAX, "messages", parse_message) &&
           check_copy_ids(c) &&
           parse_each(c, root, "actions", SCENARIO_MAX_ACTIONS, "actions", parse_action) &&
           parse_each(c, root, "captions", SIZE_MAX, "captions", parse_caption) &&
           parse_expect(c, root);
}

/* ==== entry points =========================================================================== */

/* "scenarios/01-happy-path.json" -> "01-happy-path" */
static StrId file_stem(StrPool *pool, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return strpool_intern_n(pool, base, len);
}

/* The shared load: text[len] must be '\0'. */
static World *load(const char *text, size_t len, const char *file, Error *err)
{
    if (len > SCENARIO_MAX_FILE_BYTES) {
        error_set(err, file, "",
                  "the file is %zu bytes; the limit for a scenario is %u bytes "
                  "(8 MiB)",
                  len, SCENARIO_MAX_FILE_BYTES);
        return NULL;
    }
    cJSON *root = parse_json(text, len, file, err);
    if (!root) {
        return NULL;
    }
    Ctx c = { .file = file, .err = err, .path = "$", .path_len = 1 };
    c.w = world_create();
    c.w->file = xstrdup(file);
    c.w->name = file_stem(c.w->strings, file);
    bool ok = parse_top(&c, root);
    cJSON_Delete(root);
    idmap_free(&c.nodes);
    idmap_free(&c.clients);
    idmap_free(&c.specs);
    idmap_free(&c.mailboxes);
    pairmap_free(&c.links);
    if (!ok) {
        world_destroy(c.w);
        return NULL;
    }
    world_finalize(c.w);
    return c.w;
}

World *scenario_load_string(const char *text, size_t len, const char *name, Error *err)
{
    const char *file = name ? name : "<string>";
    if (len > SCENARIO_MAX_FILE_BYTES) {
        return load(text, len, file, err); /* refused before anything is copied */
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    World *w = load(copy, len, file, err);
    free(copy);
    return w;
}

World *scenario_load_file(const char *path, Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, path, "", "cannot open the scenario: %s", strerror(errno));
        return NULL;
    }
    /* Read at most one byte past the limit: enough to know the file is too big. */
    size_t cap = 64 * 1024, len = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (len == cap) {
            cap = cap * 2 > SCENARIO_MAX_FILE_BYTES + 1 ? SCENARIO_MAX_FILE_BYTES + 1 : cap * 2;
            if (len == cap) {
                break;
            }
            buf = xrealloc(buf, cap + 1);
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    bool failed = ferror(f) != 0;
    int read_errno = errno;
    fclose(f);
    World *w = NULL;
    if (failed) {
        error_set(err, path, "", "cannot read the scenario: %s",
                  read_errno ? strerror(read_errno) : "read error");
    } else if (len > SCENARIO_MAX_FILE_BYTES) {
        error_set(err, path, "",
                  "the file is larger than %u bytes (8 MiB), the limit for a "
                  "scenario",
                  SCENARIO_MAX_FILE_BYTES);
    } else {
        buf[len] = '\0';
        w = load(buf, len, path, err);
    }
    free(buf);
    return w;
}
