/* trace_jsonl: JSON Lines writer and reader for the trace (see trace_jsonl.h).
 *
 * Both directions are driven by one table, FIELDS, that says for each event kind which record
 * slot maps to which JSON key and how it is typed; so the writer and the reader cannot drift.
 * The reader parses each line with cJSON (this and the scenario loader are the only cJSON users).
 */
#include "trace/trace_jsonl.h"

#include "util/idmap.h"
#include "util/jsonout.h"
#include "util/xalloc.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { S_TEXT, S_AUX, S_NUM, S_NUM2, S_SUB, S_ARRIVE } Slot;
typedef enum {
    V_STR,    /* interned string */
    V_INT,    /* integer */
    V_MILLI,  /* integer thousandths, written as a decimal */
    V_MSG,    /* message index plus one (0 = none), written as the message id */
    V_TIME,   /* microseconds, written as seconds */
    V_RCODE,  /* TraceRcode name */
    V_QTYPE,  /* TraceQtype name */
    V_FOLDER, /* TraceFolder name */
    V_CONN,   /* TraceConn name */
    V_DIR,    /* a two-valued sub (TraceSide, TraceVerdict) as names[sub] */
    V_DSN,    /* an enhanced status code packed by trace_dsn_pack, written "4.4.3" */
    V_ACTION, /* TraceDsnAction name */
    V_VERIFY, /* TraceVerifyVerdict name */
} ValueType;
typedef enum { W_ALWAYS, W_NONZERO, W_ANSWER } When; /* W_ANSWER: sub == TRACE_ANSWER */

typedef struct {
    const char *key;
    uint8_t slot, type, when;
    const char *names[2]; /* for V_DIR */
} Field;

#define MAX_FIELDS 6
/* The names of a V_DIR field, indexed by the sub value they stand for. */
#define SIDES(ask, answer) { [TRACE_ASK] = ask, [TRACE_ANSWER] = answer }
#define VERDICTS(ham, spam) { [VERDICT_HAM] = ham, [VERDICT_SPAM] = spam }

/* For every kind: the payload fields beyond t, kind, msg, from, to, arrive. */
static const Field FIELDS[TK_KIND_COUNT][MAX_FIELDS] = {
    [TK_COMPOSE] = { { 0 } }, /* message-table row, handled separately */
    [TK_HEADER] = { { "text", S_TEXT, V_STR, W_ALWAYS, { 0 } } },
    [TK_HOP] = { { "text", S_TEXT, V_STR, W_ALWAYS, { 0 } } },
    [TK_QUEUE] = { { "text", S_TEXT, V_STR, W_ALWAYS, { 0 } } },
    [TK_CONN] = { { "result", S_SUB, V_CONN, W_ALWAYS, { 0 } },
                  { "text", S_TEXT, V_STR, W_NONZERO, { 0 } } },
    [TK_SMTP] = { { "dir", S_SUB, V_DIR, W_ALWAYS, SIDES("cmd", "reply") },
                  { "line", S_TEXT, V_STR, W_ALWAYS, { 0 } },
                  { "code", S_NUM, V_INT, W_ANSWER, { 0 } } },
    [TK_DNS] = { { "dir", S_SUB, V_DIR, W_ALWAYS, SIDES("query", "answer") },
                 { "qname", S_AUX, V_STR, W_ALWAYS, { 0 } },
                 { "qtype", S_NUM, V_QTYPE, W_ALWAYS, { 0 } },
                 { "rcode", S_NUM2, V_RCODE, W_ANSWER, { 0 } },
                 { "answer", S_TEXT, V_STR, W_NONZERO, { 0 } } },
    [TK_SENT] = { { "rcpt", S_AUX, V_STR, W_ALWAYS, { 0 } },
                  { "reply", S_TEXT, V_STR, W_ALWAYS, { 0 } },
                  { "dsn", S_NUM2, V_DSN, W_NONZERO, { 0 } } },
    [TK_DEFER] = { { "rcpt", S_AUX, V_STR, W_ALWAYS, { 0 } },
                   { "reply", S_TEXT, V_STR, W_ALWAYS, { 0 } },
                   { "next_try", S_ARRIVE, V_TIME, W_ALWAYS, { 0 } },
                   { "dsn", S_NUM2, V_DSN, W_NONZERO, { 0 } } },
    [TK_RETRY] = { { "attempt", S_NUM, V_INT, W_ALWAYS, { 0 } },
                   { "domain", S_AUX, V_STR, W_NONZERO, { 0 } },
                   { "text", S_TEXT, V_STR, W_NONZERO, { 0 } } },
    [TK_BOUNCE] = { { "rcpt", S_AUX, V_STR, W_ALWAYS, { 0 } },
                    { "reply", S_TEXT, V_STR, W_ALWAYS, { 0 } },
                    { "dsn", S_NUM2, V_DSN, W_NONZERO, { 0 } },
                    { "report", S_NUM, V_MSG, W_NONZERO, { 0 } } },
    [TK_WARN] = { { "rcpt", S_AUX, V_STR, W_ALWAYS, { 0 } },
                  { "reply", S_TEXT, V_STR, W_NONZERO, { 0 } },
                  { "dsn", S_NUM2, V_DSN, W_NONZERO, { 0 } },
                  { "report", S_NUM, V_MSG, W_ALWAYS, { 0 } } },
    [TK_SPAM] = { { "verdict", S_SUB, V_DIR, W_ALWAYS, VERDICTS("ham", "spam") },
                  { "score", S_NUM, V_MILLI, W_ALWAYS, { 0 } },
                  { "required", S_NUM2, V_MILLI, W_ALWAYS, { 0 } },
                  { "tests", S_AUX, V_STR, W_ALWAYS, { 0 } },
                  { "status", S_TEXT, V_STR, W_ALWAYS, { 0 } } },
    [TK_DELIVER] = { { "rcpt", S_AUX, V_STR, W_ALWAYS, { 0 } },
                     { "folder", S_SUB, V_FOLDER, W_ALWAYS, { 0 } },
                     { "dsn", S_NUM2, V_DSN, W_NONZERO, { 0 } } },
    [TK_FETCH] = { { "dir", S_SUB, V_DIR, W_ALWAYS, SIDES("cmd", "reply") },
                   { "line", S_TEXT, V_STR, W_NONZERO, { 0 } },
                   { "user", S_AUX, V_STR, W_NONZERO, { 0 } } },
    [TK_MOVE] = { { "user", S_AUX, V_STR, W_ALWAYS, { 0 } },
                  { "folder", S_SUB, V_FOLDER, W_ALWAYS, { 0 } },
                  { "text", S_TEXT, V_STR, W_NONZERO, { 0 } } },
    [TK_LEARN] = { { "as", S_SUB, V_DIR, W_ALWAYS, VERDICTS("ham", "spam") },
                   { "text", S_TEXT, V_STR, W_ALWAYS, { 0 } } },
    [TK_ACTION] = { { "text", S_TEXT, V_STR, W_ALWAYS, { 0 } },
                    { "what", S_AUX, V_STR, W_NONZERO, { 0 } } },
    /* RFC 3464's per-recipient fields; Reporting-MTA is "from". */
    [TK_REPORT] = { { "final_recipient", S_AUX, V_STR, W_ALWAYS, { 0 } },
                    { "action", S_SUB, V_ACTION, W_ALWAYS, { 0 } },
                    { "status", S_NUM2, V_DSN, W_ALWAYS, { 0 } },
                    { "remote_mta", S_NUM, V_STR, W_NONZERO, { 0 } },
                    { "diagnostic_code", S_TEXT, V_STR, W_ALWAYS, { 0 } } },
    [TK_VERIFY] = { { "address", S_AUX, V_STR, W_ALWAYS, { 0 } },
                    { "verdict", S_SUB, V_VERIFY, W_ALWAYS, { 0 } },
                    { "text", S_TEXT, V_STR, W_ALWAYS, { 0 } },
                    { "dsn", S_NUM2, V_DSN, W_NONZERO, { 0 } } },
};

/* ---- writing ---- */

static void put_milli(FILE *out, int32_t v)
{
    const char *sign = v < 0 ? "-" : "";
    uint32_t a = v < 0 ? (uint32_t)(-(int64_t)v) : (uint32_t)v;
    fprintf(out, "%s%" PRIu32 ".%03" PRIu32, sign, a / 1000u, a % 1000u);
}

static void put_key(FILE *out, const char *key)
{
    fputc(',', out);
    json_put_string(out, key);
    fputc(':', out);
}

static int64_t slot_int(const TraceEvent *ev, Slot slot)
{
    switch (slot) {
    case S_TEXT: return ev->text;
    case S_AUX: return ev->aux;
    case S_NUM: return ev->num;
    case S_NUM2: return ev->num2;
    case S_SUB: return ev->sub;
    case S_ARRIVE: return ev->arrive_us;
    }
    return 0;
}

static const char *enum_name(ValueType type, int64_t v, const Field *f)
{
    switch (type) {
    case V_RCODE: return trace_rcode_name((TraceRcode)v);
    case V_QTYPE: return trace_qtype_name((TraceQtype)v);
    case V_FOLDER: return trace_folder_name((TraceFolder)v);
    case V_CONN: return trace_conn_name((TraceConn)v);
    case V_DIR: return f->names[v != 0]; /* the model writes only the two values */
    case V_ACTION: return trace_dsn_action_name((TraceDsnAction)v);
    case V_VERIFY: return trace_verify_name((TraceVerifyVerdict)v);
    default: return "?";
    }
}

static bool field_present(const Field *f, const TraceEvent *ev)
{
    switch ((When)f->when) {
    case W_ALWAYS: return true;
    case W_NONZERO: return slot_int(ev, (Slot)f->slot) != 0;
    case W_ANSWER: return ev->sub == TRACE_ANSWER;
    }
    return true;
}

static void put_field(const Trace *tr, FILE *out, const Field *f, const TraceEvent *ev)
{
    int64_t v = slot_int(ev, (Slot)f->slot);
    put_key(out, f->key);
    switch ((ValueType)f->type) {
    case V_STR: json_put_string(out, trace_str(tr, (StrId)v)); break;
    case V_INT: fprintf(out, "%" PRId64, v); break;
    case V_MILLI: put_milli(out, (int32_t)v); break;
    case V_TIME: json_put_seconds(out, v); break;
    case V_MSG:
        json_put_string(out, trace_str(tr, trace_msg(tr, (int32_t)v - 1)->id));
        break;
    case V_DSN: {
        char dsn[TRACE_DSN_BUF];
        json_put_string(out, trace_dsn_format((int32_t)v, dsn));
        break;
    }
    default: json_put_string(out, enum_name((ValueType)f->type, v, f)); break;
    }
}

static void put_node(const Trace *tr, FILE *out, const char *key, int32_t node)
{
    if (node != TRACE_NONE) {
        put_key(out, key);
        json_put_string(out, trace_str(tr, trace_node(tr, node)->name));
    }
}

static void put_compose(const Trace *tr, FILE *out, const TraceEvent *ev)
{
    const TraceMsg *m = trace_msg(tr, ev->msg);
    put_key(out, "sender");
    json_put_string(out, trace_str(tr, m->sender));
    put_key(out, "rcpt");
    fputc('[', out);
    for (uint32_t k = 0; k < m->rcpt_count; k++) {
        if (k) {
            fputc(',', out);
        }
        json_put_string(out, trace_str(tr, trace_msg_rcpt(tr, ev->msg, k)));
    }
    fputc(']', out);
    put_key(out, "subject");
    json_put_string(out, trace_str(tr, m->subject));
    put_key(out, "size");
    fprintf(out, "%" PRId64, m->size_bytes);
    if (m->parent != TRACE_NONE) {
        put_key(out, "parent");
        json_put_string(out, trace_str(tr, trace_msg(tr, m->parent)->id));
    }
}

void trace_write_event(const Trace *tr, uint32_t index, FILE *out)
{
    const TraceEvent *ev = &trace_events(tr)[index];
    fputs("{\"t\":", out);
    json_put_seconds(out, ev->t_us);
    put_key(out, "kind");
    json_put_string(out, trace_kind_name((TraceKind)ev->kind));
    if (ev->msg != TRACE_NONE) {
        put_key(out, "msg");
        json_put_string(out, trace_str(tr, trace_msg(tr, ev->msg)->id));
    }
    put_node(tr, out, "from", ev->from);
    put_node(tr, out, "to", ev->to);
    bool arrive_is_field = false;
    for (int i = 0; i < MAX_FIELDS && FIELDS[ev->kind][i].key; i++) {
        arrive_is_field |= FIELDS[ev->kind][i].slot == S_ARRIVE;
    }
    if (ev->arrive_us != TRACE_NO_TIME && !arrive_is_field) {
        put_key(out, "arrive");
        json_put_seconds(out, ev->arrive_us);
    }
    if (ev->kind == TK_COMPOSE) {
        put_compose(tr, out, ev);
    }
    for (int i = 0; i < MAX_FIELDS && FIELDS[ev->kind][i].key; i++) {
        if (field_present(&FIELDS[ev->kind][i], ev)) {
            put_field(tr, out, &FIELDS[ev->kind][i], ev);
        }
    }
    if (ev->flags & TRACE_F_CACHED) {
        fputs(",\"cached\":true", out);
    }
    if (ev->flags & TRACE_F_REJECT) {
        fputs(",\"reject\":true", out);
    }
    StrId caption = trace_caption(tr, index);
    if (caption != STR_EMPTY) {
        put_key(out, "caption");
        json_put_string(out, trace_str(tr, caption));
    }
    fputc('}', out);
}

static void write_header(const Trace *tr, FILE *out)
{
    fputs("{\"format\":\"" TRACE_FORMAT_NAME "\",\"version\":", out);
    fprintf(out, "%d", TRACE_FORMAT_VERSION);
    put_key(out, "scenario");
    json_put_string(out, trace_scenario(tr));
    put_key(out, "seed");
    fprintf(out, "%" PRIu64, trace_seed(tr));
    put_key(out, "title");
    json_put_string(out, trace_title(tr));
    put_key(out, "lesson");
    json_put_string(out, trace_lesson(tr));
    fputs(",\"nodes\":[", out);
    for (size_t i = 0; i < trace_node_count(tr); i++) {
        const TraceNode *n = trace_node(tr, (int32_t)i);
        fputs(i ? ",{\"id\":" : "{\"id\":", out);
        json_put_string(out, trace_str(tr, n->name));
        put_key(out, "kind");
        json_put_string(out, trace_node_kind_name(n->kind));
        if (n->label != STR_EMPTY) {
            put_key(out, "label");
            json_put_string(out, trace_str(tr, n->label));
        }
        if (n->ip != STR_EMPTY) {
            put_key(out, "ip");
            json_put_string(out, trace_str(tr, n->ip));
        }
        if (n->has_pos) {
            /* Positions are kept to 1/1000 so they survive the round trip exactly. */
            fprintf(out, ",\"x\":%.3f,\"y\":%.3f", (double)n->x, (double)n->y);
        }
        fputc('}', out);
    }
    fputs("],\"links\":[", out);
    for (size_t i = 0; i < trace_link_count(tr); i++) {
        const TraceLink *l = trace_link(tr, (int32_t)i);
        fputs(i ? ",{\"a\":" : "{\"a\":", out);
        json_put_string(out, trace_str(tr, trace_node(tr, l->a)->name));
        put_key(out, "b");
        json_put_string(out, trace_str(tr, trace_node(tr, l->b)->name));
        put_key(out, "latency");
        json_put_seconds(out, l->latency_us);
        fputc('}', out);
    }
    fputs("]}", out);
}

bool trace_write_jsonl(const Trace *tr, FILE *out)
{
    write_header(tr, out);
    fputc('\n', out);
    for (size_t i = 0; i < trace_count(tr); i++) {
        trace_write_event(tr, (uint32_t)i, out);
        fputc('\n', out);
    }
    return fflush(out) == 0 && !ferror(out);
}

/* ---- reading ---- */

/* Where lines come from: bytes a format sniff already read (head), then the stream. */
typedef struct {
    const char *head;
    size_t head_len, head_pos;
    FILE *in;
} Source;

static int source_getc(Source *src)
{
    if (src->head_pos < src->head_len) {
        return (unsigned char)src->head[src->head_pos++];
    }
    return fgetc(src->in);
}

typedef struct {
    Trace *tr;
    const char *name;
    size_t line;
    Error *err;
    /* The reader looks every node and message name up through these, so a trace with many
     * messages reads in linear time (trace_find_msg is a scan). */
    IdMap nodes; /* node name -> node index */
    IdMap msgs;  /* message id -> message index */
} Reader;

/* A value quoted in a message: at most 64 bytes, not cut inside a UTF-8 sequence. */
static const char *quote(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (n <= 64) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    n = 64;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    snprintf(buf, size, "%.*s...", (int)n, s);
    return buf;
}

/* The version this reader takes, as text for messages ("2"). */
#define TRACE_VERSION_STR_(v) #v
#define TRACE_VERSION_STR(v) TRACE_VERSION_STR_(v)
#define TRACE_VERSION_TEXT TRACE_VERSION_STR(TRACE_FORMAT_VERSION)

/* Records the error at the current line and returns false. `fmt` takes two strings, `a` and `b`,
 * quoted from the file or naming a key; they are cut to 64 bytes, and control characters (from
 * \u escapes) and bytes that are not UTF-8 become '?', so the message stays one printable line. */
static bool fail(Reader *rd, const char *fmt, const char *a, const char *b)
{
    char where[64], qa[80], qb[80], msg[sizeof((Error *)0)->msg];
    snprintf(where, sizeof where, "line %zu", rd->line);
    snprintf(msg, sizeof msg, fmt, quote(a, qa, sizeof qa), quote(b, qb, sizeof qb));
    utf8_make_printable(msg);
    error_set(rd->err, rd->name, where, "%s", msg);
    return false;
}

static bool get_string(Reader *rd, const cJSON *obj, const char *key, bool required,
                       const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = ""; /* on every path, so that gcc -O3 sees callers' values set */
    if (!v) {
        return required ? fail(rd, "missing \"%s\"%s", key, " (expected a string)") : true;
    }
    if (!cJSON_IsString(v)) {
        return fail(rd, "\"%s\" must be a string%s", key, "");
    }
    *out = v->valuestring;
    return true;
}

/* A header string (the scenario's name, title, lesson; a node's id, label, ip): at most
 * TRACE_MAX_HEADER_STRING bytes, so that no view is handed a title of megabytes to lay out. */
static bool get_header_string(Reader *rd, const cJSON *obj, const char *key, bool required,
                              const char **out)
{
    if (!get_string(rd, obj, key, required, out)) {
        return false;
    }
    if (strlen(*out) > TRACE_MAX_HEADER_STRING) {
        _Static_assert(TRACE_MAX_HEADER_STRING == 65536, "the message below names the limit");
        return fail(rd, "\"%s\" is longer than %s bytes (64 KiB), the limit for a header string",
                    key, "65536");
    }
    return true;
}

static bool get_number(Reader *rd, const cJSON *obj, const char *key, bool required, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = 0;
    if (!v) {
        return required ? fail(rd, "missing \"%s\"%s", key, " (expected a number)") : true;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        return fail(rd, "\"%s\" must be a number%s", key, "");
    }
    *out = v->valuedouble;
    return true;
}

/* A time in seconds (0 .. TRACE_MAX_SECONDS) -> microseconds. */
static bool get_time(Reader *rd, const cJSON *obj, const char *key, bool required, int64_t *out)
{
    double s;
    if (!get_number(rd, obj, key, required, &s)) {
        return false;
    }
    if (s < 0 || s > TRACE_MAX_SECONDS) {
        return fail(rd, "\"%s\" must be a time from 0 to %s seconds", key, "100000000000");
    }
    *out = llround(s * 1e6);
    return true;
}

static int32_t find_node(const Reader *rd, const char *name)
{
    StrId id = strpool_find(trace_strings(rd->tr), name);
    return idmap_get(&rd->nodes, id); /* -1 == TRACE_NONE */
}

static int32_t find_msg(const Reader *rd, const char *name)
{
    StrId id = strpool_find(trace_strings(rd->tr), name);
    return idmap_get(&rd->msgs, id);
}

static bool get_node(Reader *rd, const cJSON *obj, const char *key, int32_t *out)
{
    const char *s;
    *out = TRACE_NONE;
    if (!get_string(rd, obj, key, false, &s)) {
        return false;
    }
    if (!cJSON_GetObjectItemCaseSensitive(obj, key)) {
        return true;
    }
    *out = find_node(rd, s);
    return *out != TRACE_NONE ? true : fail(rd, "unknown node \"%s\" in \"%s\"", s, key);
}

static bool get_msg(Reader *rd, const cJSON *obj, const char *key, bool required, int32_t *out)
{
    const char *s;
    *out = TRACE_NONE;
    if (!get_string(rd, obj, key, required, &s)) {
        return false;
    }
    if (!cJSON_GetObjectItemCaseSensitive(obj, key)) {
        return true;
    }
    *out = find_msg(rd, s);
    return *out != TRACE_NONE ? true : fail(rd, "unknown message \"%s\" in \"%s\"", s, key);
}

/* A node position: a number from 0 to 1, as in a scenario's "pos". */
static bool get_coord(Reader *rd, const cJSON *obj, const char *key, float *out)
{
    double v;
    if (!get_number(rd, obj, key, true, &v)) {
        return false;
    }
    if (v < 0 || v > 1) {
        return fail(rd, "\"%s\" must be a position from 0 to 1%s", key, "");
    }
    *out = (float)v;
    return true;
}

static bool read_node(Reader *rd, const cJSON *it)
{
    const char *id, *kind, *label, *ip;
    StrPool *sp = trace_strings(rd->tr);
    if (!cJSON_IsObject(it)) {
        return fail(rd, "each of \"nodes\" must be an object {\"id\", \"kind\", ...}%s%s", "", "");
    }
    if (!get_header_string(rd, it, "id", true, &id) || !get_string(rd, it, "kind", true, &kind) ||
        !get_header_string(rd, it, "label", false, &label) ||
        !get_header_string(rd, it, "ip", false, &ip)) {
        return false;
    }
    int k = trace_node_kind_from_name(kind);
    if (k < 0) {
        return fail(rd, "unknown node kind \"%s\" for node \"%s\"", kind, id);
    }
    if (find_node(rd, id) != TRACE_NONE) {
        return fail(rd, "node \"%s\" is listed twice%s", id, "");
    }
    if (trace_node_count(rd->tr) >= TRACE_MAX_NODES) {
        _Static_assert(TRACE_MAX_NODES == 32767, "the message below names the limit");
        return fail(rd, "more than 32767 nodes%s%s", "", "");
    }
    TraceNode n = { .name = strpool_intern(sp, id),
                    .label = strpool_intern(sp, label),
                    .ip = strpool_intern(sp, ip),
                    .kind = (NodeKind)k };
    if (cJSON_GetObjectItemCaseSensitive(it, "x")) {
        if (!get_coord(rd, it, "x", &n.x) || !get_coord(rd, it, "y", &n.y)) {
            return false;
        }
        n.has_pos = true;
    }
    idmap_set(&rd->nodes, n.name, trace_add_node(rd->tr, &n));
    return true;
}

static bool read_link(Reader *rd, const cJSON *it)
{
    TraceLink l;
    if (!cJSON_IsObject(it)) {
        return fail(rd, "each of \"links\" must be an object {\"a\", \"b\", \"latency\"}%s%s", "",
                    "");
    }
    if (!get_node(rd, it, "a", &l.a) || !get_node(rd, it, "b", &l.b) ||
        !get_time(rd, it, "latency", true, &l.latency_us)) {
        return false;
    }
    if (l.a == TRACE_NONE || l.b == TRACE_NONE) {
        return fail(rd, "a link needs both \"a\" and \"b\"%s%s", "", "");
    }
    trace_add_link(rd->tr, &l);
    return true;
}

static bool read_header(Reader *rd, const cJSON *h)
{
    const char *format, *scenario, *title, *lesson;
    double version, seed;
    if (!cJSON_GetObjectItemCaseSensitive(h, "format")) {
        return fail(rd, "not a mailsim trace: the first line has no \"format\" (expected a header "
                        "{\"format\": \"%s\", \"version\": %s, ...})",
                    TRACE_FORMAT_NAME, TRACE_VERSION_TEXT);
    }
    if (!get_string(rd, h, "format", true, &format)) {
        return false;
    }
    if (strcmp(format, TRACE_FORMAT_NAME) != 0) {
        return fail(rd, "not a mailsim trace: \"format\" is \"%s\", expected \"%s\"", format,
                    TRACE_FORMAT_NAME);
    }
    if (!get_number(rd, h, "version", true, &version)) {
        return false;
    }
    if (version != TRACE_FORMAT_VERSION) {
        char v[32];
        snprintf(v, sizeof v, "%g", version);
        if (version >= 1 && version < TRACE_FORMAT_VERSION && version == (int)version) {
            return fail(rd,
                        "trace version %s was written by an earlier mailsim (this one reads "
                        "version %s): run its scenario again to record it anew",
                        v, TRACE_VERSION_TEXT);
        }
        return fail(rd, "trace version %s is not supported (this mailsim reads version %s)", v,
                    TRACE_VERSION_TEXT);
    }
    if (!get_header_string(rd, h, "scenario", true, &scenario) ||
        !get_number(rd, h, "seed", true, &seed) ||
        !get_header_string(rd, h, "title", false, &title) ||
        !get_header_string(rd, h, "lesson", false, &lesson)) {
        return false;
    }
    if (seed < 0 || seed > 9007199254740991.0 || seed != floor(seed)) {
        return fail(rd, "\"seed\" must be a whole number from 0 to 2^53-1%s%s", "", "");
    }
    trace_set_meta(rd->tr, scenario, title, lesson, (uint64_t)seed);
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(h, "nodes");
    if (!cJSON_IsArray(nodes)) {
        return fail(rd, "missing \"nodes\" (expected an array of nodes)%s%s", "", "");
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, nodes)
    {
        if (!read_node(rd, it)) {
            return false;
        }
    }
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(h, "links");
    if (!cJSON_IsArray(links)) {
        return fail(rd, "missing \"links\" (expected an array of links)%s%s", "", "");
    }
    cJSON_ArrayForEach(it, links)
    {
        if (!read_link(rd, it)) {
            return false;
        }
    }
    return true;
}

static bool read_compose(Reader *rd, const cJSON *obj, TraceEvent *ev)
{
    const char *id, *sender, *subject;
    double size;
    StrPool *sp = trace_strings(rd->tr);
    if (!get_string(rd, obj, "msg", true, &id) || !get_string(rd, obj, "sender", true, &sender) ||
        !get_string(rd, obj, "subject", true, &subject) ||
        !get_number(rd, obj, "size", true, &size)) {
        return false;
    }
    if (size < 0 || size > 9007199254740991.0 || size != floor(size)) {
        return fail(rd, "\"size\" must be a whole number of bytes from 0 to 2^53-1%s%s", "", "");
    }
    if (find_msg(rd, id) != TRACE_NONE) {
        return fail(rd, "message \"%s\" is composed twice%s", id, "");
    }
    TraceMsg m = { .id = strpool_intern(sp, id),
                   .sender = strpool_intern(sp, sender),
                   .subject = strpool_intern(sp, subject),
                   .size_bytes = (int64_t)size,
                   .parent = TRACE_NONE,
                   .client = ev->from };
    if (!get_msg(rd, obj, "parent", false, &m.parent)) {
        return false;
    }
    const cJSON *rcpts = cJSON_GetObjectItemCaseSensitive(obj, "rcpt");
    if (!cJSON_IsArray(rcpts)) {
        return fail(rd, "\"rcpt\" must be an array of addresses%s%s", "", "");
    }
    int n = cJSON_GetArraySize(rcpts);
    if (n < 0 || (unsigned)n > TRACE_MAX_RCPTS) {
        return fail(rd, "a message has more than %s recipients%s", "1000", "");
    }
    StrId *ids = xmalloc(sizeof *ids * (size_t)(n ? n : 1));
    int k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, rcpts)
    {
        if (!cJSON_IsString(it)) {
            free(ids);
            return fail(rd, "\"rcpt\" must be an array of addresses%s%s", "", "");
        }
        ids[k++] = strpool_intern(sp, it->valuestring);
    }
    ev->msg = trace_add_msg(rd->tr, &m, ids, (uint32_t)k);
    idmap_set(&rd->msgs, m.id, ev->msg);
    free(ids);
    return true;
}

/* The sub value a V_DIR field's name stands for, or -1. */
static int dir_from_name(const Field *f, const char *s)
{
    for (int v = 0; v < (int)(sizeof f->names / sizeof f->names[0]); v++) {
        if (strcmp(s, f->names[v]) == 0) {
            return v;
        }
    }
    return -1;
}

static bool read_enum(Reader *rd, const Field *f, const char *s, int64_t *out)
{
    int v = -1;
    switch ((ValueType)f->type) {
    case V_RCODE: v = trace_rcode_from_name(s); break;
    case V_QTYPE: v = trace_qtype_from_name(s); break;
    case V_FOLDER: v = trace_folder_from_name(s); break;
    case V_CONN: v = trace_conn_from_name(s); break;
    case V_DIR: v = dir_from_name(f, s); break;
    case V_ACTION: v = trace_dsn_action_from_name(s); break;
    case V_VERIFY: v = trace_verify_from_name(s); break;
    default: break;
    }
    if (v < 0) {
        return fail(rd, "\"%s\" has an unknown value \"%s\"", f->key, s);
    }
    *out = v;
    return true;
}

static void set_slot(TraceEvent *ev, Slot slot, int64_t v)
{
    switch (slot) {
    case S_TEXT: ev->text = (StrId)v; break;
    case S_AUX: ev->aux = (StrId)v; break;
    case S_NUM: ev->num = (int32_t)v; break;
    case S_NUM2: ev->num2 = (int32_t)v; break;
    case S_SUB: ev->sub = (uint8_t)v; break;
    case S_ARRIVE: ev->arrive_us = v; break;
    }
}

static bool read_field(Reader *rd, const cJSON *obj, const Field *f, TraceEvent *ev)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->key);
    bool required = f->when == W_ALWAYS || (f->when == W_ANSWER && ev->sub == TRACE_ANSWER);
    if (!v) {
        return required ? fail(rd, "missing \"%s\" for this kind of event%s", f->key, "") : true;
    }
    int64_t val = 0;
    double d;
    const char *s;
    switch ((ValueType)f->type) {
    case V_STR:
        if (!get_string(rd, obj, f->key, true, &s)) {
            return false;
        }
        val = strpool_intern(trace_strings(rd->tr), s);
        break;
    case V_INT:
    case V_MILLI:
        if (!get_number(rd, obj, f->key, true, &d)) {
            return false;
        }
        d = f->type == V_MILLI ? d * 1000.0 : d;
        if (d < -2147483648.0 || d > 2147483647.0) {
            return fail(rd, "\"%s\" is out of range%s", f->key, "");
        }
        val = llround(d);
        if (f->slot == S_NUM2 && (val < TRACE_NUM2_MIN || val > TRACE_NUM2_MAX)) {
            return fail(rd, "\"%s\" is out of range%s", f->key, "");
        }
        break;
    case V_TIME:
        if (!get_time(rd, obj, f->key, true, &val)) {
            return false;
        }
        break;
    case V_MSG: {
        int32_t m;
        if (!get_msg(rd, obj, f->key, true, &m)) {
            return false;
        }
        val = (int64_t)m + 1;
        break;
    }
    case V_DSN:
        if (!get_string(rd, obj, f->key, true, &s)) {
            return false;
        }
        val = trace_dsn_pack(s);
        if (val == 0) {
            return fail(rd, "\"%s\" must be an enhanced status code such as \"5.1.1\" (RFC 3463), "
                            "not \"%s\"", f->key, s);
        }
        break;
    default:
        if (!get_string(rd, obj, f->key, true, &s) || !read_enum(rd, f, s, &val)) {
            return false;
        }
    }
    set_slot(ev, (Slot)f->slot, val);
    return true;
}

static bool read_flag(Reader *rd, const cJSON *obj, const char *key, uint16_t bit, TraceEvent *ev)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        return true;
    }
    if (!cJSON_IsTrue(v)) {
        return fail(rd, "\"%s\" may only be true%s", key, "");
    }
    ev->flags |= bit;
    return true;
}

static bool read_event(Reader *rd, const cJSON *obj, int64_t *last_t)
{
    const char *kind_name, *caption;
    TraceEvent ev = trace_event_init(TK_ACTION, 0);
    if (!get_time(rd, obj, "t", true, &ev.t_us) ||
        !get_string(rd, obj, "kind", true, &kind_name)) {
        return false;
    }
    int kind = trace_kind_from_name(kind_name);
    if (kind < 0) {
        return fail(rd, "unknown event kind \"%s\"%s", kind_name, "");
    }
    ev.kind = (uint8_t)kind;
    if (ev.t_us < *last_t) {
        return fail(rd, "events out of order: this event is earlier than the one before it%s%s",
                    "", "");
    }
    *last_t = ev.t_us;
    int32_t from, to;
    if (!get_node(rd, obj, "from", &from) || !get_node(rd, obj, "to", &to)) {
        return false;
    }
    ev.from = (int16_t)from; /* read_node keeps node indices below TRACE_MAX_NODES */
    ev.to = (int16_t)to;
    if (cJSON_GetObjectItemCaseSensitive(obj, "arrive") &&
        !get_time(rd, obj, "arrive", true, &ev.arrive_us)) {
        return false;
    }
    if (kind == TK_COMPOSE) {
        if (!read_compose(rd, obj, &ev)) {
            return false;
        }
    } else if (!get_msg(rd, obj, "msg", false, &ev.msg)) {
        return false;
    }
    /* Fields are read in table order, so a direction ("dir") is known before its dependants. */
    const char *arrive_key = "arrive";
    for (int i = 0; i < MAX_FIELDS && FIELDS[kind][i].key; i++) {
        if (!read_field(rd, obj, &FIELDS[kind][i], &ev)) {
            return false;
        }
        if (FIELDS[kind][i].slot == S_ARRIVE) {
            arrive_key = FIELDS[kind][i].key; /* a deferral's "next_try" */
        }
    }
    /* Whichever key carries it, the arrival (or next try) cannot come before the event. */
    if (ev.arrive_us != TRACE_NO_TIME && ev.arrive_us < ev.t_us) {
        return fail(rd, "\"%s\" is before \"t\"%s", arrive_key, "");
    }
    if (!read_flag(rd, obj, "cached", TRACE_F_CACHED, &ev) ||
        !read_flag(rd, obj, "reject", TRACE_F_REJECT, &ev) ||
        !get_string(rd, obj, "caption", false, &caption)) {
        return false;
    }
    uint32_t index = trace_append(rd->tr, &ev);
    if (caption[0]) {
        trace_set_caption(rd->tr, index, strpool_intern(trace_strings(rd->tr), caption));
    }
    return true;
}

/* Reads one line into *buf (growing it); returns its length, or -1 at end of input. A line longer
 * than `max` bytes sets *too_long and stops there: the file is refused, so the rest of it is
 * never read and memory stays bounded. `*cut` tells whether the line lacked its newline. */
static long read_line(Source *in, size_t max, char **buf, size_t *cap, bool *too_long, bool *cut)
{
    size_t n = 0;
    int c;
    *too_long = false;
    *cut = false;
    while ((c = source_getc(in)) != EOF && c != '\n') {
        if (n >= max) {
            *too_long = true;
            break;
        }
        if (n + 2 > *cap) {
            *buf = xgrow(*buf, cap, n + 2, 1);
        }
        (*buf)[n++] = (char)c;
    }
    if (c == EOF && n == 0) {
        return -1;
    }
    *cut = c == EOF;
    if (!*buf) {
        *buf = xgrow(*buf, cap, 1, 1);
    }
    (*buf)[n] = '\0';
    return (long)n;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* What is wrong with the bytes of a line before it is parsed, or NULL: a trace is UTF-8 text
 * with one JSON object on every line. */
static const char *line_problem(const char *s, size_t len)
{
    bool blank = true;
    for (size_t i = 0; i < len;) {
        if (s[i] == '\0') {
            return "a NUL byte; a trace is a UTF-8 text file";
        }
        size_t n = utf8_seq((const unsigned char *)s + i, len - i);
        if (n == 0) {
            return "bytes that are not valid UTF-8; a trace is a UTF-8 text file";
        }
        blank = blank && is_space(s[i]);
        i += n;
    }
    return blank ? "an empty line (expected one JSON object on every line)" : NULL;
}

/* The first key longer than TRACE_MAX_KEY in v or anything inside it, or NULL. No trace has such
 * a key; refusing it keeps an unknown key of megabytes from being carried anywhere. cJSON's
 * nesting limit bounds the recursion. */
static const cJSON *long_key(const cJSON *v)
{
    for (const cJSON *e = v ? v->child : NULL; e; e = e->next) {
        if (e->string && strlen(e->string) > TRACE_MAX_KEY) {
            return e;
        }
        const cJSON *inner = long_key(e);
        if (inner) {
            return inner;
        }
    }
    return NULL;
}

/* Parses one line: a JSON object and nothing after it but spaces, or NULL with the error set. */
static cJSON *parse_line(Reader *rd, const char *buf, size_t len, bool cut)
{
    const char *problem = line_problem(buf, len);
    if (problem) {
        fail(rd, "%s%s", problem, "");
        return NULL;
    }
    const char *end = NULL;
    cJSON *obj = cJSON_ParseWithLengthOpts(buf, len, &end, false);
    if (!cJSON_IsObject(obj)) {
        cJSON_Delete(obj);
        fail(rd,
             cut ? "the file ends in the middle of a line (truncated trace?)%s%s"
                 : "not a JSON object (expected one event per line)%s%s",
             "", "");
        return NULL;
    }
    while (end && end < buf + len && is_space(*end)) {
        end++;
    }
    if (end && end < buf + len) {
        cJSON_Delete(obj);
        fail(rd, "more text after the JSON object (expected one object per line)%s%s", "", "");
        return NULL;
    }
    const cJSON *key = long_key(obj);
    if (key) {
        _Static_assert(TRACE_MAX_KEY == 64, "the message below names the limit");
        char bytes[32];
        snprintf(bytes, sizeof bytes, "%zu", strlen(key->string));
        fail(rd, "a key of %s bytes (\"%s\"); no key of a trace is longer than 64 bytes", bytes,
             key->string);
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

Trace *trace_read_jsonl(FILE *in, const char *name, Error *err)
{
    return trace_read_jsonl_after(in, NULL, 0, name, err);
}

Trace *trace_read_jsonl_after(FILE *in, const char *head, size_t head_len, const char *name,
                              Error *err)
{
    Source src = { head, head_len, 0, in };
    Reader rd = { .tr = trace_create(), .name = name, .line = 0, .err = err };
    char *buf = NULL;
    size_t cap = 0;
    bool too_long, cut, ok = true, have_header = false;
    int64_t last_t = INT64_MIN;
    long len;
    while (ok && (len = read_line(&src, have_header ? TRACE_MAX_LINE : TRACE_MAX_HEADER_LINE, &buf,
                                  &cap, &too_long, &cut)) >= 0) {
        rd.line++;
        if (too_long) {
            ok = have_header ? fail(&rd, "line is longer than %s bytes%s", "1048576", "")
                             : fail(&rd, "the header line is longer than %s bytes%s", "67108864", "");
            break;
        }
        if (trace_count(rd.tr) >= TRACE_MAX_EVENTS) {
            char limit[24];
            snprintf(limit, sizeof limit, "%u", TRACE_MAX_EVENTS);
            ok = fail(&rd, "more than %s events%s", limit, "");
            break;
        }
        cJSON *obj = parse_line(&rd, buf, (size_t)len, cut);
        if (!obj) {
            ok = false;
        } else if (!have_header) {
            ok = read_header(&rd, obj);
            have_header = true;
        } else {
            ok = read_event(&rd, obj, &last_t);
        }
        cJSON_Delete(obj);
    }
    free(buf);
    idmap_free(&rd.nodes);
    idmap_free(&rd.msgs);
    if (ok && !have_header) {
        rd.line = 1;
        ok = fail(&rd, "the file is empty (expected a mailsim trace header)%s%s", "", "");
    }
    if (ok && ferror(in)) {
        ok = fail(&rd, "read error%s%s", "", "");
    }
    if (!ok) {
        trace_destroy(rd.tr);
        return NULL;
    }
    return rd.tr;
}
