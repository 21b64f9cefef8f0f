/*
 * The monitors' prefix table (see monitor_pfx.h): open addressing with
 * linear probing, a multiplicative hash whose top bits pick the slot,
 * doubled at three quarters full (IPv4: the table stays small enough for
 * a core's cache). Nothing is ever removed: a prefix met once is
 * likely met again, and the table is what makes that second time cheap.
 */
#include <stdlib.h>
#include <string.h>

#include "routing/monitor_pfx.h"
#include "util/err.h"
#include "util/hash.h"

#define BITS_FIRST	12

static uint32_t
addr4(const struct net_prefix *p)
{
	return (uint32_t)p->a[0] << 24 | (uint32_t)p->a[1] << 16 |
	    (uint32_t)p->a[2] << 8 | p->a[3];
}

static uint64_t
hash6(const uint8_t a[16], unsigned len)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	return ll_fold(x ^ len, y);
}

static size_t
home6(const struct pfx_table *t, const uint8_t a[16], unsigned len)
{
	return (size_t)(hash6(a, len) >> (64 - t->bits6));
}

int
pfx_table_init(struct pfx_table *t)
{
	memset(t, 0, sizeof(*t));
	t->bits4 = t->bits6 = BITS_FIRST;
	t->s4 = calloc((size_t)1 << t->bits4, sizeof(*t->s4));
	t->s6 = calloc((size_t)1 << t->bits6, sizeof(*t->s6));
	if (t->s4 == NULL || t->s6 == NULL) {
		pfx_table_fini(t);
		return LL_ENOMEM;
	}
	return 0;
}

void
pfx_table_fini(struct pfx_table *t)
{
	free(t->s4);
	free(t->s6);
	memset(t, 0, sizeof(*t));
}

static int
grow4(struct pfx_table *t)
{
	unsigned bits = t->bits4 + 1;
	size_t n = (size_t)1 << bits, mask = n - 1;
	struct pfx4_slot *ns = calloc(n, sizeof(*ns));

	if (ns == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < (size_t)1 << t->bits4; i++) {
		const struct pfx4_slot *s = &t->s4[i];
		size_t k;

		if (s->tag == 0)
			continue;
		k = (size_t)(pfx4_hash(s->addr, (s->tag >> 24) - 1) >>
		    (64 - bits));
		while (ns[k].tag != 0)
			k = (k + 1) & mask;
		ns[k] = *s;
	}
	free(t->s4);
	t->s4 = ns;
	t->bits4 = bits;
	return 0;
}

static int
grow6(struct pfx_table *t)
{
	struct pfx_table nt = { .bits6 = t->bits6 + 1 };
	size_t n = (size_t)1 << nt.bits6, mask = n - 1;

	if ((nt.s6 = calloc(n, sizeof(*nt.s6))) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < (size_t)1 << t->bits6; i++) {
		const struct pfx6_slot *s = &t->s6[i];
		size_t k;

		if (s->tag == 0)
			continue;
		k = home6(&nt, s->a, (s->tag >> 24) - 1);
		while (nt.s6[k].tag != 0)
			k = (k + 1) & mask;
		nt.s6[k] = *s;
	}
	free(t->s6);
	t->s6 = nt.s6;
	t->bits6 = nt.bits6;
	return 0;
}

static uint32_t *
get4(struct pfx_table *t, const struct net_prefix *p, bool *added)
{
	uint32_t a = addr4(p), *tag = pfx4_find(t, a, p->len);
	size_t k, mask;

	if (tag != NULL)
		return tag;
	if ((t->n4 + 1) * 4 > ((size_t)3 << t->bits4) && grow4(t) != 0)
		return NULL;
	mask = ((size_t)1 << t->bits4) - 1;
	k = (size_t)(pfx4_hash(a, p->len) >> (64 - t->bits4));
	while (t->s4[k].tag != 0)
		k = (k + 1) & mask;
	t->s4[k].addr = a;
	t->s4[k].tag = (uint32_t)(p->len + 1) << 24;
	t->n4++;
	*added = true;
	return &t->s4[k].tag;
}

static uint32_t *
get6(struct pfx_table *t, const struct net_prefix *p, bool *added)
{
	uint32_t want = (uint32_t)(p->len + 1) << 24;
	size_t mask = ((size_t)1 << t->bits6) - 1, k;

	for (k = home6(t, p->a, p->len); t->s6[k].tag != 0;
	    k = (k + 1) & mask)
		if ((t->s6[k].tag & 0xff000000u) == want &&
		    memcmp(t->s6[k].a, p->a, 16) == 0)
			return &t->s6[k].tag;
	if ((t->n6 + 1) * 2 > (size_t)1 << t->bits6) {
		if (grow6(t) != 0)
			return NULL;
		mask = ((size_t)1 << t->bits6) - 1;
		for (k = home6(t, p->a, p->len); t->s6[k].tag != 0;
		    k = (k + 1) & mask)
			;
	}
	memcpy(t->s6[k].a, p->a, 16);
	t->s6[k].tag = want;
	t->n6++;
	*added = true;
	return &t->s6[k].tag;
}

uint32_t *
pfx_table_get(struct pfx_table *t, const struct net_prefix *p, bool *added)
{
	*added = false;
	return p->af == NET_AF4 ? get4(t, p, added) : get6(t, p, added);
}
