/*
 * The lifeline CLI: one function per command, each in its own cmd_*.c.
 * Only this layer prints, reads the environment and exits.
 *
 * Exit codes (docs/lifeline.md):
 *   0  success
 *   1  done, but the input had data errors (bad records reported and
 *      skipped), or --strict stopped at the first one
 *   2  usage error
 *   3  failure: a file, the network or the database could not be used
 */
#ifndef LL_CMD_CMD_H
#define LL_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_DATA	1
#define EXIT_USAGE	2
#define EXIT_FAIL	3

int	cmd_mrt(int argc, char **argv);
int	cmd_bgp(int argc, char **argv);
int	cmd_ingest(int argc, char **argv);
int	cmd_signal(int argc, char **argv);
int	cmd_fetch(int argc, char **argv);
int	cmd_simulate(int argc, char **argv);
int	cmd_geo(int argc, char **argv);
int	cmd_rpki(int argc, char **argv);
int	cmd_evidence(int argc, char **argv);
int	cmd_registry(int argc, char **argv);
int	cmd_resilience(int argc, char **argv);
int	cmd_agent(int argc, char **argv);
int	cmd_db(int argc, char **argv);
int	cmd_export(int argc, char **argv);
int	cmd_import(int argc, char **argv);
int	cmd_detect(int argc, char **argv);
int	cmd_incidents(int argc, char **argv);
int	cmd_baseline(int argc, char **argv);
int	cmd_agent_bgp(int argc, char **argv);
/* agent probe (cmd_agent_probe.c), from cmd_agent; argv[0] is "probe" */
int	cmd_agent_probe(int argc, char **argv);
int	cmd_bus(int argc, char **argv);
/* ingest --from nats://: the bus's consumer (cmd_agent.c) */
int	cmd_ingest_bus(int argc, char **argv);
/* impact ID, index (cmd_impact.c); import users|countries FILE...,
 * from cmd_import (argv[0] is "users" or "countries") */
int	cmd_impact(int argc, char **argv);
int	cmd_index(int argc, char **argv);
int	cmd_import_ref(int argc, char **argv);
struct store;
/* Computes, stores and prints the impact of incident id (text or JSON);
 * without compute, prints the stored one (or says there is none).
 * Returns 0 or an exit code, after a one-line message. */
int	cli_impact_print(struct store *st, int64_t id, bool json,
	    const char *cmd, bool compute);
struct impact;
/* What cli_impact_get() returns when the impact was never computed and
 * compute is false (a store that cannot be written): *im is empty. */
#define CLI_IMPACT_NONE	(-1)
/* The impact of incident id into *im (impact_fini()): computed and
 * stored when compute, else the stored one. Returns 0, CLI_IMPACT_NONE,
 * or an exit code after a one-line message. */
int	cli_impact_get(struct store *st, int64_t id, bool compute,
	    struct impact *im, const char *cmd);
/* db copy FROM TO (cmd_db_copy.c), from cmd_db */
int	cmd_db_copy(int argc, char **argv);

/* What a replay of archives (bgp visibility, ingest bgp) found. */
struct replay_status {
	uint64_t	bad;		/* bad records reported */
	bool		fail;		/* a file could not be read at all */
	bool		damaged;	/* a stream ended in an error */
};
struct sig_file;
/* Reports one replayed file's trouble in one line and adds it to s. */
void	cli_replay_file(const struct sig_file *f, bool strict,
	    struct replay_status *s);
/* The options `bgp visibility` and `ingest bgp` share, for their long
 * option tables, and where cli_replay_opt() puts their values. */
#define CLI_REPLAY_OPTIONS \
	{ "collector", required_argument, NULL, 'c' }, \
	{ "bin", required_argument, NULL, 'B' }, \
	{ "full-feed", required_argument, NULL, 'F' }, \
	{ "visibility", required_argument, NULL, 'V' }, \
	{ "min-peers", required_argument, NULL, 'm' }, \
	{ "strict", no_argument, NULL, 's' }, \
	{ "locdb", required_argument, NULL, 'l' }, \
	{ "city", required_argument, NULL, 'C' }, \
	{ "rir", required_argument, NULL, 'r' }, \
	{ "warmup", required_argument, NULL, 'W' }
#define CLI_RIR_MAX	64
struct sig_opts;
struct sig_replay_opts;
struct geo_opts;
struct replay_args {
	struct sig_opts		*so;
	struct sig_replay_opts	*ro;
	struct geo_opts		*go;
	const char		*rir[CLI_RIR_MAX + 1];	/* NULL-terminated */
	size_t			 nrir;
};
/* Handles one of CLI_REPLAY_OPTIONS (ch as getopt returned it). Returns 1
 * when it was one, 0 when not, -1 after printing a usage error. Sets
 * a->go->rir once a --rir is given. */
int	cli_replay_opt(struct replay_args *a, int ch, const char *arg,
	    const char *cmd);

struct sig_stats;
/* Says on stderr why a replay gave no point: no IPv4 route at all, or no
 * peer over the full-feed threshold (then the largest table seen and a
 * --full-feed value that would count it). */
void	cli_no_point(const struct sig_stats *st, const struct sig_opts *so,
	    const char *cmd);
struct sig_gap;
/* Says on stderr that a replay left bins without values (sig_gap). */
void	cli_gap_note(const char *cmd, const struct sig_gap *g);

struct mrt_error;
/* mrt_reader_opts.on_error for the CLI: prints `FILE: offset N: what`. */
void	cli_mrt_error(void *ctx, const struct mrt_error *e);

/* geo_opts.warn for the CLI: prints the warning. */
void	cli_geo_warn(void *ctx, const char *msg);

/*
 * s with control bytes, DEL and backslash as C escapes (\n, \t, \x1b,
 * \\), for printing any name from outside (a file name, a URL) on a
 * terminal or in a one-line message. Returns one of four static buffers in
 * turn: up to four in one printf. Never NULL; s NULL gives "(null)".
 */
const char *cli_esc(const char *s);

/* Prints "lifeline: <fmt>" and a newline to stderr, the message escaped
 * as cli_esc() does (so do not escape its arguments again). */
void	cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, prefixed "lifeline: warning: ". */
void	cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The database URL: --db (as given, even empty), else $LIFELINE_DB when
 * not empty, else "lifeline.db". */
const char *cli_db_url(const char *opt);

/* Where lifeline keeps what it can rebuild (the geo map): $LIFELINE_CACHE_DIR
 * (empty: nowhere), else $XDG_CACHE_HOME/lifeline, else ~/.cache/lifeline;
 * NULL when none. */
const char *cli_cache_dir(void);

/* True when --help/-h is among argv[1..]. */
bool	cli_wants_help(int argc, char **argv);

/*
 * A progress line on stderr, redrawn at most 10 times a second, only when
 * stderr is a terminal. progress_update() takes done/total in bytes (total
 * 0 when unknown) and a short label.
 */
struct progress {
	bool	 tty;
	int64_t	 last_ms;
	int64_t	 start_ms;
	int	 width;
};
void	progress_init(struct progress *p);
void	progress_update(struct progress *p, const char *label, uint64_t done,
	    uint64_t total);
/* Clears the line. */
void	progress_done(struct progress *p);

/* ---- output shared by the store's readers (cli_out.c) ---------------- */

/* s as one CSV field (quoted when it holds a comma, quote or newline). */
void	cli_csv_str(FILE *f, const char *s);
/* s as a JSON string, quotes included. */
void	cli_json_str(FILE *f, const char *s);
/* The shortest of %.15g / %.17g that reads back as v. Returns buf. */
char	*cli_fmt_value(double v, char *buf, size_t len);
/* Output times in zone tz (an IANA name such as Africa/Cairo, found under
 * $TZDIR or /usr/share/zoneinfo; "UTC" or NULL: UTC with Z). 0, or -1
 * when there is no such zone. */
int	cli_tz_set(const char *tz);
#define CLI_TIME_LEN	32
/* t as ISO 8601: "...Z" in UTC, "...+02:00" after cli_tz_set(). */
char	*cli_time_fmt(int64_t t, char *buf, size_t len);
/* Entities in the order people count them: by kind (country, region,
 * asn, prefix, collector), then numerically (asn:2 before asn:10),
 * prefixes by address, the rest as text. A strcmp()-like result. */
int	cli_entity_cmp(const char *a, const char *b);
/* A series of the store, copied. */
struct cli_series {
	char		*signal, *entity;
	uint64_t	 points;
	int64_t		 first, last;
};
struct store;
/* All series of signal (NULL: every kind), by signal then
 * cli_entity_cmp(). 0, or the store's error (store_errmsg()), -1 out of
 * memory. Free with cli_series_free(). */
int	cli_series_load(struct store *st, const char *signal,
	    struct cli_series **out, size_t *n);
void	cli_series_free(struct cli_series *v, size_t n);
/* one when n is 1, else many: "1 problem", "2 problems". */
const char *cli_plural(uint64_t n, const char *one, const char *many);

#endif
