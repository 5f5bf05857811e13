/* theme: colour tables (see theme.h). Okabe–Ito hues: orange E69F00, sky blue 56B4E9, bluish
 * green 009E73, yellow F0E442, blue 0072B2, vermillion D55E00, reddish purple CC79A7. Fills that
 * carry white text use darker shades of the same hue so the text keeps a 4.5:1 contrast. */
#include "view/theme.h"

#include "trace/trace.h"

#include <math.h>

#define C(hex) { (uint8_t)((hex) >> 16), (uint8_t)((hex) >> 8), (uint8_t)(hex), 255 }

static const Rgba TABLE[THEME_COUNT][CR_COUNT] = {
    [THEME_LIGHT] = {
        [CR_BG] = C(0xF4F3EE),
        [CR_PANEL] = C(0xFFFFFF),
        [CR_PANEL_ALT] = C(0xEDEBE4),
        [CR_BORDER] = C(0xB9B6AC),
        [CR_TEXT] = C(0x1B1B1B),
        [CR_TEXT_DIM] = C(0x55534D),
        [CR_TEXT_ON_DARK] = C(0xFFFFFF),
        [CR_LINK] = C(0xB4B0A4),
        [CR_NODE] = C(0xFFFFFF),
        [CR_NODE_ACTIVE] = C(0x0072B2),
        [CR_SELECT] = C(0xCC79A7),
        [CR_CURRENT_ROW] = C(0xFCE9A8),
        [CR_DOWN] = C(0x8A8780),
        [CR_KIND_CLIENT] = C(0x4F4C45),
        [CR_KIND_OUTGOING] = C(0x005A8C),
        [CR_KIND_RESOLVER] = C(0x2D7FB0),
        [CR_KIND_INCOMING] = C(0x006B4F),
        [CR_KIND_FILTER] = C(0x9A3F77),
        [CR_KIND_STORE] = C(0x8A5A00),
        [CR_MSG] = C(0xF0E442),
        [CR_MSG_DSN] = C(0xD55E00),
        [CR_MSG_SPAM] = C(0xCC79A7),
        [CR_SMTP_CMD] = C(0x005F96),
        [CR_SMTP_OK] = C(0x00765A),
        [CR_SMTP_DEFER] = C(0xE69F00),
        [CR_SMTP_REJECT] = C(0xD55E00),
        [CR_DNS] = C(0x56B4E9),
        [CR_FETCH] = C(0xCC79A7),
        [CR_CONN] = C(0x6E6B63),
        [CR_OK] = C(0x00765A),
        [CR_SPAM] = C(0xA24C86),
        [CR_NEUTRAL] = C(0x9C998F),
    },
    [THEME_DARK] = {
        [CR_BG] = C(0x16181D),
        [CR_PANEL] = C(0x20232A),
        [CR_PANEL_ALT] = C(0x2A2E37),
        [CR_BORDER] = C(0x4A505C),
        [CR_TEXT] = C(0xF2F2F2),
        [CR_TEXT_DIM] = C(0xB4B8C0),
        [CR_TEXT_ON_DARK] = C(0xFFFFFF),
        [CR_LINK] = C(0x4C5260),
        [CR_NODE] = C(0x2A2E37),
        [CR_NODE_ACTIVE] = C(0x56B4E9),
        [CR_SELECT] = C(0xCC79A7),
        [CR_CURRENT_ROW] = C(0x5A4A12),
        [CR_DOWN] = C(0x5C5F66),
        [CR_KIND_CLIENT] = C(0xD0D0D0),
        [CR_KIND_OUTGOING] = C(0x56B4E9),
        [CR_KIND_RESOLVER] = C(0x8FD0F5),
        [CR_KIND_INCOMING] = C(0x2FC69A),
        [CR_KIND_FILTER] = C(0xE59AC4),
        [CR_KIND_STORE] = C(0xF0B43C),
        [CR_MSG] = C(0xF0E442),
        [CR_MSG_DSN] = C(0xF07A2A),
        [CR_MSG_SPAM] = C(0xCC79A7),
        [CR_SMTP_CMD] = C(0x1F8FD6),
        [CR_SMTP_OK] = C(0x00A67E),
        [CR_SMTP_DEFER] = C(0xE69F00),
        [CR_SMTP_REJECT] = C(0xE8650A),
        [CR_DNS] = C(0x56B4E9),
        [CR_FETCH] = C(0xCC79A7),
        [CR_CONN] = C(0x8A8F99),
        [CR_OK] = C(0x2FC69A),
        [CR_SPAM] = C(0xE59AC4),
        [CR_NEUTRAL] = C(0x6F7480),
    },
    [THEME_HIGH_CONTRAST] = {
        [CR_BG] = C(0x000000),
        [CR_PANEL] = C(0x000000),
        [CR_PANEL_ALT] = C(0x1E1E1E),
        [CR_BORDER] = C(0xFFFFFF),
        [CR_TEXT] = C(0xFFFFFF),
        [CR_TEXT_DIM] = C(0xE6E6E6),
        [CR_TEXT_ON_DARK] = C(0xFFFFFF),
        [CR_LINK] = C(0xBDBDBD),
        [CR_NODE] = C(0x000000),
        [CR_NODE_ACTIVE] = C(0xF0E442),
        [CR_SELECT] = C(0xFF66CC),
        [CR_CURRENT_ROW] = C(0x4A4300),
        [CR_DOWN] = C(0x7A7A7A),
        [CR_KIND_CLIENT] = C(0xFFFFFF),
        [CR_KIND_OUTGOING] = C(0x66C2FF),
        [CR_KIND_RESOLVER] = C(0x9AD8FF),
        [CR_KIND_INCOMING] = C(0x3DFFB8),
        [CR_KIND_FILTER] = C(0xFF99DD),
        [CR_KIND_STORE] = C(0xFFD060),
        [CR_MSG] = C(0xF0E442),
        [CR_MSG_DSN] = C(0xFF7A1A),
        [CR_MSG_SPAM] = C(0xFF99DD),
        [CR_SMTP_CMD] = C(0x66C2FF),
        [CR_SMTP_OK] = C(0x3DFFB8),
        [CR_SMTP_DEFER] = C(0xFFC000),
        [CR_SMTP_REJECT] = C(0xFF5A1F),
        [CR_DNS] = C(0x9AD8FF),
        [CR_FETCH] = C(0xFF99DD),
        [CR_CONN] = C(0xE0E0E0),
        [CR_OK] = C(0x3DFFB8),
        [CR_SPAM] = C(0xFF99DD),
        [CR_NEUTRAL] = C(0xA0A0A0),
    },
};

Rgba theme_color(ThemeId theme, ColorRole role)
{
    if ((unsigned)theme >= THEME_COUNT || (unsigned)role >= CR_COUNT) {
        return (Rgba){ 255, 0, 255, 255 };
    }
    return TABLE[theme][role];
}

static double channel(uint8_t v)
{
    double c = v / 255.0;
    return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(Rgba c)
{
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double theme_contrast(Rgba a, Rgba b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

Rgba theme_text_on(ThemeId theme, ColorRole role)
{
    Rgba fill = theme_color(theme, role);
    Rgba dark = { 0x12, 0x12, 0x12, 255 }, light = { 255, 255, 255, 255 };
    return theme_contrast(fill, dark) >= theme_contrast(fill, light) ? dark : light;
}

const char *theme_name(ThemeId theme)
{
    static const char *const NAMES[THEME_COUNT] = { "light", "dark", "high contrast" };
    return (unsigned)theme < THEME_COUNT ? NAMES[theme] : "?";
}

ColorRole theme_kind_role(int node_kind)
{
    switch (node_kind) {
    case NODE_CLIENT: return CR_KIND_CLIENT;
    case NODE_OUTGOING: return CR_KIND_OUTGOING;
    case NODE_RESOLVER: return CR_KIND_RESOLVER;
    case NODE_INCOMING: return CR_KIND_INCOMING;
    case NODE_FILTER: return CR_KIND_FILTER;
    case NODE_STORE: return CR_KIND_STORE;
    default: return CR_TEXT;
    }
}
