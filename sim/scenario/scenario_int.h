/* scenario_int: what the loader's files share, and nothing outside sim/scenario includes it.
 *
 * The loader (scenario.h) is one module in seven files, split by concern:
 *   scenario.c         the entry points, the limits on the file, the top level and the
 *                      cross-checks that need the whole file
 *   scenario_json.c    step 1, the text: strict JSON syntax, UTF-8, nesting depth; and the check
 *                      every object gets, unknown and duplicate keys
 *   scenario_report.c  the path machinery and the messages: where an error is, what was found,
 *                      what was expected, "did you mean"
 *   scenario_values.c  typed values: numbers, times, strings, names, addresses, IPs, enums,
 *                      node references, arrays
 *   scenario_nodes.c   the network: nodes of every kind, links, DNS zones
 *   scenario_mail.c    the mail: messages and mailings, actions, captions, expectations
 *   scenario_ask.c     questions ("ask"), the actions a teacher adds mid-run, and one action
 *                      given on its own (scenario_add_action_json: `mailsim run --act`)
 *
 * Functions shared between the files have external linkage and an sc_ prefix so that they stay
 * out of the way of every other module's names; everything else is static in its file.
 * Every sc_ function that reads returns false with the Error set at the current path (sc_fail),
 * so that parse functions can chain them with && and stop at the first problem.
 */
#ifndef MAILSIM_SCENARIO_INT_H
#define MAILSIM_SCENARIO_INT_H

#include "scenario/scenario.h"

#include "util/idmap.h"
#include "util/pairmap.h"

#include <cjson/cJSON.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_SAFE_INT INT64_C(9007199254740991) /* 2^53 - 1: the integers a double holds exactly */
#define MAX_US (SCENARIO_MAX_SECONDS * US_PER_S)
#define MAX_COUNT INT64_C(1000000) /* ceiling for counters such as concurrency or max_links */
#define LIST_CHARS 360             /* room for "defined nodes: a, b, ..." inside a message */
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define KIND_BIT(k) (1u << (unsigned)(k))
#define ANY_NODE ((1u << NODE_KIND_COUNT) - 1u)

#if defined(__GNUC__)
#define SC_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define SC_PRINTF_LIKE(f, a)
#endif

/* ==== the load context ======================================================================= */

/* One load's state. The look-up tables live only for the load (scenario.c frees them). */
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
    /* The two ends of each link in "links" -> its index there: the duplicate check is O(1) a
     * link. */
    PairMap links;
    uint32_t dns_records; /* records from "dns.records"; blocklist entries follow them */
    uint64_t rcpt_total;  /* recipients of all messages so far (SCENARIO_MAX_RECIPIENTS) */
} Ctx;

/* The keys an object may have. */
typedef struct {
    const char *const *keys;
    size_t count;
} KeySet;

#define KEYSET(a)                                                                                  \
    {                                                                                              \
        a, COUNT_OF(a)                                                                             \
    }

static inline StrId sc_intern(Ctx *c, const char *s)
{
    return strpool_intern(c->w->strings, s);
}

static inline const char *sc_str(const Ctx *c, StrId id)
{
    return strpool_get(c->w->strings, id);
}

/* "a" or "an", for "a resolver", "an incoming node". */
static inline const char *sc_kind_article(NodeKind k)
{
    return k == NODE_OUTGOING || k == NODE_INCOMING ? "an" : "a";
}

/* ==== small text helpers (ASCII only, whatever the locale) =================================== */

static inline bool sc_is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static inline bool sc_is_alpha(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static inline char sc_to_lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* C0 controls and DEL: never shown as they are in a message or a path. */
static inline bool sc_is_control(unsigned char ch)
{
    return ch < 0x20 || ch == 0x7F;
}

/* ==== scenario_report.c: paths and messages ================================================== */

/* Path building: each push returns a mark that sc_path_pop restores. A path too long for the
 * buffer is cut (it is only ever shown). */
size_t sc_path_pushf(Ctx *c, const char *fmt, ...) SC_PRINTF_LIKE(2, 3);
size_t sc_path_key(Ctx *c, const char *key);
size_t sc_path_index(Ctx *c, size_t i);
void sc_path_pop(Ctx *c, size_t mark);

/* Record the error at the current path (sc_fail_at: plus `key`) and return false. */
bool sc_fail(Ctx *c, const char *fmt, ...) SC_PRINTF_LIKE(2, 3);
bool sc_fail_at(Ctx *c, const char *key, const char *fmt, ...) SC_PRINTF_LIKE(3, 4);
/* "expected <what>, got <value>" at the current path; returns false. */
bool sc_type_error(Ctx *c, const cJSON *v, const char *expected);
/* A short description of a JSON value for "got ..." in messages, in buf. */
const char *sc_describe(const cJSON *v, char *buf, size_t size);

/* The candidates a message lists after "expected one of:" or "defined nodes:": a ", "-separated
 * list kept under LIST_CHARS (the rest counted as ", ... (N more)"), and, when `want` is given,
 * the candidate closest to it (edit distance <= 2 and shorter than the candidate) as a hint. */
typedef struct {
    const char *want; /* NULL: no hint */
    char list[LIST_CHARS + 32];
    size_t dropped;
    const char *best;
    size_t best_dist;
    char hint[96]; /* after sc_candidates_end: " (did you mean \"x\"?)" or "" */
} Candidates;

void sc_candidates_start(Candidates *cd, const char *want);
void sc_candidates_add(Candidates *cd, const char *name);
void sc_candidates_add_all(Candidates *cd, const char *const *names, size_t n);
void sc_candidates_end(Candidates *cd);

/* ==== scenario_json.c: the text and the keys ================================================= */

/* Parses text (NUL-terminated at text[len]) into a cJSON tree, or NULL with err set. */
cJSON *sc_parse_json(const char *text, size_t len, const char *file, Error *err);
/* Rejects keys not in `allowed` (with a "did you mean" hint) and keys given twice. `noun` is
 * "key" or "rule"; `what`, when non-NULL, names the object ("a client node"). */
bool sc_check_keys(Ctx *c, const cJSON *obj, const char *const *allowed, size_t n, const char *noun,
                   const char *what);

/* ==== scenario_values.c: typed values ======================================================== */
/* Each sc_val_* reads the value at the current path; each sc_get_* looks a key up in an object,
 * and when present reads it with the key pushed on the path. An absent key leaves *out alone,
 * which is how defaults survive. */

/* The strings a scenario holds, by what they must look like; all are interned. */
typedef enum {
    STR_TEXT,     /* any string up to SCENARIO_MAX_STRING_BYTES */
    STR_NONEMPTY, /* the same, not "" */
    STR_DOMAIN,   /* a domain name, stored lower case without its trailing dot */
    STR_TLD,      /* a top-level domain, likewise */
    STR_ADDRESS,  /* an e-mail address, its domain stored lower case */
    STR_MSG_REF,  /* a message id an action or caption may name (scenario_mail.c) */
    STR_USER,     /* the address of a client that reads a store (scenario_mail.c) */
} StrForm;

/* Durations, by unit; all are stored in microseconds, never above SCENARIO_MAX_DAYS. */
typedef enum {
    TIME_SECONDS,          /* seconds >= 0 */
    TIME_POSITIVE_SECONDS, /* seconds > 0 (and at least a microsecond) */
    TIME_MS,               /* milliseconds >= 0 */
    TIME_POSITIVE_DAYS,    /* days > 0 */
} TimeForm;

const cJSON *sc_field(const cJSON *obj, const char *key);
/* obj[key], with the key pushed on the path when present; *mark restores the path. */
const cJSON *sc_enter(Ctx *c, const cJSON *obj, const char *key, size_t *mark);
/* Fails with "missing required key" unless obj has key; `why` says what it is for. */
bool sc_need(Ctx *c, const cJSON *obj, const char *key, const char *why);
bool sc_want_object(Ctx *c, const cJSON *v);
/* sc_want_object, and sc_check_keys: every key is one of keys[0..n-1], and only once. */
bool sc_want_keys(Ctx *c, const cJSON *v, const char *const *keys, size_t n);
/* Checks that v is an array of min..max elements; `what` names the elements. */
bool sc_want_array(Ctx *c, const cJSON *v, size_t min, size_t max, const char *what);
bool sc_is_finite_number(const cJSON *v);

bool sc_val_str(Ctx *c, const cJSON *v, StrForm form, StrId *out);
bool sc_val_time(Ctx *c, const cJSON *v, TimeForm form, int64_t *us);
bool sc_val_int(Ctx *c, const cJSON *v, int64_t min, int64_t max, int64_t *out);
bool sc_val_ip(Ctx *c, const cJSON *v, uint32_t *out);
/* A node or message id: 1-64 visible ASCII characters; `what` is "node" or "message". */
bool sc_val_id(Ctx *c, const cJSON *v, const char *what, StrId *out);
/* A reference to a node whose kind is in `mask` (KIND_BIT, ANY_NODE). */
bool sc_val_node(Ctx *c, const cJSON *v, unsigned mask, int32_t *out);

bool sc_get_str(Ctx *c, const cJSON *obj, const char *key, StrForm form, StrId *out);
bool sc_get_time(Ctx *c, const cJSON *obj, const char *key, TimeForm form, int64_t *us);
bool sc_get_int(Ctx *c, const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out);
bool sc_get_u32(Ctx *c, const cJSON *obj, const char *key, int64_t min, int64_t max, uint32_t *out);
bool sc_get_bool(Ctx *c, const cJSON *obj, const char *key, bool *out);
/* A spam score in points (-100 to 100) -> thousandths. */
bool sc_get_score(Ctx *c, const cJSON *obj, const char *key, int32_t *milli);
/* A bandwidth in Mbit/s (0.0000005, which rounds to 1 bit/s, to 1 Tbit/s) -> bit/s. */
bool sc_get_bandwidth(Ctx *c, const cJSON *obj, const char *key, int64_t *bps);
bool sc_get_ip(Ctx *c, const cJSON *obj, const char *key, uint32_t *out);
/* One of names[0..n-1] -> its index. */
bool sc_get_enum(Ctx *c, const cJSON *obj, const char *key, const char *const *names, size_t n,
                 int *out);
bool sc_get_node(Ctx *c, const cJSON *obj, const char *key, unsigned mask, int32_t *out);

/* An array of STR_DOMAIN or STR_TLD strings. The array is handed to *arr at once, and *count
 * grows as names are read, so the World frees it whatever happens. */
bool sc_get_names(Ctx *c, const cJSON *obj, const char *key, StrForm form, StrId **arr,
                  uint32_t *count);
/* [min, max] in milliseconds, min <= max. */
bool sc_get_ms_range(Ctx *c, const cJSON *obj, const char *key, int64_t *lo, int64_t *hi);
/* N (exactly N) or {"min", "max"} (either may be left out = unbounded, -1), min <= max. With
 * `seconds`, values are durations in seconds and only the object form is taken. */
bool sc_get_bounds(Ctx *c, const cJSON *obj, const char *key, bool seconds, int64_t max,
                   int64_t *lo, int64_t *hi);

/* Reads element i of an array; `arg` is what the caller handed on (NULL when nothing). */
typedef bool (*ElementReader)(Ctx *c, const cJSON *e, size_t i, void *arg);
/* Calls read on each element of the array v with "[i]" on the path, and stops at the first
 * that fails. v must be an array (sc_want_array). */
bool sc_each_element(Ctx *c, const cJSON *v, ElementReader read, void *arg);
/* The same for the array at obj[key] (absent = nothing to do), which must hold at most `max`
 * elements; `what` names them. */
bool sc_parse_each(Ctx *c, const cJSON *obj, const char *key, size_t max, const char *what,
                   ElementReader read, void *arg);

/* A time at which something happens must fall inside the run. */
bool sc_check_in_horizon(Ctx *c, const char *key, int64_t at_us);

/* ==== scenario_nodes.c: the network ========================================================== */

bool sc_parse_network(Ctx *c, const cJSON *root);                /* "network": the default link */
bool sc_parse_nodes(Ctx *c, const cJSON *root);                  /* "nodes", required */
bool sc_parse_link(Ctx *c, const cJSON *v, size_t i, void *arg); /* one of "links" */
bool sc_parse_dns(Ctx *c, const cJSON *root);                    /* "dns"; sets c->dns_records */

/* ==== scenario_verify.c: the address verifier ================================================ */

/* A client's "verify", "resolver", "vrfy" and "verify_at_s"; a store's "catch_all" (read after
 * its mailboxes). */
bool sc_parse_verifier(Ctx *c, const cJSON *v, int32_t self);
bool sc_parse_catch_all(Ctx *c, const cJSON *v, int32_t self);

/* ==== scenario_mail.c: the mail ============================================================== */

/* One element of "messages", "actions", "captions" (ElementReaders; arg unused). */
bool sc_parse_message(Ctx *c, const cJSON *v, size_t i, void *arg);
bool sc_parse_action(Ctx *c, const cJSON *v, size_t i, void *arg);
bool sc_parse_caption(Ctx *c, const cJSON *v, size_t i, void *arg);
bool sc_parse_expect(Ctx *c, const cJSON *root);
/* If s is "<id>.<k>", the id of copy k of a one-per-recipient message defined so far, that
 * message's index; else -1. */
int32_t sc_copy_of(Ctx *c, const char *s);
bool sc_val_msg_ref(Ctx *c, const cJSON *v, StrId *out);
bool sc_val_user(Ctx *c, const cJSON *v, StrId *out);

/* An event selector (expect.events, a question's "before" and "check"): the keys it may have,
 * and the reading of them from an object whose keys the caller has checked ("kind" required). */
#define SC_SELECTOR_KEYS "kind", "msg", "from", "to", "code", "qtype", "text_contains"
bool sc_get_selector(Ctx *c, const cJSON *v, EventSelector *sel);

/* ==== scenario_ask.c: questions and actions given one at a time ============================ */

bool sc_parse_ask(Ctx *c, const cJSON *root); /* "ask" */
/* The details of the actions a teacher adds mid-run (ACT_OUTAGE_END and after), for
 * scenario_mail.c's sc_parse_action; `a` is the action already added. */
bool sc_parse_intervention(Ctx *c, const cJSON *v, Action *a);
/* A "send" action: a message written as an action (a message's keys, "at_s" required), added
 * like one of "messages". */
bool sc_parse_send_action(Ctx *c, const cJSON *v);

#endif
