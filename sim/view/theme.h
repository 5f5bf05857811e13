/* theme: the player's colours, as data — one table per theme mapping a colour *role* (what a
 * thing means: an SMTP command, a rejected reply, a node's border) to an RGBA value.
 *
 * Owns: the theme tables. Does not own anything else; SDL-free so view-state tests can ask
 * "which role does the rejected reply get" and pixel tests can ask "which RGB is that".
 *
 * Every palette is built from the Okabe–Ito set (safe for the common colour-vision deficiencies),
 * and meaning never rests on hue alone: rejections are also bigger, bold, marked ✖ and carry
 * their code; deferrals carry ⏳-style "retry in" text; verdicts say "SPAM"/"ham" in words.
 */
#ifndef MAILSIM_THEME_H
#define MAILSIM_THEME_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint8_t r, g, b, a;
} Rgba;

typedef enum {
    CR_BG,           /* canvas background */
    CR_PANEL,        /* panel background */
    CR_PANEL_ALT,    /* alternate rows, header strips */
    CR_BORDER,       /* panel and card borders */
    CR_TEXT,         /* body text */
    CR_TEXT_DIM,     /* secondary text */
    CR_TEXT_ON_DARK, /* text drawn on a saturated fill */
    CR_LINK,         /* link lines */
    CR_NODE,         /* node card fill */
    CR_NODE_ACTIVE,  /* ring around nodes taking part in the current event */
    CR_SELECT,       /* selection ring / selected row */
    CR_CURRENT_ROW,  /* current event row in the log */
    CR_DOWN,         /* a node that is down */
    CR_KIND_CLIENT,
    CR_KIND_OUTGOING,
    CR_KIND_RESOLVER,
    CR_KIND_INCOMING,
    CR_KIND_FILTER,
    CR_KIND_STORE,
    CR_MSG,          /* an ordinary message envelope */
    CR_MSG_DSN,      /* a bounce (DSN) envelope */
    CR_MSG_SPAM,     /* a message judged spam */
    CR_SMTP_CMD,     /* SMTP command packet */
    CR_SMTP_OK,      /* 2xx/3xx reply */
    CR_SMTP_DEFER,   /* 4xx reply, deferral */
    CR_SMTP_REJECT,  /* 5xx reply, refusal, bounce: "red" */
    CR_DNS,          /* DNS query/answer */
    CR_FETCH,        /* POP3/IMAP line */
    CR_CONN,         /* TCP connect */
    CR_OK,           /* delivered, accepted */
    CR_SPAM,         /* spam verdict */
    CR_NEUTRAL,      /* unremarkable events (timeline ticks) */
    CR_COUNT
} ColorRole;

typedef enum { THEME_LIGHT, THEME_DARK, THEME_HIGH_CONTRAST, THEME_COUNT } ThemeId;

/* The colour of `role` in `theme`. */
Rgba theme_color(ThemeId theme, ColorRole role);
/* The text colour that reads best on a fill of `role` (dark or light). */
Rgba theme_text_on(ThemeId theme, ColorRole role);
/* "light", "dark", "high contrast". */
const char *theme_name(ThemeId theme);

/* The role for a node kind's accent. */
ColorRole theme_kind_role(int node_kind);

/* WCAG relative-luminance contrast ratio of two colours (1..21). */
double theme_contrast(Rgba a, Rgba b);

#endif
