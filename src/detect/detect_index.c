/*
 * Which open incident holds a series: the incident engine asks it for
 * every series in every bin, so the answer is kept in the series
 * (dseries.oinc) instead of searching every incident's scope each time.
 * The marks are made anew after each bin's lifecycle step (when
 * incidents end) and follow every entity a bin adds to a scope; a mark
 * names the first open incident (in the order of dctx.inc) whose scope
 * holds the entity, as a search of the scopes in that order would.
 */
#include <stdio.h>
#include <string.h>

#include "detect/detect_int.h"

/* Marks the series of entity, of every signal, as held by incident inc,
 * unless an earlier mark of this generation holds them. */
void
det_open_mark(struct dctx *c, const char *entity, size_t inc)
{
	struct dseries *se;
	size_t k;

	for (k = 0; k < c->nsig; k++) {
		se = det_series_find(c, c->ser[c->sigfirst[k]].signal, entity);
		if (se != NULL && se->ogen != c->ogen) {
			se->ogen = c->ogen;
			se->oinc = (uint32_t)inc;
		}
	}
}

/* Marks anew the series in the scope of every open incident. */
void
det_open_index(struct dctx *c)
{
	char item[STORE_KEY_MAX];
	const char *p;
	size_t i, n;

	c->ogen++;
	for (i = 0; i < c->ninc; i++) {
		if (c->inc[i].row.end != 0)
			continue;
		for (p = c->inc[i].scope; *p != '\0'; p += n + (p[n] == ',')) {
			n = strcspn(p, ",");
			if (n == 0 || n >= sizeof(item))
				continue;
			memcpy(item, p, n);
			item[n] = '\0';
			det_open_mark(c, item, i);
		}
	}
}

/* The first open incident whose scope holds se's entity, or NULL. */
struct dinc *
det_open_find(struct dctx *c, const struct dseries *se)
{
	if (c->ogen == 0 || se->ogen != c->ogen ||
	    c->inc[se->oinc].row.end != 0)
		return NULL;
	return &c->inc[se->oinc];
}
