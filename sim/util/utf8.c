#include "util/utf8.h"

#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (b < 0x80) {
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        lo = b == 0xE0 ? 0xA0 : 0x80; /* overlong */
        hi = b == 0xED ? 0x9F : 0xBF; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        lo = b == 0xF0 ? 0x90 : 0x80; /* overlong */
        hi = b == 0xF4 ? 0x8F : 0xBF; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (len < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return n;
}

void utf8_make_printable(char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char ch = (unsigned char)s[i];
        size_t n = utf8_seq((const unsigned char *)s + i, len - i);
        if (n == 0 || (n == 1 && (ch < 0x20 || ch == 0x7F))) {
            s[i++] = '?';
        } else {
            i += n;
        }
    }
}
