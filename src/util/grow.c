#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/grow.h"

int
ll_grow(void *arrp, size_t *cap, size_t need, size_t sz)
{
	size_t ncap = *cap ? *cap : 16, bytes;
	void *p, *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return LL_ENOMEM;
		ncap *= 2;
	}
	if (__builtin_mul_overflow(ncap, sz, &bytes))
		return LL_ENOMEM;
	memcpy(&p, arrp, sizeof(p));
	if ((np = realloc(p, bytes)) == NULL)
		return LL_ENOMEM;
	memcpy(arrp, &np, sizeof(np));
	*cap = ncap;
	return 0;
}
