/* whatifmenu: the send form's editing rules (see whatifmenu.h). */
#include "view/whatifmenu.h"

#include "util/fmt.h"

#include <stdio.h>
#include <string.h>

/* A short note, a photo, a document, an attachment too big for many servers. */
static const int64_t SIZES[SENDFORM_SIZE_COUNT] = { 2000, 300000, 5000000, 20000000 };

void sendform_init(SendForm *f, const char *const *senders, size_t nsenders,
                   const char *const *recipients, size_t nrecipients)
{
    memset(f, 0, sizeof *f);
    f->sender_count = nsenders < WHATIF_MAX_ADDRESSES ? nsenders : WHATIF_MAX_ADDRESSES;
    f->recipient_count = nrecipients < WHATIF_MAX_ADDRESSES ? nrecipients : WHATIF_MAX_ADDRESSES;
    for (size_t i = 0; i < f->sender_count; i++) {
        f->senders[i] = senders[i];
    }
    for (size_t i = 0; i < f->recipient_count; i++) {
        f->recipients[i] = recipients[i];
    }
    snprintf(f->subject, sizeof f->subject, "What if?");
    f->size = 0;
    f->field = SF_FROM;
}

void sendform_move(SendForm *f, int dir)
{
    int n = SF_FIELD_COUNT;
    f->field = (SendField)(((int)f->field + (dir < 0 ? n - 1 : 1)) % n);
}

static size_t wrap(size_t i, size_t n, int dir)
{
    if (n == 0) {
        return 0;
    }
    return dir < 0 ? (i + n - 1) % n : (i + 1) % n;
}

void sendform_cycle(SendForm *f, int dir)
{
    switch (f->field) {
    case SF_FROM: f->from = wrap(f->from, f->sender_count, dir); break;
    case SF_TO: f->to = wrap(f->to, f->recipient_count, dir); break;
    case SF_SIZE: f->size = (int)wrap((size_t)f->size, SENDFORM_SIZE_COUNT, dir); break;
    case SF_SUBJECT:
    case SF_FIELD_COUNT: break;
    }
}

void sendform_type(SendForm *f, const char *utf8)
{
    if (f->field != SF_SUBJECT) {
        return;
    }
    size_t have = strlen(f->subject), add = strlen(utf8);
    if (have + add + 1 > sizeof f->subject) {
        return; /* full: a character is never cut in half */
    }
    memcpy(f->subject + have, utf8, add + 1);
}

void sendform_backspace(SendForm *f)
{
    if (f->field != SF_SUBJECT) {
        return;
    }
    size_t n = strlen(f->subject);
    while (n > 0 && ((unsigned char)f->subject[n - 1] & 0xC0) == 0x80) {
        n--; /* continuation bytes of the last character */
    }
    if (n > 0) {
        n--;
    }
    f->subject[n] = '\0';
}

bool sendform_ready(const SendForm *f)
{
    return f->sender_count > 0 && f->recipient_count > 0;
}

int64_t sendform_size_bytes(int i)
{
    return i >= 0 && i < SENDFORM_SIZE_COUNT ? SIZES[i] : SIZES[0];
}

const char *sendform_value(const SendForm *f, SendField field, char *buf, size_t size)
{
    switch (field) {
    case SF_FROM: snprintf(buf, size, "%s", f->sender_count ? f->senders[f->from] : "(nobody can send)"); break;
    case SF_TO: snprintf(buf, size, "%s", f->recipient_count ? f->recipients[f->to] : "(no mailbox)"); break;
    case SF_SUBJECT: snprintf(buf, size, "%s", f->subject); break;
    case SF_SIZE: fmt_size(sendform_size_bytes(f->size), buf, size); break;
    case SF_FIELD_COUNT: snprintf(buf, size, "%s", ""); break;
    }
    return buf;
}
