/* scenario_json: step 1 of a load, the text, and the key check every object gets
 * (scenario_int.h).
 *
 * Owns the strict JSON syntax check that runs before cJSON: it accepts exactly what RFC 8259
 * allows, bounds nesting at SCENARIO_MAX_DEPTH, rejects NUL bytes and malformed UTF-8, and says
 * where the first problem is as line:column with a hint (cJSON's own error offset is vague for
 * common slips such as a trailing comma). Then cJSON builds the tree. Also owns sc_check_keys:
 * unknown keys (with "did you mean") and keys given twice, which cJSON keeps silently.
 * Does not read any value: scenario_values.c does.
 */
#include "scenario/scenario_int.h"

#include "util/utf8.h"

#include <stdio.h>
#include <string.h>

/* ==== the syntax check ====================================================================== */

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
        if (!sc_is_digit(ch) && !((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) {
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
    while (x->pos < x->len && sc_is_digit(x->s[x->pos])) {
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
        if (x->pos < x->len && sc_is_digit(x->s[x->pos])) {
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
            !(x->pos + n < x->len && sc_is_alpha(x->s[x->pos + n]))) {
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
    if (ch == '"' || ch == '{' || ch == '[' || ch == '-' || sc_is_digit(ch) || sc_is_alpha(ch)) {
        return lex_fail(x, close == '}' ? "expected ',' or '}' after a value (a missing comma?)"
                                        : "expected ',' or ']' after a value (a missing comma?)");
    }
    return lex_fail(x, close == '}' ? "expected ',' or '}' after a value in an object"
                                    : "expected ',' or ']' after a value in an array");
}

/* Past an opening bracket: one level deeper, and *closed when the matching `close` follows at
 * once ({} or []). */
static bool lex_enter(Lex *x, char close, bool *closed)
{
    if (++x->depth > SCENARIO_MAX_DEPTH) {
        return lex_fail(x, "[ and { nested more than 32 deep (the limit for a scenario)");
    }
    x->pos++;
    lex_space(x);
    *closed = x->pos < x->len && x->s[x->pos] == close;
    if (*closed) {
        x->pos++;
        x->depth--;
    }
    return true;
}

/* After a member of an object or an element of an array: the closing bracket (*closed set) or
 * a comma and the space after it. */
static bool lex_next(Lex *x, char close, bool *closed)
{
    lex_space(x);
    *closed = x->pos < x->len && x->s[x->pos] == close;
    if (*closed) {
        x->pos++;
        x->depth--;
        return true;
    }
    if (x->pos >= x->len || x->s[x->pos] != ',') {
        return lex_missing_separator(x, close);
    }
    x->pos++;
    lex_space(x);
    return true;
}

/* A member's key and the ':' after it, with the space around. */
static bool lex_key(Lex *x)
{
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
    return true;
}

static bool lex_object(Lex *x)
{
    bool closed = false;
    if (!lex_enter(x, '}', &closed)) {
        return false;
    }
    while (!closed) {
        if (!lex_key(x) || !lex_value(x) || !lex_next(x, '}', &closed)) {
            return false;
        }
    }
    return true;
}

static bool lex_array(Lex *x)
{
    bool closed = false;
    if (!lex_enter(x, ']', &closed)) {
        return false;
    }
    while (!closed) {
        if (!lex_value(x) || !lex_next(x, ']', &closed)) {
            return false;
        }
    }
    return true;
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
    if (ch == '-' || sc_is_digit(ch)) {
        return lex_number(x);
    }
    if (sc_is_alpha(ch)) {
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
        if (seq == 0 || (seq == 1 && sc_is_control((unsigned char)s[pos + i]))) {
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

cJSON *sc_parse_json(const char *text, size_t len, const char *file, Error *err)
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

/* ==== keys ================================================================================== */

/* The key check: the first unknown key wins over a duplicate further on, as the keys come. */
bool sc_check_keys(Ctx *c, const cJSON *obj, const char *const *allowed, size_t n, const char *noun,
                   const char *what)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        size_t i = 0;
        while (i < n && strcmp(k->string, allowed[i]) != 0) {
            i++;
        }
        if (i == n) {
            char for_what[64] = "";
            Candidates cd;
            sc_candidates_start(&cd, k->string);
            sc_candidates_add_all(&cd, allowed, n);
            sc_candidates_end(&cd);
            if (what) {
                snprintf(for_what, sizeof for_what, " for %s", what);
            }
            return sc_fail_at(c, k->string, "unknown %s \"%.64s\"%s%s; expected one of: %s", noun,
                              k->string, for_what, cd.hint, cd.list);
        }
        for (const cJSON *p = obj->child; p != k; p = p->next) {
            if (strcmp(p->string, k->string) == 0) {
                return sc_fail_at(c, k->string, "duplicate key \"%s\"; each key may appear once",
                                  k->string);
            }
        }
    }
    return true;
}
