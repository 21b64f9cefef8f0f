/* Private to src/evidence. */
#ifndef LL_EVIDENCE_EVIDENCE_INT_H
#define LL_EVIDENCE_EVIDENCE_INT_H

#include <stddef.h>
#include <stdint.h>

/* sodium_init() once; 0 or LL_ENOMEM. */
int	ev_sodium_init(void);

/* n bytes as 2n lower-case hex digits and a NUL. */
void	ev_hex(const uint8_t *b, size_t n, char *out);

/* Exactly 2n lower-case hex digits of s (slen) into n bytes; 0 or -1. */
int	ev_unhex(const char *s, size_t slen, uint8_t *out, size_t n);

#endif
