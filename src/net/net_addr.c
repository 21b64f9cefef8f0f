#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/err.h"

/* IPv4 formatting is on the hot path of `mrt dump`: done by hand rather
 * than through inet_ntop(), which goes through snprintf. */
/* "0".."255" with their lengths, built once: a copy per octet. */
static char octet_str[256][4];
static uint8_t octet_len[256];

static void
octets_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		int n = snprintf(octet_str[v], sizeof(octet_str[v]), "%u", v);
		octet_len[v] = (uint8_t)n;
	}
}

static size_t
fmt_u8(char *b, unsigned v)
{
	if (v >= 100) {
		b[0] = (char)('0' + v / 100);
		b[1] = (char)('0' + v / 10 % 10);
		b[2] = (char)('0' + v % 10);
		return 3;
	}
	if (v >= 10) {
		b[0] = (char)('0' + v / 10);
		b[1] = (char)('0' + v % 10);
		return 2;
	}
	b[0] = (char)('0' + v);
	return 1;
}

size_t
net_addr_fmt(const struct net_addr *a, char *buf)
{
	size_t n = 0;

	if (a->af == NET_AF4) {
		static pthread_once_t once = PTHREAD_ONCE_INIT;
		pthread_once(&once, octets_init);
		for (int i = 0; i < 4; i++) {
			memcpy(buf + n, octet_str[a->a[i]], 4);
			n += octet_len[a->a[i]];
			buf[n++] = '.';
		}
		buf[--n] = '\0';
		return n;
	}
	if (a->af == NET_AF6) {
		if (inet_ntop(AF_INET6, a->a, buf, NET_ADDR_STRLEN) == NULL)
			buf[0] = '\0';
		return strlen(buf);
	}
	buf[0] = '\0';
	return 0;
}

size_t
net_prefix_fmt(const struct net_prefix *p, char *buf)
{
	struct net_addr a;
	size_t n;

	a.af = p->af;
	memcpy(a.a, p->a, sizeof(a.a));
	n = net_addr_fmt(&a, buf);
	buf[n++] = '/';
	n += fmt_u8(buf + n, p->len);
	buf[n] = '\0';
	return n;
}

int
net_addr_parse(const char *s, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out->a) != 1)
			return LL_EFORMAT;
		out->af = NET_AF6;
		return 0;
	}
	if (inet_pton(AF_INET, s, out->a) != 1)
		return LL_EFORMAT;
	out->af = NET_AF4;
	return 0;
}

int
net_prefix_parse(const char *s, struct net_prefix *out)
{
	char tmp[NET_PREFIX_STRLEN], *slash, *end;
	struct net_addr a;
	unsigned long len;

	if (strlen(s) >= sizeof(tmp))
		return LL_EFORMAT;
	strncpy(tmp, s, sizeof(tmp) - 1);
	tmp[sizeof(tmp) - 1] = '\0';
	slash = strchr(tmp, '/');
	if (slash != NULL)
		*slash = '\0';
	if (net_addr_parse(tmp, &a) != 0)
		return LL_EFORMAT;
	len = net_af_bits(a.af);
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return LL_EFORMAT;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > net_af_bits(a.af))
			return LL_EFORMAT;
	}
	out->af = a.af;
	out->len = (uint8_t)len;
	memcpy(out->a, a.a, sizeof(out->a));
	net_prefix_mask(out);
	return 0;
}

void
net_prefix_mask(struct net_prefix *p)
{
	unsigned bits = p->len, i;

	for (i = bits / 8; i < 16; i++) {
		if (i == bits / 8 && bits % 8)
			p->a[i] &= (uint8_t)(0xff00u >> (bits % 8));
		else
			p->a[i] = 0;
	}
}

bool
net_prefix_contains(const struct net_prefix *outer,
    const struct net_prefix *inner)
{
	unsigned full, rem;

	if (outer->af != inner->af || outer->len > inner->len)
		return false;
	full = outer->len / 8;
	rem = outer->len % 8;
	if (memcmp(outer->a, inner->a, full) != 0)
		return false;
	if (rem == 0)
		return true;
	uint8_t m = (uint8_t)(0xff00u >> rem);
	return (outer->a[full] & m) == (inner->a[full] & m);
}

int
net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b)
{
	int c;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	c = memcmp(a->a, b->a, 16);
	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

uint64_t
net_prefix_units(const struct net_prefix *p)
{
	unsigned unit = p->af == NET_AF6 ? 48 : 24;

	if (p->len > unit)
		return 0;
	return (uint64_t)1 << (unit - p->len);
}
