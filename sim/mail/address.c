/* address: address syntax (see address.h). */
#include "mail/address.h"

#include <stdio.h>
#include <string.h>

/* RFC 5322 §3.2.3 atext: letters, digits and these. */
static bool is_atext(char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
        return true;
    }
    return ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

static bool is_ldh(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-';
}

static bool refuse(char *why, size_t size, const char *reason)
{
    snprintf(why, size, "%s", reason);
    return false;
}

/* A dot-atom: atext runs separated by single dots, no dot at either end. */
static bool check_local(const char *s, size_t n, char *why, size_t size)
{
    if (n == 0) {
        return refuse(why, size, "nothing before the @");
    }
    if (n > ADDRESS_MAX_LOCAL) {
        return refuse(why, size, "the local part is longer than 64 characters (RFC 5321 \u00a74.5.3.1)");
    }
    if (s[0] == '.' || s[n - 1] == '.') {
        return refuse(why, size, "the local part starts or ends with a dot");
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && s[i + 1] == '.') {
            return refuse(why, size, "two dots in a row in the local part");
        }
        if (s[i] != '.' && !is_atext(s[i])) {
            return refuse(why, size, "a character that is not allowed in the local part (RFC 5322)");
        }
    }
    return true;
}

static bool check_domain(const char *s, size_t n, char *why, size_t size)
{
    if (n == 0) {
        return refuse(why, size, "nothing after the @");
    }
    size_t labels = 0;
    for (size_t start = 0; start <= n;) {
        size_t end = start;
        while (end < n && s[end] != '.') {
            end++;
        }
        size_t len = end - start;
        if (len == 0) {
            return refuse(why, size, "an empty label in the domain (two dots, or a dot at an end)");
        }
        if (len > 63) {
            return refuse(why, size, "a domain label longer than 63 characters");
        }
        for (size_t i = start; i < end; i++) {
            if (!is_ldh(s[i])) {
                return refuse(why, size, "a character that is not allowed in a domain name");
            }
        }
        if (s[start] == '-' || s[end - 1] == '-') {
            return refuse(why, size, "a domain label starts or ends with a hyphen");
        }
        labels++;
        start = end + 1;
    }
    return labels >= 2 ? true : refuse(why, size, "the domain has no dot (no top-level domain)");
}

bool address_check(const char *addr, char *why, size_t size)
{
    size_t len = strlen(addr);
    const char *at = strrchr(addr, '@');
    if (!at) {
        return refuse(why, size, "no @");
    }
    if (len > ADDRESS_MAX_LEN) {
        return refuse(why, size, "longer than 254 characters (RFC 5321 \u00a74.5.3.1)");
    }
    if (memchr(addr, '@', (size_t)(at - addr))) {
        return refuse(why, size, "more than one @");
    }
    return check_local(addr, (size_t)(at - addr), why, size) &&
           check_domain(at + 1, len - (size_t)(at - addr) - 1, why, size);
}
