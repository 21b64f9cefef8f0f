#include <stdint.h>
#include <stdlib.h>

#include "util/arena.h"

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size;
	size_t			 off;
	_Alignas(16) unsigned char data[];
};

#define ARENA_MIN_CHUNK	(64 * 1024)

void
arena_init(struct arena *a, size_t cap)
{
	a->head = NULL;
	a->used = 0;
	a->cap = cap;
}

void
arena_fini(struct arena *a)
{
	struct arena_chunk *c, *n;

	for (c = a->head; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = 0;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *n, *big = NULL;

	for (c = a->head; c != NULL; c = n) {
		n = c->next;
		if (big == NULL || c->size > big->size) {
			free(big);
			big = c;
		} else
			free(c);
	}
	if (big != NULL) {
		big->next = NULL;
		big->off = 0;
	}
	a->head = big;
	a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n)
		return NULL;
	if (a->cap != 0 && (need > a->cap || a->used > a->cap - need))
		return NULL;
	if (c == NULL || c->size - c->off < need) {
		size_t sz = need > ARENA_MIN_CHUNK ? need : ARENA_MIN_CHUNK;
		c = malloc(sizeof(*c) + sz);
		if (c == NULL)
			return NULL;
		c->size = sz;
		c->off = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->off;
	c->off += need;
	a->used += need;
	return p;
}

void *
arena_array(struct arena *a, size_t count, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(count, size, &n))
		return NULL;
	return arena_alloc(a, n);
}
