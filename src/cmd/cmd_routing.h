/*
 * What `routing check` and `watch generate` share: the loop over the
 * route elements of one archive.
 */
#ifndef LL_CMD_CMD_ROUTING_H
#define LL_CMD_CMD_ROUTING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#include "mrt/mrt.h"
#include "store/store.h"

struct progress;

struct cli_elems {
	mrt_elem_fn	*fn;
	void		*ctx;
	bool		 strict;	/* stop at the first bad record */
	bool		 quiet;		/* do not report bad records */
};

/* Calls ed->fn for each route element of the archive at path. Returns 0,
 * EXIT_DATA (bad records were skipped) or EXIT_FAIL (cannot read it, or
 * fn failed: reported). */
int	cli_archive_elems(const char *path, const struct cli_elems *ed,
	    struct progress *pg);

/* A lean-decoded update record fed to the monitors with its facts (on
 * the feeding thread), and those facts worked out (on the reading thread:
 * false when the lean reading cannot take the record). */
struct mrt_lean;
struct routing_lean_facts;
typedef int cli_lean_fn(void *ctx, const struct mrt_lean *l,
    const struct routing_lean_facts *f);
typedef bool cli_lean_prep_fn(void *pctx, const struct mrt_lean *l,
    struct routing_lean_facts *f);

struct cli_lean_ops {
	cli_lean_fn		*feed;
	cli_lean_prep_fn	*prep;
	void			*pctx;		/* prep's */
	bool			 one_thread;	/* feed on the caller's
						   thread, batch by batch */
};

/* As cli_archive_elems(), reading ahead on the caller's thread while a
 * second thread calls ops->feed for each update record the lean reading
 * takes (cli_ahead.c); ed->fn gets the elements of the others, in the
 * archive's order, never while ops->feed runs. */
int	cli_archive_lean(const char *path, const struct cli_elems *ed,
	    const struct cli_lean_ops *ops, struct progress *pg);

int	cmd_routing(int argc, char **argv);

/* What `agent bmp --watchlist` shares with routing check: an alert as the
 * JSON object routing check prints (NULL when out of memory; the caller
 * owns it). */
struct routing_alert;
json_t	*cli_alert_json(const struct routing_alert *a);
/* A bad VRP line skipped: its message on stderr (a routing_warn_fn). */
void	cli_vrp_warn(void *ctx, const char *msg);
/* rpki diff (cmd_rpki_diff.c); its usage text, which rpki --help shows
 * too. */
int	cmd_rpki_diff(int argc, char **argv);
/* What routing check --vrps-old shares with rpki diff: whether a VRP
 * change touches the watchlist w (NULL: everything is kept); its event
 * entity, "prefix:P,asn:N" (buf of STORE_KEY_MAX bytes); the change as
 * an rpki-change alert whose first_seen is t (NULL when out of memory;
 * the caller owns it). */
struct routing_watchlist;
struct routing_vchange_ev;
bool	cli_vchange_kept(const struct routing_watchlist *w,
	    const struct routing_vchange_ev *e);
void	cli_vchange_entity(const struct routing_vchange_ev *e, char *buf);
json_t	*cli_vchange_alert(const struct routing_watchlist *w,
	    const struct routing_vchange_ev *e, int64_t t);
void	cli_rpki_diff_usage(FILE *f);
int	cmd_watch(int argc, char **argv);

/* cli_events.c: changes kept to be stored as events (registry diff, rpki
 * diff), written in one transaction. */
struct cli_event {
	char	 kind[32];
	char	 entity[STORE_KEY_MAX];
	char	*detail;		/* JSON, owned */
};
struct cli_events {
	struct cli_event *v;
	size_t		  n, cap;
};
/* Keeps (kind, entity, detail), taking detail (NULL: out of memory).
 * Returns 0 or LL_ENOMEM (detail freed). */
int	cli_events_add(struct cli_events *ev, const char *kind,
	    const char *entity, char *detail);
/* Stores every event kept from `from` to `to` in db, in one transaction;
 * errors are reported as "CMD: ...". Returns 0 or EXIT_FAIL. */
int	cli_events_store(const struct cli_events *ev, const char *db,
	    int64_t from, int64_t to, const char *cmd);
void	cli_events_free(struct cli_events *ev);

#endif
