/* summary: one row per (message, recipient) with its outcome, computed from the trace alone (so
 * it works for a replayed trace as for a live run). Bounces are messages too and have rows. An
 * address verifier's probes are not mail: they have no rows; each probed address has a verdict
 * row instead. */
#ifndef MAILSIM_SUMMARY_H
#define MAILSIM_SUMMARY_H

#include "model/world.h" /* RcptStatus */
#include "trace/trace.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct {
    int32_t msg;        /* trace message index */
    StrId rcpt;         /* trace pool */
    RcptStatus status;  /* delivered | bounced | deferred | dropped */
    TraceFolder folder; /* where delivery filed it (later moves by the user are not counted) */
    uint32_t attempts;  /* delivery attempts by the sender's outgoing server for this recipient */
    int64_t sent_us;    /* when it was composed */
    int64_t final_us;   /* delivery or bounce time, or -1 */
    StrId reply;        /* last reply or reason for this recipient, STR_EMPTY if none */
    int32_t dsn;        /* its enhanced status code (trace_dsn_pack), as Postfix logs it; 0 if none */
    bool fetched;       /* the recipient's client downloaded it */
} SummaryRow;

/* One address an address verifier probed, in verdict order. */
typedef struct {
    int32_t verifier;           /* node */
    StrId address;              /* trace pool */
    TraceVerifyVerdict verdict;
    StrId reason;
    int32_t dsn;                /* status of the reply that decided it, 0 if none */
    int64_t t_us;
} SummaryVerdict;

typedef struct {
    SummaryRow *rows;
    size_t count;
    SummaryVerdict *verdicts;
    size_t verdict_count;
} Summary;

/* Never returns NULL. */
Summary *summary_build(const Trace *tr);
void summary_destroy(Summary *s);

/* {"scenario":…,"seed":…,"messages":[…]} with one object per row, and "verdicts":[…] when an
 * address verifier ran. False if writing failed. */
bool summary_write_json(const Trace *tr, const Summary *s, FILE *out);

#endif
