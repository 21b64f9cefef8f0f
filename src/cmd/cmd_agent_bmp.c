/*
 * lifeline agent bmp: a BMP collector (RFC 7854). Routers connect and
 * stream their peers' routes; the visibility signal is computed on the
 * live feed, bin by bin, printed as `bgp visibility` prints it and, with
 * --db, written to the store (one transaction per bin). With --watchlist,
 * the routing monitors of `routing check` run on the same elements, and
 * their alerts are written as they fire and as they end.
 *
 * One thread, one poll() loop, non-blocking sockets: a session's bytes are
 * read into its own bounded buffer and decoded a whole message at a time,
 * so a slow or silent router holds nothing but its buffer. A bad message
 * closes its session only. Elements are stamped with the time they
 * arrive: a live signal says what the routers saw in each bin.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bmp/bmp.h"
#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "geo/geo.h"
#include "routing/routing.h"
#include "signal/signal.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

#define AGENT_MAX_ALLOW	64
#define AGENT_BUF0	(64u << 10)

struct session {
	int			 fd;
	char			 name[NET_ADDR_STRLEN];
	uint16_t		 coll;
	struct bmp_decoder	*dec;
	uint8_t			*buf;
	size_t			 len, cap;
	FILE			*cap_f;		/* --capture */
	uint64_t		 msgs, elems;
};

struct pending {
	const char	*kind;
	int64_t		 time;
	struct store_point p;
};

struct agent {
	struct sig	*sig;
	struct store	*db;
	bool		 post_policy;
	bool		 kinds;		/* print the kind column */
	const char	*capture;	/* directory, or NULL */
	struct net_addr	 allow[AGENT_MAX_ALLOW];
	size_t		 nallow;
	struct session	*ses;
	size_t		 nses, max;
	struct pending	*pend;		/* the bin's points, for --db */
	size_t		 npend, cappend;
	bool		 dbfail;
	int64_t		 now;
	/* --watchlist: the routing monitors */
	struct routing_watchlist *wl;
	struct routing_vrps	*vrps;
	struct routing_monitor	*mon;
	struct routing_monitor_opts mo;
	FILE			*alerts;	/* --alerts, or stderr */
	const char		*wl_path, *vrps_path, *alerts_path;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline agent bmp --listen ADDR:PORT [options]\n"
	    "\n"
	    "(`lifeline agent bgp --help`: archives' signal published to NATS;\n"
	    "`lifeline agent probe --help`: the active prober.)\n"
	    "\n"
	    "A BMP collector (RFC 7854): routers connect and stream their\n"
	    "peers' routes; the BGP visibility signal is computed on the live\n"
	    "feed and printed at the end of each bin, as `bgp visibility`\n"
	    "prints it (time,entity,value). Each router is a collector of its\n"
	    "own, named by its address.\n"
	    "\n"
	    "options:\n"
	    "  --listen ADDR:PORT  where to accept sessions (IPv6: [ADDR]:PORT)\n"
	    "  --max-sessions N    routers at once (default 64)\n"
	    "  --allow ADDR        accept only these routers (repeatable)\n"
	    "  --post-policy       use post-policy routes (default pre-policy)\n"
	    "  --db FILE           also write the points, one transaction a bin\n"
	    "  --capture DIR       keep each session's bytes in DIR/ADDR.bmp\n"
	    "  --by, --kind, --bin, --full-feed, --visibility, --locdb:\n"
	    "                      as for `bgp visibility`\n"
	    "  --watchlist FILE    also run the routing monitors of `routing\n"
	    "                      check` (a BGPalerter prefixes.yml) on the\n"
	    "                      feed: each alert is written as a JSON line\n"
	    "                      when it fires (last_seen null) and again\n"
	    "                      when it ends; with --db also stored as an\n"
	    "                      event, replaced when it ends\n"
	    "  --vrps FILE         VRPs, for rpki-invalid alerts\n"
	    "  --alerts FILE       where alert lines go (appended; default\n"
	    "                      standard error)\n"
	    "  --min-peers N, --min-peers-loss N\n"
	    "                      as for `routing check` (3, 40)\n"
	    "\n"
	    "Stops on SIGINT or SIGTERM. exit status: 0 ok, 2 usage,\n"
	    "3 failure (the address, the database).\n");
}

/* ---- points: printed, and kept for the store ---- */

static int
db_flush(struct agent *a)
{
	size_t i = 0;
	int rc = 0;

	if (a->db == NULL || a->npend == 0 || a->dbfail)
		goto out;
	if ((rc = store_tx_begin(a->db)) != 0)
		goto fail;
	while (i < a->npend) {
		size_t j = i;
		while (j < a->npend && a->pend[j].kind == a->pend[i].kind)
			j++;
		struct store_point pts[256];
		for (size_t k = i; k < j; k += 256) {
			size_t n = j - k < 256 ? j - k : 256;
			for (size_t m = 0; m < n; m++)
				pts[m] = a->pend[k + m].p;
			if ((rc = store_points_put(a->db, a->pend[i].kind,
			    "agent:bmp", pts, n)) != 0) {
				store_tx_rollback(a->db);
				goto fail;
			}
		}
		i = j;
	}
	if ((rc = store_tx_commit(a->db)) == 0)
		goto out;
fail:
	cli_err("agent bmp: database: %s", store_errmsg(a->db));
	a->dbfail = true;
out:
	a->npend = 0;
	return rc;
}

static int
emit(void *ctx, const char *kind, int64_t t, const char *entity, uint64_t v)
{
	struct agent *a = ctx;
	char ts[LL_ISO8601_LEN];

	ll_time_fmt(t, ts, sizeof(ts));
	if (a->kinds)
		printf("%s,%s,%s,%" PRIu64 "\n", ts, kind, entity, v);
	else
		printf("%s,%s,%" PRIu64 "\n", ts, entity, v);
	if (a->db == NULL)
		return 0;
	if (a->npend > 0 && a->pend[0].time != t)
		db_flush(a);
	if (a->npend == a->cappend) {
		size_t cap = a->cappend ? a->cappend * 2 : 1024;
		struct pending *np = realloc(a->pend, cap * sizeof(*np));
		if (np == NULL)
			return LL_ENOMEM;
		a->pend = np;
		a->cappend = cap;
	}
	a->pend[a->npend++] = (struct pending){ kind, t,
	    { entity, t, (double)v } };
	return 0;
}

/* After each engine call: the bins it closed go out. */
static int
bins_done(struct agent *a, int rc)
{
	db_flush(a);
	fflush(stdout);
	return rc;
}

/* ---- routing alerts ---- */

/* An alert fires (last_seen null) or ends: one JSON line, and with --db
 * the event, stored when it fires and replaced when it ends. */
static int
on_alert(void *ctx, const struct routing_alert *al)
{
	struct agent *a = ctx;
	json_t *o = cli_alert_json(al);
	char *line = o != NULL ? json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	char kind[64], entity[STORE_KEY_MAX], p[NET_PREFIX_STRLEN];

	json_decref(o);
	if (line == NULL)
		return LL_ENOMEM;
	if (al->final && al->last_seen == 0) {
		free(line);	/* still open at the end: written when fired */
		return 0;
	}
	fprintf(a->alerts, "%s\n", line);
	fflush(a->alerts);
	if (a->db != NULL && !a->dbfail) {
		struct store_event ev = { kind, entity, al->first_seen,
		    al->last_seen, line };

		snprintf(kind, sizeof(kind), "routing:%s",
		    routing_alert_name(al->type));
		net_prefix_fmt(&al->prefix, p);
		if (al->watch_as != NULL)
			snprintf(entity, sizeof(entity), "asn:%" PRIu32,
			    al->watch_as->asn);
		else
			snprintf(entity, sizeof(entity), "prefix:%s", p);
		if (store_event_put(a->db, &ev) != 0) {
			cli_err("agent bmp: database: %s", store_errmsg(a->db));
			a->dbfail = true;
		}
	}
	free(line);
	return 0;
}


/* Loads --watchlist and --vrps, opens --alerts, makes the monitor.
 * Returns 0 or -1 (reported). */
static int
monitor_open(struct agent *a, const char *wl, const char *vrps,
    const char *alerts)
{
	char err[512] = "";
	int rc = 0;

	a->alerts = stderr;
	if (wl == NULL)
		return 0;
	if ((rc = routing_watch_load(wl, &a->wl, err, sizeof(err))) != 0 ||
	    (vrps != NULL && ((rc = routing_vrps_new(&a->vrps)) != 0 ||
	    (rc = routing_vrps_load(a->vrps, vrps, cli_vrp_warn, NULL, err,
	    sizeof(err))) != 0 || (rc = routing_vrps_index(a->vrps)) != 0))) {
		cli_err("agent bmp: %s", err[0] ? err : ll_strerror(rc));
		return -1;
	}
	if (alerts != NULL && (a->alerts = fopen(alerts, "a")) == NULL) {
		a->alerts = stderr;
		cli_err("agent bmp: --alerts: %s: %s", alerts, strerror(errno));
		return -1;
	}
	a->mo.vrps = a->vrps;
	if ((rc = routing_monitor_new(a->wl, &a->mo, on_alert, a,
	    &a->mon)) != 0) {
		cli_err("agent bmp: %s", ll_strerror(rc));
		return -1;
	}
	return 0;
}

/* Closes what monitor_open() made; open alerts are written, last_seen
 * null: they lasted as long as the collector ran. */
static void
monitor_close(struct agent *a)
{
	if (a->mon != NULL && routing_monitor_finish(a->mon) != 0)
		cli_err("agent bmp: %s", ll_strerror(LL_ENOMEM));
	routing_monitor_free(a->mon);
	routing_vrps_free(a->vrps);
	routing_watch_free(a->wl);
	if (a->alerts != NULL && a->alerts != stderr)
		fclose(a->alerts);
}

/* ---- sessions ---- */

struct feed {
	struct agent	*a;
	struct session	*s;
};

static int
feed_elem(void *ctx, const struct mrt_elem *e)
{
	struct feed *f = ctx;
	int rc;

	f->s->elems++;
	if ((rc = sig_elem(f->a->sig, f->s->coll, e)) != 0 ||
	    f->a->mon == NULL)
		return rc;
	return routing_monitor_elem(f->a->mon, e);
}

/* Empties the tables of the peers the session still has up. */
static int
peers_down(struct agent *a, struct session *s)
{
	size_t n;
	const struct mrt_peer *p = bmp_decoder_peers(s->dec, &n);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct mrt_elem e = { .type = MRT_ELEM_STATE, .ts =
		    (uint32_t)a->now, .peer = &p[i], .old_state =
		    BMP_STATE_ESTABLISHED, .new_state = BMP_STATE_IDLE };
		rc = sig_elem(a->sig, s->coll, &e);
		if (rc == 0 && a->mon != NULL)
			rc = routing_monitor_elem(a->mon, &e);
	}
	return bins_done(a, rc);
}

static void
session_close(struct agent *a, size_t i, const char *why)
{
	struct session *s = &a->ses[i];

	peers_down(a, s);
	cli_warn("agent bmp: %s: session closed (%s): %" PRIu64 " messages, "
	    "%" PRIu64 " route elements", s->name, why, s->msgs, s->elems);
	close(s->fd);
	if (s->cap_f != NULL)
		fclose(s->cap_f);
	bmp_decoder_free(s->dec);
	free(s->buf);
	a->ses[i] = a->ses[--a->nses];
}

/* Whether the message's routes count: Adj-RIB-In of the chosen policy. */
static bool
wanted(const struct agent *a, const struct bmp_msg *m)
{
	if (m->rec.kind != MRT_K_MESSAGE)
		return m->rec.kind == MRT_K_STATE;
	if (m->peer_flags & BMP_PF_O)
		return false;
	return ((m->peer_flags & BMP_PF_L) != 0) == a->post_policy;
}

/* Decodes the whole messages in the buffer. Returns 0, or -1 when the
 * session is to close (reported). */
static int
session_drain(struct agent *a, size_t i, const char **why)
{
	struct session *s = &a->ses[i];
	struct bmp_error e;
	const struct bmp_msg *m;
	size_t at = 0;
	uint32_t n;
	int rc = 0;

	while (rc == 0) {
		if ((rc = bmp_frame(s->dec, s->buf + at, s->len - at, &n,
		    &e)) != 0 || n == 0 || n > s->len - at)
			break;
		if ((rc = bmp_decode(s->dec, s->buf + at, n, &m, &e)) != 0)
			break;
		s->msgs++;
		at += n;
		if (m->type == BMP_T_TERMINATION) {
			*why = "Termination";
			rc = 1;
			break;
		}
		if (!wanted(a, m))
			continue;
		struct mrt_record r = m->rec;
		struct feed f = { a, s };
		r.ts = (uint32_t)a->now;
		r.usec = 0;
		rc = bins_done(a, mrt_record_elems(&r, feed_elem, &f));
		if (rc != 0) {
			cli_err("agent bmp: %s", ll_strerror(rc));
			*why = ll_strerror(rc);
			return -1;
		}
	}
	memmove(s->buf, s->buf + at, s->len - at);
	s->len -= at;
	if (rc < 0) {
		cli_err("agent bmp: %s: offset %" PRIu64 ": %s", s->name,
		    e.offset, e.what);
		*why = "bad message";
	}
	if (rc == 0 && n > s->cap) {
		uint8_t *nb = realloc(s->buf, n);
		if (nb == NULL)
			return -1;
		s->buf = nb;
		s->cap = n;
	}
	return rc == 0 ? 0 : -1;
}

/* Reads what the session has. Returns 0, or -1 when it is to close. */
static int
session_read(struct agent *a, size_t i, const char **why)
{
	struct session *s = &a->ses[i];
	ssize_t r = read(s->fd, s->buf + s->len, s->cap - s->len);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0) {
		*why = r == 0 ? "end of stream" : strerror(errno);
		return -1;
	}
	if (s->cap_f != NULL)
		if (fwrite(s->buf + s->len, 1, (size_t)r, s->cap_f) !=
		    (size_t)r || fflush(s->cap_f) != 0) {
			cli_warn("agent bmp: %s: capture: write failed",
			    s->name);
			fclose(s->cap_f);
			s->cap_f = NULL;
		}
	s->len += (size_t)r;
	return session_drain(a, i, why);
}

static bool
allowed(const struct agent *a, const struct net_addr *ad)
{
	if (a->nallow == 0)
		return true;
	for (size_t i = 0; i < a->nallow; i++)
		if (memcmp(&a->allow[i], ad, sizeof(*ad)) == 0)
			return true;
	return false;
}

static void
sockaddr_net(const struct sockaddr_storage *ss, struct net_addr *ad)
{
	memset(ad, 0, sizeof(*ad));
	if (ss->ss_family == AF_INET) {
		ad->af = NET_AF4;
		memcpy(ad->a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return;
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (memcmp(&s6->sin6_addr, v4mapped, 12) == 0) {
		ad->af = NET_AF4;
		memcpy(ad->a, (const uint8_t *)&s6->sin6_addr + 12, 4);
	} else {
		ad->af = NET_AF6;
		memcpy(ad->a, &s6->sin6_addr, 16);
	}
}

static int
session_open(struct agent *a, int fd, const struct net_addr *ad)
{
	struct session *s = &a->ses[a->nses];
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	net_addr_fmt(ad, s->name);
	if ((rc = sig_collector(a->sig, s->name, &s->coll)) != 0 ||
	    (rc = bmp_decoder_new(&s->dec)) != 0)
		goto fail;
	if ((s->buf = malloc(AGENT_BUF0)) == NULL) {
		rc = LL_ENOMEM;
		goto fail;
	}
	s->cap = AGENT_BUF0;
	if (a->capture != NULL) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.bmp", a->capture, s->name);
		if ((s->cap_f = fopen(path, "wb")) == NULL)
			cli_warn("agent bmp: %s: %s", path, strerror(errno));
	}
	a->nses++;
	cli_warn("agent bmp: %s: session open", s->name);
	return 0;
fail:
	cli_err("agent bmp: %s: %s", s->name, ll_strerror(rc));
	bmp_decoder_free(s->dec);
	close(fd);
	return rc;
}

static void
accept_one(struct agent *a, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct net_addr ad;
	char name[NET_ADDR_STRLEN];
	int fd = accept(lfd, (struct sockaddr *)&ss, &sl);

	if (fd < 0)
		return;
	sockaddr_net(&ss, &ad);
	net_addr_fmt(&ad, name);
	if (!allowed(a, &ad)) {
		cli_warn("agent bmp: %s: not an --allow'ed router: refused",
		    name);
		close(fd);
		return;
	}
	if (a->nses >= a->max) {
		cli_warn("agent bmp: %s: refused: already %zu sessions "
		    "(--max-sessions)", name, a->nses);
		close(fd);
		return;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		close(fd);
		return;
	}
	session_open(a, fd, &ad);
}

/* ---- the loop ---- */

static int
listen_on(const char *spec)
{
	char host[NET_ADDR_STRLEN + 2];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_storage ss;
	struct net_addr ad;
	socklen_t sl;
	char *end;
	int fd, one = 1;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
		return -2;
	long port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535 || colon[1] == '\0')
		return -2;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	char *h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	if (net_addr_parse(h, &ad) != 0)
		return -2;
	memset(&ss, 0, sizeof(ss));
	if (ad.af == NET_AF4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, ad.a, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, ad.a, 16);
		sl = sizeof(*s6);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 16) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The port bound (the one the system chose for port 0). */
static unsigned
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int
serve(struct agent *a, int lfd)
{
	struct pollfd *pf = calloc(a->max + 1, sizeof(*pf));
	int rc = 0;

	if (pf == NULL)
		return LL_ENOMEM;
	while (!stop && rc == 0) {
		size_t n = a->nses;
		pf[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (size_t i = 0; i < n; i++)
			pf[i + 1] = (struct pollfd){ .fd = a->ses[i].fd,
			    .events = POLLIN };
		if (poll(pf, n + 1, 1000) < 0 && errno != EINTR) {
			rc = LL_EIO;
			break;
		}
		a->now = (int64_t)time(NULL);
		/* Back to front: a close moves the last session into i. */
		for (size_t i = n; i-- > 0;) {
			const char *why = "";
			if ((pf[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    session_read(a, i, &why) != 0)
				session_close(a, i, why);
		}
		if (pf[0].revents & POLLIN)
			accept_one(a, lfd);
		rc = bins_done(a, sig_advance(a->sig, a->now));
	}
	while (a->nses > 0)
		session_close(a, a->nses - 1, "collector stopping");
	free(pf);
	return rc;
}

/* --min-peers N, --min-peers-loss N: 1 to 1000000. */
static int
peers_opt(uint32_t *out, const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end != '\0' || end == s || v == 0 || v > 1000000) {
		cli_err("agent bmp: --min-peers(-loss): 1 to 1000000, not %s",
		    s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* --kind bgp|bgp6|health|all. */
static int
kind_opt(struct sig_opts *so, const char *arg)
{
	static const char *const kinds[] = { "bgp", "bgp6", "health", "all" };
	static const unsigned series[] = { SIG_SERIES_V4, SIG_SERIES_V6,
	    SIG_SERIES_HEALTH, SIG_SERIES_ALL };

	so->series = 0;
	for (size_t i = 0; i < 4; i++)
		if (strcmp(arg, kinds[i]) == 0)
			so->series = series[i];
	if (so->series == 0) {
		cli_err("agent bmp: --kind: bgp, bgp6, health or all, not %s",
		    arg);
		return -1;
	}
	return 0;
}

static int
parse_opts(int argc, char **argv, struct agent *a, struct sig_opts *so,
    struct geo_opts *go, const char **listen, const char **db)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'L' },
		{ "max-sessions", required_argument, NULL, 'M' },
		{ "allow", required_argument, NULL, 'A' },
		{ "post-policy", no_argument, NULL, 'P' },
		{ "db", required_argument, NULL, 'd' },
		{ "capture", required_argument, NULL, 'c' },
		{ "by", required_argument, NULL, 'b' },
		{ "kind", required_argument, NULL, 'k' },
		{ "bin", required_argument, NULL, 'B' },
		{ "full-feed", required_argument, NULL, 'F' },
		{ "visibility", required_argument, NULL, 'V' },
		{ "locdb", required_argument, NULL, 'l' },
		{ "watchlist", required_argument, NULL, 'W' },
		{ "vrps", required_argument, NULL, 'R' },
		{ "alerts", required_argument, NULL, 'a' },
		{ "min-peers", required_argument, NULL, 'm' },
		{ "min-peers-loss", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		name = NULL;
		switch (c) {
		case 'L': *listen = optarg; break;
		case 'M':
			a->max = (size_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || a->max == 0 || a->max > 4096) {
				cli_err("agent bmp: --max-sessions: 1 to 4096, "
				    "not %s", optarg);
				return -1;
			}
			break;
		case 'A':
			if (a->nallow == AGENT_MAX_ALLOW ||
			    net_addr_parse(optarg, &a->allow[a->nallow]) != 0) {
				cli_err("agent bmp: --allow: not an address (or "
				    "more than 64): %s", optarg);
				return -1;
			}
			a->nallow++;
			break;
		case 'P': a->post_policy = true; break;
		case 'd': *db = optarg; break;
		case 'c': a->capture = optarg; break;
		case 'b': name = "by"; break;
		case 'B': name = "bin"; break;
		case 'F': name = "full-feed"; break;
		case 'V': name = "visibility"; break;
		case 'l': go->locdb = optarg; break;
		case 'W': a->wl_path = optarg; break;
		case 'R': a->vrps_path = optarg; break;
		case 'a': a->alerts_path = optarg; break;
		case 'm':
		case 'n':
			if (peers_opt(c == 'm' ? &a->mo.min_peers :
			    &a->mo.min_peers_loss, optarg) != 0)
				return -1;
			break;
		case 'k':
			if (kind_opt(so, optarg) != 0)
				return -1;
			break;
		case 'h': usage(stdout); return 1;
		default:
			cli_err("agent bmp: bad option '%s' (--help for usage)",
			    argv[optind - 1]);
			return -1;
		}
		if (name != NULL && sig_opt_parse(so, name, optarg) != 0) {
			cli_err("agent bmp: --%s: bad value: %s", name, optarg);
			return -1;
		}
	}
	if (*listen == NULL || optind != argc) {
		cli_err("agent bmp: %s (--help for usage)", *listen == NULL ?
		    "--listen ADDR:PORT is required" : "stray arguments");
		return -1;
	}
	if (a->wl_path == NULL && (a->vrps_path != NULL ||
	    a->alerts_path != NULL || a->mo.min_peers != 0 ||
	    a->mo.min_peers_loss != 0)) {
		cli_err("agent bmp: --vrps, --alerts and --min-peers go with "
		    "--watchlist");
		return -1;
	}
	return 0;
}

static int
agent_bmp(int argc, char **argv)
{
	struct agent a = { .max = 64 };
	struct sig_opts so = { .by = SIG_BY_COUNTRY, .series = SIG_SERIES_V4 };
	struct geo_opts go = { .warn = cli_geo_warn,
	    .cache_dir = cli_cache_dir() };
	const char *listen = NULL, *db = NULL;
	char errbuf[512];
	struct geo *g = NULL;
	int lfd = -1, rc, ret = EXIT_FAIL;

	if ((rc = parse_opts(argc, argv, &a, &so, &go, &listen, &db)) != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	if ((lfd = listen_on(listen)) < 0) {
		if (lfd == -2) {
			cli_err("agent bmp: --listen: not ADDR:PORT: %s", listen);
			return EXIT_USAGE;
		}
		cli_err("agent bmp: %s: %s", listen, strerror(errno));
		return EXIT_FAIL;
	}
	a.kinds = (so.series & SIG_SERIES_HEALTH) != 0;
	if ((so.series & (SIG_SERIES_V4 | SIG_SERIES_V6)) &&
	    (so.by & (SIG_BY_COUNTRY | SIG_BY_REGION)) &&
	    (rc = geo_open(&go, &g)) != 0) {
		cli_err("agent bmp: location database: %s",
		    g != NULL ? geo_errmsg(g) : ll_strerror(rc));
		goto out;
	}
	so.geo = g;
	if (db != NULL && store_open(db, STORE_CREATE, &a.db, errbuf,
	    sizeof(errbuf)) != 0) {
		cli_err("agent bmp: %s", errbuf);
		goto out;
	}
	if (monitor_open(&a, a.wl_path, a.vrps_path, a.alerts_path) != 0)
		goto out;
	if ((a.ses = calloc(a.max, sizeof(*a.ses))) == NULL ||
	    (rc = sig_new(&so, emit, &a, &a.sig)) != 0) {
		cli_err("agent bmp: %s", ll_strerror(LL_ENOMEM));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	printf(a.kinds ? "time,kind,entity,value\n" : "time,entity,value\n");
	fflush(stdout);
	cli_warn("agent bmp: listening on %s port %u", listen,
	    bound_port(lfd));
	rc = serve(&a, lfd);
	if (rc != 0)
		cli_err("agent bmp: %s", ll_strerror(rc));
	ret = rc != 0 || a.dbfail ? EXIT_FAIL : 0;
out:
	monitor_close(&a);
	close(lfd);
	sig_free(a.sig);
	free(a.ses);
	free(a.pend);
	store_free(a.db);
	geo_free(g);
	return ret;
}

int
cmd_agent(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "bmp") == 0)
		return agent_bmp(argc - 1, argv + 1);
	if (strcmp(argv[1], "bgp") == 0)	/* cmd_agent.c: to NATS */
		return cmd_agent_bgp(argc, argv);
	if (strcmp(argv[1], "probe") == 0)	/* cmd_agent_probe.c */
		return cmd_agent_probe(argc - 1, argv + 1);
	cli_err("agent: unknown subcommand '%s' (try: bmp, bgp, probe)",
	    argv[1]);
	return EXIT_USAGE;
}
