/*
 * Hash mixing for the in-memory tables (prefixes, series keys). Nothing
 * hashed here is stored or compared across runs.
 */
#ifndef LL_UTIL_HASH_H
#define LL_UTIL_HASH_H

#include <stdint.h>

/* splitmix64's finalizer: every input bit reaches every output bit. */
static inline uint64_t
ll_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/*
 * Folds a and b with one wide multiply, the high half xored into the low
 * (the mixing step of wyhash); two rounds of ll_mix64 where the compiler
 * has no 128-bit product. One multiply per word keeps hot lookups short.
 */
static inline uint64_t
ll_fold(uint64_t a, uint64_t b)
{
	a ^= 0xa0761d6478bd642fULL;
	b ^= 0xe7037ed1a0b428dbULL;
#ifdef __SIZEOF_INT128__
	__uint128_t m = (__uint128_t)a * b;

	return (uint64_t)m ^ (uint64_t)(m >> 64);
#else
	return ll_mix64(a ^ ll_mix64(b));
#endif
}

#endif
