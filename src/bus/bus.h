/*
 * The bus (layer 4): agents publish the points they computed near the
 * data to NATS JetStream; a consumer writes them to the store through
 * ingest_bus_points(), acknowledging a message only after the store has
 * committed it (docs/scaling.md has the why, docs/lifeline.md the use).
 *
 * Subjects and streams (Lifeline creates them when missing):
 *   lifeline.points.v1.AGENT   points of schema 1, stream LIFELINE_POINTS
 *                              (captures lifeline.points.>, file storage,
 *                              kept 7 days)
 *   lifeline.parked.AGENT      messages the consumer could not store
 *                              (malformed, unknown schema), with header
 *                              Lifeline-Parked-Reason; stream
 *                              LIFELINE_PARKED (kept 30 days)
 * The durable pull consumer is "ingest" unless named otherwise.
 *
 * A message (schema 1) is UTF-8 text, one item a line:
 *   lifeline-bus 1
 *   id RUN.SEQ          unique and stable: a re-run publishes the same ids
 *   agent NAME          [A-Za-z0-9_-], at most 64 bytes
 *   settings LINE       the engine's canonical settings line
 *   kind KIND           the signal kind of the points that follow
 *   TIME VALUE ENTITY   a point: epoch seconds, a count, an entity
 *   ...                 (more kind lines and points)
 *   end N               N points in all: a cut message is refused
 * The same id goes in the Nats-Msg-Id header (JetStream drops a copy
 * published within two minutes); the store records each id with its
 * points, so a redelivery at any later time is skipped.
 *
 * Nothing here prints: events go through a callback.
 */
#ifndef LL_BUS_BUS_H
#define LL_BUS_BUS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "signal/signal.h"
#include "store/store.h"

#define BUS_SCHEMA		1
#define BUS_STREAM		"LIFELINE_POINTS"
#define BUS_PARKED_STREAM	"LIFELINE_PARKED"
#define BUS_SUBJECTS		"lifeline.points.>"
#define BUS_SUBJECT_V1		"lifeline.points.v1."
#define BUS_PARKED_SUBJECT	"lifeline.parked."
#define BUS_DURABLE		"ingest"
#define BUS_POINTS_DAYS		7	/* points kept a week: a consumer may
					   be down that long */
#define BUS_PARKED_DAYS		30
#define BUS_AGENT_MAX		64
#define BUS_ID_MAX		200
#define BUS_MSG_MAX		((size_t)4 << 20)	/* bytes */
#define BUS_MSG_POINTS		8192	/* points an agent puts in one */

/* ---- messages (no network) ------------------------------------------- */

struct bus_msg {
	int			 schema;
	const char		*agent;
	struct ingest_msg	 m;	/* id, settings, kinds: into buf */
	char			*buf;	/* owned */
	struct ingest_kind_pts	*kinds;	/* owned */
	struct store_point	*pts;	/* owned */
	uint64_t		 npts;
	char			 source[BUS_AGENT_MAX + 5];	/* bus:AGENT */
};

/*
 * Parses a message of len bytes. Returns 0 and *out (free with
 * bus_msg_free()), or LL_EUNSUP (a schema other than BUS_SCHEMA; then
 * *schema is set when the first line could be read), LL_EFORMAT (one line
 * in err naming the line and what is wrong), LL_ELIMIT (larger than
 * BUS_MSG_MAX), LL_ENOMEM. Never reads past len.
 */
int	bus_msg_parse(const void *data, size_t len, struct bus_msg **out,
	    char *err, size_t errlen);
void	bus_msg_free(struct bus_msg *m);

/* An encoder for an agent's messages: points in, messages out. */
struct bus_enc;
int	bus_enc_new(const char *agent, const char *run, const char *settings,
	    struct bus_enc **out);
void	bus_enc_free(struct bus_enc *e);
/* Adds a point. Returns 0, LL_EINVAL (a kind or entity with a space or
 * a newline, too long), LL_ENOMEM. */
int	bus_enc_point(struct bus_enc *e, const char *kind, int64_t t,
	    const char *entity, uint64_t v);
size_t	bus_enc_points(const struct bus_enc *e);
/* Ends the current message: *data, *len and *id stay valid until the
 * next call on e; the next message starts empty with the next id. */
int	bus_enc_finish(struct bus_enc *e, const char **data, size_t *len,
	    const char **id);

/* ---- the connection --------------------------------------------------- */

struct bus;

struct bus_conf {
	const char	*url;		/* nats://HOST:PORT[,nats://...] */
	const char	*creds;		/* NATS credentials file (JWT and
					   nkey seed), or NULL */
	const char	*name;		/* client name the server shows */
	int64_t		 ack_wait_ms;	/* redelivery after; 0 = 30 s */
	const char	*durable;	/* NULL = BUS_DURABLE */
};

/*
 * Connects (reconnecting for ever once connected) and creates the
 * streams when missing. Returns 0 and *out, or LL_ENET (one line in err),
 * LL_EINVAL, LL_ENOMEM.
 */
int	bus_open(const struct bus_conf *c, struct bus **out, char *err,
	    size_t errlen);
/* Closes the connection, and the NATS library with it (one bus a
 * process). Safe to call with NULL. */
void	bus_free(struct bus *b);

/* Publishes data on subject with header Nats-Msg-Id id (may be NULL) and
 * waits for JetStream's acknowledgement. *dup (may be NULL) is set when
 * the server had it already. Returns 0 or LL_ENET. */
int	bus_publish(struct bus *b, const char *subject, const char *id,
	    const void *data, size_t len, bool *dup, char *err,
	    size_t errlen);

/* ---- the consumer ----------------------------------------------------- */

/* One thing that happened, for a log line. */
struct bus_event {
	const char	*event;		/* "stored", "duplicate", "parked",
					   "health", "retry", "stop" */
	const char	*id;		/* message id, or NULL */
	const char	*subject;	/* or NULL */
	const char	*reason;	/* why (parked, retry), or NULL */
	uint64_t	 msgs, points;	/* of the event */
	uint64_t	 pending;	/* health: not yet delivered */
	uint64_t	 ack_pending;	/* health: delivered, not acked */
};

struct bus_stats {
	uint64_t	stored, duplicates, parked, points, batches;
};

struct bus_consume_opts {
	int		 batch;		/* messages a transaction; 0 = 64 */
	bool		 drain;		/* return once nothing is pending */
	const volatile sig_atomic_t *stop; /* set: return after the batch */
	int64_t		 health_ms;	/* a health event every; 0 = never */
	/* Testing crashes: after this many committed batches, return
	 * LL_EINTR before acknowledging the last (0 = never). */
	uint64_t	 fail_after_commits;
	void		(*on_event)(void *ctx, const struct bus_event *ev);
	void		*ctx;
};

/*
 * Consumes lifeline.points.> with the durable pull consumer (created
 * when missing): each fetched batch is parsed, its sound messages
 * written in one transaction by ingest_bus_points(), then each is
 * acknowledged; a message that cannot be parsed is copied to
 * lifeline.parked.* with its reason and terminated (never acknowledged
 * as stored). Returns 0 (stopped, or drained), LL_EINTR (fail_after),
 * LL_EDB / LL_ENET (one line in err).
 */
int	bus_consume(struct bus *b, struct store *st,
	    const struct bus_consume_opts *o, struct bus_stats *stats,
	    char *err, size_t errlen);

/* Messages held by the points and parked streams, and the durable
 * consumer's pending counts (0 when it does not exist). */
struct bus_status {
	uint64_t	points_msgs, points_bytes, parked_msgs;
	uint64_t	pending, ack_pending, delivered;
	bool		consumer;
};
int	bus_status(struct bus *b, struct bus_status *s, char *err,
	    size_t errlen);

/* ---- the agent ------------------------------------------------------- */

struct bus_agent_opts {
	const char		*name;		/* agent name (subject token) */
	const char		*view;		/* NULL, or kinds become
						   KIND@VIEW */
	struct sig_opts		 sig;
	struct sig_replay_opts	 replay;	/* callbacks as the caller's */
	const char		*sources;	/* ingest_sources_text() */
	const volatile sig_atomic_t *stop;
};

struct bus_agent_result {
	uint64_t	msgs, points, dups, bytes;
	struct sig_stats stats;
};

/*
 * Replays n archives as `ingest bgp` would and publishes every point on
 * lifeline.points.v1.NAME, BUS_MSG_POINTS a message. Message ids are
 * made of the SHA-256 of the agent's name, settings and the files' names
 * and sizes, and a sequence number: a re-run publishes the same ids.
 * Returns 0, the replay's error, LL_ENET, LL_EINTR (stop), with one line
 * in err.
 */
int	bus_agent_bgp(struct bus *b, const char *const *files, size_t n,
	    const struct bus_agent_opts *o, struct bus_agent_result *res,
	    char *err, size_t errlen);

/* True when name may be an agent's (a subject token). */
bool	bus_agent_name_ok(const char *name);

/* ---- archives: one view of several agents' collectors ---------------
 *
 * Points of two agents cannot be merged into one view (a prefix is
 * visible when half of ALL full-feed peer ASes see it). For one view of
 * several agents' collectors the route data itself crosses the bus: an
 * agent ships its archives as recorded (MRT, compressed as archived, the
 * most compact form of their route elements), and bus_merge() replays
 * them together with ingest_bgp(), as `ingest bgp` of all of them would.
 *
 * Subjects: lifeline.archives.v1.AGENT, stream LIFELINE_ARCHIVES
 * (lifeline.archives.>, file storage, kept 7 days). Two messages:
 *   lifeline-archive 1          a piece of one archive
 *   agent NAME
 *   run RUN
 *   file SHA256 SIZE PATH       the archive (PATH as the agent names it:
 *                               its real path, which gives its collector)
 *   chunk OFFSET LEN
 *   (an empty line, then LEN bytes)
 *
 *   lifeline-run 1              an agent's run is complete
 *   agent NAME
 *   run RUN
 *   file SHA256 SIZE PATH       each archive of the run
 *   end N                       N files
 * Ids: RUN.SHA256.OFFSET and RUN.end (Nats-Msg-Id).
 */
#define BUS_ARC_STREAM		"LIFELINE_ARCHIVES"
#define BUS_ARC_SUBJECTS	"lifeline.archives.>"
#define BUS_ARC_SUBJECT_V1	"lifeline.archives.v1."
#define BUS_ARC_DAYS		7
#define BUS_ARC_CHUNK		((size_t)512 << 10)	/* bytes a piece */
#define BUS_ARC_FILES		4096	/* archives a run */
#define BUS_PATH_MAX		1024

struct bus_arc_file {
	char		sha256[STORE_SHA256_HEX];
	uint64_t	size;
	char		path[BUS_PATH_MAX];
};

/* A parsed archive message: a piece (run false) or a run's end. */
struct bus_arc {
	bool			 run;
	char			 agent[BUS_AGENT_MAX + 1];
	char			 runid[BUS_ID_MAX];
	struct bus_arc_file	 file;		/* a piece: its archive */
	uint64_t		 off;		/* a piece: where it goes */
	const uint8_t		*data;		/* into the message */
	size_t			 len;
	struct bus_arc_file	*files;		/* a run: owned */
	size_t			 nfiles;
};

/*
 * Parses an archive message of len bytes into *out (bus_arc_fini() frees
 * it; out->data points into data). Returns 0, LL_EUNSUP (another schema),
 * LL_EFORMAT (one line in err naming the line), LL_ELIMIT, LL_ENOMEM.
 */
int	bus_arc_parse(const void *data, size_t len, struct bus_arc *out,
	    char *err, size_t errlen);
void	bus_arc_fini(struct bus_arc *a);

struct bus_ship_result {
	uint64_t	files, msgs, bytes, dups;
};

/*
 * Ships n archives on lifeline.archives.v1.NAME, BUS_ARC_CHUNK bytes a
 * message, then the run's end. The run's id is made of the agent's name
 * and the archives' SHA-256: a re-run ships the same ids. Returns 0,
 * LL_EIO (a file, named in err), LL_ENET, LL_EINTR (stop).
 */
int	bus_agent_ship(struct bus *b, const char *name,
	    const char *const *files, size_t n,
	    const volatile sig_atomic_t *stop, struct bus_ship_result *res,
	    char *err, size_t errlen);

/* What bus_merge() does. */
struct bus_merge_opts {
	const char *const	*agents;	/* whose runs make one view */
	size_t			 nagents;
	const char		*spool;		/* a directory for archives
						   being received */
	struct ingest_opts	 ingest;	/* as `ingest bgp`'s; its
						   open_paths are the
						   merge's */
	bool			 drain;		/* return once nothing more
						   can be done */
	const volatile sig_atomic_t *stop;
	int64_t			 health_ms;
	/* Testing crashes: after this many committed merges, return
	 * LL_EINTR before acknowledging the last (0 = never). */
	uint64_t		 fail_after_commits;
	void			(*on_event)(void *ctx,
				    const struct bus_event *ev);
	void			*ctx;
};

/*
 * Consumes lifeline.archives.> with the durable pull consumer: pieces are
 * written to the spool, held unacknowledged; once every agent named has a
 * complete run, all complete runs of those agents are ingested together
 * by ingest_bgp() (one transaction; archives the store knows are
 * skipped), and only then are their messages acknowledged. A message that
 * cannot be read is parked. stats->stored counts runs, ->points points.
 * Returns 0 (stopped or drained), LL_EDB / LL_ENET / LL_EIO with one line
 * in err.
 */
int	bus_merge(struct bus *b, struct store *st,
	    const struct bus_merge_opts *o, struct bus_stats *stats,
	    char *err, size_t errlen);

#endif
