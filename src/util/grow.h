/*
 * Growing a malloc'ed array by doubling, with the multiplication checked.
 */
#ifndef LL_UTIL_GROW_H
#define LL_UTIL_GROW_H

#include <stddef.h>

/*
 * arrp is the address of a pointer to an array of elements of sz bytes whose
 * capacity is *cap elements. Makes room for at least need elements (doubling
 * from 16). Returns 0, or LL_ENOMEM when out of memory or when the size would
 * overflow; the array is unchanged then.
 */
int	ll_grow(void *arrp, size_t *cap, size_t need, size_t sz);

#endif
