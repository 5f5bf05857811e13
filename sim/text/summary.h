/* summary: one row per (message, recipient) with its outcome, computed from the trace alone (so
 * it works for a replayed trace as for a live run). Bounces are messages too and have rows. */
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
    bool fetched;       /* the recipient's client downloaded it */
} SummaryRow;

typedef struct {
    SummaryRow *rows;
    size_t count;
} Summary;

/* Never returns NULL. */
Summary *summary_build(const Trace *tr);
void summary_destroy(Summary *s);

/* {"scenario":…,"seed":…,"messages":[…]} with one object per row. False if writing failed. */
bool summary_write_json(const Trace *tr, const Summary *s, FILE *out);

#endif
