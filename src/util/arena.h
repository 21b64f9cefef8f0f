/*
 * A bump allocator for per-record data (BIRD's linpool idea): decoded
 * attributes and prefix lists of one MRT record live here and are released
 * together by arena_reset(). Capped: allocations past `cap` bytes in total
 * fail, so a hostile record cannot make us allocate without bound.
 */
#ifndef LL_UTIL_ARENA_H
#define LL_UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk	*head;	/* current chunk, others chained */
	size_t			 used;	/* bytes handed out since reset */
	size_t			 cap;	/* 0 = unlimited */
};

void	 arena_init(struct arena *a, size_t cap);
void	 arena_fini(struct arena *a);
/* Forgets every allocation; keeps the largest chunk for reuse. */
void	 arena_reset(struct arena *a);
/* The slow path of arena_alloc(): a new chunk. */
void	*arena_alloc_chunk(struct arena *a, size_t need);

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size;
	size_t			 off;
	_Alignas(16) unsigned char data[];
};

/* Returns n bytes aligned to 16, or NULL past the cap / out of memory.
 * Inline: the decoders call it several times per record. */
static inline void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n)
		return NULL;
	if (a->cap != 0 && (need > a->cap || a->used > a->cap - need))
		return NULL;
	if (c == NULL || c->size - c->off < need)
		return arena_alloc_chunk(a, need);
	void *p = c->data + c->off;
	c->off += need;
	a->used += need;
	return p;
}
/* arena_alloc(count * size) with overflow check. */
void	*arena_array(struct arena *a, size_t count, size_t size);

#endif
