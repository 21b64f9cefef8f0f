/*
 * The bounded reader: the only way parsers touch untrusted bytes.
 *
 * A cursor over [p, p+len). Every read checks `n > len` (never p+n > end,
 * which overflows); a short read sets the sticky `bad` flag, empties the
 * cursor and yields zeros, so a parser may read a whole header and check
 * rd_ok() once before using any value. Length-prefixed fields get their own
 * sub-cursor with rd_sub(), so a bad inner length cannot read past the
 * outer field. `start` stays with sub-cursors so rd_off() gives the offset
 * from the start of the record for error messages.
 */
#ifndef LL_UTIL_RD_H
#define LL_UTIL_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t	*p;
	const uint8_t	*start;
	size_t		 len;
	bool		 bad;
};

static inline struct rd
rd_make(const void *p, size_t len)
{
	struct rd r = { (const uint8_t *)p, (const uint8_t *)p, len, false };
	return r;
}

static inline bool
rd_ok(const struct rd *r)
{
	return !r->bad;
}

static inline size_t
rd_left(const struct rd *r)
{
	return r->len;
}

/* Offset of the cursor from the start of the outermost buffer. */
static inline size_t
rd_off(const struct rd *r)
{
	return (size_t)(r->p - r->start);
}

static inline void
rd_fail(struct rd *r)
{
	r->bad = true;
	r->p += r->len;
	r->len = 0;
}

static inline bool
rd_need(struct rd *r, size_t n)
{
	if (n > r->len) {
		rd_fail(r);
		return false;
	}
	return true;
}

static inline uint8_t
rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	r->len -= 1;
	return *r->p++;
}

static inline uint16_t
rd_be16(struct rd *r)
{
	if (!rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return v;
}

static inline uint32_t
rd_be32(struct rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return v;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and bad). */
static inline const uint8_t *
rd_ptr(struct rd *r, size_t n)
{
	if (!rd_need(r, n))
		return NULL;
	const uint8_t *p = r->p;
	r->p += n;
	r->len -= n;
	return p;
}

static inline bool
rd_skip(struct rd *r, size_t n)
{
	return rd_ptr(r, n) != NULL || n == 0;
}

/* Copies n bytes into dst; on a short read dst is zero-filled and r is bad. */
static inline bool
rd_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *p = rd_ptr(r, n);
	if (p == NULL) {
		memset(dst, 0, n);
		return n == 0;
	}
	memcpy(dst, p, n);
	return true;
}

/* Splits off the next n bytes as their own cursor; the parent skips them. */
static inline struct rd
rd_sub(struct rd *r, size_t n)
{
	struct rd s = { r->p, r->start, 0, true };
	const uint8_t *p = rd_ptr(r, n);
	if (p != NULL) {
		s.p = p;
		s.len = n;
		s.bad = false;
	}
	return s;
}

#endif
