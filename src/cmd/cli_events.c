/*
 * Changes a command keeps to store as events (registry diff, rpki diff):
 * gathered while the command prints them, then written in one
 * transaction, so a failed run leaves none of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "store/store.h"
#include "util/err.h"
#include "util/grow.h"

int
cli_events_add(struct cli_events *ev, const char *kind, const char *entity,
    char *detail)
{
	struct cli_event *v;

	if (detail == NULL ||
	    ll_grow(&ev->v, &ev->cap, ev->n + 1, sizeof(*ev->v)) != 0) {
		free(detail);
		return LL_ENOMEM;
	}
	v = &ev->v[ev->n++];
	snprintf(v->kind, sizeof(v->kind), "%s", kind);
	snprintf(v->entity, sizeof(v->entity), "%s", entity);
	v->detail = detail;
	return 0;
}

int
cli_events_store(const struct cli_events *ev, const char *db, int64_t from,
    int64_t to, const char *cmd)
{
	struct store *st = NULL;
	char err[512];
	int rc;

	if (store_open(db, STORE_CREATE, &st, err, sizeof(err)) != 0) {
		cli_err("%s: %s", cmd, err);
		return EXIT_FAIL;
	}
	rc = store_tx_begin(st);
	for (size_t i = 0; rc == 0 && i < ev->n; i++) {
		struct store_event e = { ev->v[i].kind, ev->v[i].entity, from,
		    to, ev->v[i].detail };

		rc = store_event_put(st, &e);
	}
	if (rc == 0)
		rc = store_tx_commit(st);
	if (rc != 0)
		cli_err("%s: %s: %s", cmd, db, store_errmsg(st));
	store_free(st);
	return rc != 0 ? EXIT_FAIL : 0;
}

void
cli_events_free(struct cli_events *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		free(ev->v[i].detail);
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
}
