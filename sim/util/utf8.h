/* utf8: the one rule for well-formed UTF-8, shared by the scenario loader and the trace reader,
 * and the one way to make text quoted from a file safe to print in an error message. */
#ifndef MAILSIM_UTF8_H
#define MAILSIM_UTF8_H

#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at s (len >= 1 bytes available), or 0: overlong
 * forms, surrogates and code points above U+10FFFF are refused (RFC 3629). */
size_t utf8_seq(const unsigned char *s, size_t len);

/* Makes the NUL-terminated s one printable line of UTF-8, in place: C0 controls, DEL and bytes
 * that are not part of a well-formed sequence (a value cut by "%.64s", say) become '?'. */
void utf8_make_printable(char *s);

#endif
