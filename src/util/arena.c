#include <stdint.h>
#include <stdlib.h>

#include "util/arena.h"

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
arena_alloc_chunk(struct arena *a, size_t need)
{
	size_t sz = need > ARENA_MIN_CHUNK ? need : ARENA_MIN_CHUNK;
	struct arena_chunk *c = malloc(sizeof(*c) + sz);

	if (c == NULL)
		return NULL;
	c->size = sz;
	c->off = need;
	c->next = a->head;
	a->head = c;
	a->used += need;
	return c->data;
}

void *
arena_array(struct arena *a, size_t count, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(count, size, &n))
		return NULL;
	return arena_alloc(a, n);
}
