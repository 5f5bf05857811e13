/* hash: the two hash functions every table in mailsim uses, so that no module carries its own
 * constants. Pure functions; no state.
 *
 * hash_u64 mixes an integer key (an id, an IP, a pair of ids packed in 64 bits) with the finaliser
 * of MurmurHash3 (fmix64): every input bit reaches every output bit, so masking the low bits for a
 * power-of-two table is safe. hash_bytes is 64-bit FNV-1a over a byte string. Both are fixed
 * functions of their input, so a table's layout, and any order read from it, is the same on every
 * run and every platform.
 */
#ifndef MAILSIM_HASH_H
#define MAILSIM_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_OFFSET UINT64_C(0xCBF29CE484222325)
#define HASH_FNV_PRIME UINT64_C(0x100000001B3)

static inline uint64_t hash_u64(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xFF51AFD7ED558CCD);
    k ^= k >> 33;
    k *= UINT64_C(0xC4CEB9FE1A85EC53);
    k ^= k >> 33;
    return k;
}

/* Continues an FNV-1a hash `h` over len bytes; start with HASH_FNV_OFFSET. */
static inline uint64_t hash_bytes_from(uint64_t h, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= HASH_FNV_PRIME;
    }
    return h;
}

static inline uint64_t hash_bytes(const void *bytes, size_t len)
{
    return hash_bytes_from(HASH_FNV_OFFSET, bytes, len);
}

#endif
