/* address: the syntax of an e-mail address as an address verifier checks it before anything goes
 * on the network — RFC 5322's dot-atom local part, RFC 5321's lengths (local part at most 64
 * octets, the whole address at most 254: a 256-octet path less its angle brackets) and a domain
 * of DNS labels (letters, digits, hyphens; 1 to 63 octets each; at least two labels).
 *
 * Vocabulary only: owns no state. Quoted local parts ("john doe"@b.example) are legal in RFC 5322
 * but refused here, as bulk verifiers refuse them: no mailbox provider hands them out.
 */
#ifndef MAILSIM_ADDRESS_H
#define MAILSIM_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#define ADDRESS_MAX_LOCAL 64
#define ADDRESS_MAX_LEN 254

/* True when `addr` is a well-formed address. Otherwise false, with the reason written into `why`
 * ("the local part is longer than 64 characters"). */
bool address_check(const char *addr, char *why, size_t size);

#endif
