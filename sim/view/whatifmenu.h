/* whatifmenu: what the player's "What if…?" menu shows and edits — the changes offered for the
 * selected node or message (each already written as an action object of the scenario format),
 * the marks of the changes made so far, and the small form for "send one more message".
 *
 * Owns: only the plain data below (fixed-size, no heap). Does not build the actions (app/whatif
 * does, from the World) and draws nothing. SDL-free, so the form's editing rules are tested.
 */
#ifndef MAILSIM_WHATIFMENU_H
#define MAILSIM_WHATIFMENU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WHATIF_MAX_CHOICES 9    /* keys 1 to 9 */
#define WHATIF_LABEL_MAX 120
#define WHATIF_JSON_MAX 640
#define WHATIF_MAX_ADDRESSES 32

typedef struct {
    char label[WHATIF_LABEL_MAX]; /* "Take mx.b.example down" */
    char json[WHATIF_JSON_MAX];   /* the action object, "at_s" included; "" when `form` */
    bool form;                    /* "Send one more message…": opens the send form instead */
} WhatIfChoice;

/* A change made: when, where it shows on the canvas, and what it was, in a few words. */
typedef struct {
    int64_t at_us;
    int32_t node; /* the node it is about, or -1 (a message's change: shown on the timeline only) */
    char label[WHATIF_LABEL_MAX];
} WhatIfMark;

/* ---- the send form ---- */

typedef enum { SF_FROM, SF_TO, SF_SUBJECT, SF_SIZE, SF_FIELD_COUNT } SendField;

#define SENDFORM_SUBJECT_MAX 80
#define SENDFORM_SIZE_COUNT 4

typedef struct {
    const char *senders[WHATIF_MAX_ADDRESSES];    /* borrowed: addresses that can send */
    size_t sender_count;
    const char *recipients[WHATIF_MAX_ADDRESSES]; /* borrowed: every mailbox address */
    size_t recipient_count;
    size_t from, to;   /* indices into the lists */
    char subject[SENDFORM_SUBJECT_MAX];
    int size;          /* index into sendform_size_bytes */
    SendField field;   /* the field being edited */
} SendForm;

/* An empty form over the two address lists (borrowed; they must outlive it). The subject
 * starts as "What if?". */
void sendform_init(SendForm *f, const char *const *senders, size_t nsenders,
                   const char *const *recipients, size_t nrecipients);
/* Up (dir < 0) or down (dir > 0) to another field, wrapping. */
void sendform_move(SendForm *f, int dir);
/* Left / right: the previous / next value of a list field (from, to, size), wrapping. */
void sendform_cycle(SendForm *f, int dir);
/* Typed text goes into the subject (when it is the field); backspace takes one character
 * (a whole UTF-8 sequence) off. */
void sendform_type(SendForm *f, const char *utf8);
void sendform_backspace(SendForm *f);
/* True when the form can be sent (a sender and a recipient to choose from). */
bool sendform_ready(const SendForm *f);
/* The message's size in bytes for the size choice i: 2 kB, 300 kB, 5 MB, 20 MB. */
int64_t sendform_size_bytes(int i);
/* The field's value as shown: "alice@a.example", "300 kB", ... */
const char *sendform_value(const SendForm *f, SendField field, char *buf, size_t size);

#endif
