/* narrate: the trace told in words — one readable line per event for the terminal log and the
 * player's event list, and a plain-language caption where a step deserves one (a scenario's own
 * caption wins over the default). A view: reads the trace, owns nothing. */
#ifndef MAILSIM_NARRATE_H
#define MAILSIM_NARRATE_H

#include "trace/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* "smtp.a.example → mx.b.example  RCPT TO:<bob@b.example>" (no clock) for event i. Multi-line
 * SMTP replies keep their newlines. Returns buf. */
const char *narrate_event(const Trace *tr, uint32_t i, char *buf, size_t size);

/* The caption for event i: the scenario's, else a default for the kinds of step a class should
 * notice (a rejection, a deferral, a bounce, a spam verdict, a delivery, ...), else "" */
const char *narrate_caption(const Trace *tr, uint32_t i, char *buf, size_t size);

/* Writes event i's lines of the narrated log (below). */
void narrate_write_event(const Trace *tr, uint32_t i, FILE *out);

/* Writes the whole narrated log: "00:00:01.250  <event>" per event, continuation lines
 * indented, captions on their own line after an arrow. */
void narrate_write(const Trace *tr, FILE *out);

#endif
