/*
 * Addresses and prefixes (value types), formatting and parsing, and the
 * longest-prefix-match tree with /24 (IPv4) and /48 (IPv6) unit counting.
 */
#ifndef LL_NET_NET_H
#define LL_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_AF4		4
#define NET_AF6		6

#define NET_ADDR_STRLEN		48	/* INET6_ADDRSTRLEN rounded up */
#define NET_PREFIX_STRLEN	52

/* An IPv4 address lives in a[0..3], the rest zero. */
struct net_addr {
	uint8_t	af;		/* NET_AF4, NET_AF6, or 0 for none */
	uint8_t	a[16];
};

struct net_prefix {
	uint8_t	af;
	uint8_t	len;		/* <= 32 or <= 128, always checked on input */
	uint8_t	a[16];		/* host bits are zero (net_prefix_mask) */
};

/* Formats into buf (>= NET_ADDR_STRLEN); IPv6 as inet_ntop() does.
 * Returns the string length. */
size_t	net_addr_fmt(const struct net_addr *a, char *buf);
/* "192.0.2.0/24"; buf >= NET_PREFIX_STRLEN. Returns the length. */
size_t	net_prefix_fmt(const struct net_prefix *p, char *buf);

/* Parse "192.0.2.1" / "2001:db8::1". Returns 0 or LL_EFORMAT. */
int	net_addr_parse(const char *s, struct net_addr *out);
/* Parse "192.0.2.0/24"; a bare address is a host prefix. Host bits are
 * masked. Returns 0 or LL_EFORMAT. */
int	net_prefix_parse(const char *s, struct net_prefix *out);

/* Clears the bits past p->len. */
void	net_prefix_mask(struct net_prefix *p);
/* True when inner lies inside outer (same family, outer->len <= inner). */
bool	net_prefix_contains(const struct net_prefix *outer,
	    const struct net_prefix *inner);
int	net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b);
static inline unsigned
net_af_bits(uint8_t af)
{
	return af == NET_AF6 ? 128 : 32;
}

/*
 * Address space of p in units: /24s for IPv4, /48s for IPv6. Prefixes
 * longer than the unit count 0 (they do not make a unit visible).
 */
uint64_t net_prefix_units(const struct net_prefix *p);

#endif
