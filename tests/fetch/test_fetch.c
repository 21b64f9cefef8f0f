/*
 * lifeline fetch against a local HTTP server (libmicrohttpd on 127.0.0.1,
 * an ephemeral port) serving real archives from ../shared/data/mrt laid out
 * as RIPE RIS and RouteViews publish them. The server honours Range, and
 * can be told to cut a response short, corrupt a file or ignore Range.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <microhttpd.h>

#include "fetch/fetch.h"
#include "testutil.h"
#include "util/err.h"
#include "util/time.h"

#define MAXLOG	64

/* ---------------------------------------------------------------- server */

struct srv {
	struct MHD_Daemon	*d;
	char			 root[PATH_MAX];
	uint16_t		 port;
	pthread_mutex_t		 mu;
	/* what was asked */
	int			 nreq;
	char			 log[MAXLOG][160];	/* "path" or "path@N" */
	/* misbehaviour */
	char			 cut[160];	/* cut this path's next body */
	int			 cut_left;
	char			 corrupt[160];	/* flip bytes of this path */
	char			 endless[160];	/* a body that never ends */
	char			 slow[160];	/* 4 bytes a second */
	bool			 ignore_range;
};

static struct srv S;

struct cutbody {
	uint8_t	*buf;
	size_t	 len, stop;
};

static ssize_t
cut_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct cutbody *c = cls;
	size_t n;

	if (pos >= c->stop)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = c->stop - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(out, c->buf + pos, n);
	return (ssize_t)n;
}

/* An endless body of zeros, as fast as the client takes it. */
static ssize_t
endless_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)cls;
	(void)pos;
	memset(out, 0, max);
	return (ssize_t)max;
}

/* One byte every 250 ms: a server that trickles. */
static ssize_t
slow_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct timespec ts = { 0, 250 * 1000000L };

	(void)cls;
	if (pos > 4096 || max == 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	nanosleep(&ts, NULL);
	out[0] = 'x';
	return 1;
}

static void
cut_free(void *cls)
{
	struct cutbody *c = cls;

	free(c->buf);
	free(c);
}

#define slurp	test_slurp

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned code, struct MHD_Response *r)
{
	enum MHD_Result ret = MHD_queue_response(conn, code, r);

	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply_status(struct MHD_Connection *conn, unsigned code)
{
	static char body[] = "no\n";

	return reply(conn, code, MHD_create_response_from_buffer(
	    sizeof(body) - 1, body, MHD_RESPMEM_PERSISTENT));
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	char path[PATH_MAX + 200], cr[96];
	const char *range;
	unsigned long long from = 0;
	struct MHD_Response *r;
	uint8_t *buf;
	size_t len;
	bool cut = false, partial = false;

	(void)cls; (void)version; (void)upload; (void)upload_len;
	if (*state == NULL) {	/* first call: headers only */
		*state = (void *)1;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 || strstr(url, "..") != NULL)
		return reply_status(conn, 400);
	range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Range");
	if (range != NULL && !S.ignore_range) {
		if (sscanf(range, "bytes=%llu-", &from) != 1)
			return reply_status(conn, 400);
		partial = true;
	}
	pthread_mutex_lock(&S.mu);
	if (S.nreq < MAXLOG) {
		if (partial)
			snprintf(S.log[S.nreq], sizeof(S.log[0]), "%s@%llu",
			    url, from);
		else
			snprintf(S.log[S.nreq], sizeof(S.log[0]), "%s", url);
	}
	S.nreq++;
	if (S.cut_left > 0 && strcmp(url, S.cut) == 0) {
		S.cut_left--;
		cut = true;
	}
	pthread_mutex_unlock(&S.mu);

	if (strcmp(url, S.endless) == 0 || strcmp(url, S.slow) == 0)
		return reply(conn, 200, MHD_create_response_from_callback(
		    MHD_SIZE_UNKNOWN, 4096, strcmp(url, S.slow) == 0 ?
		    slow_reader : endless_reader, NULL, NULL));
	snprintf(path, sizeof(path), "%s%s", S.root, url);
	if ((buf = slurp(path, &len)) == NULL)
		return reply_status(conn, 404);
	if (strcmp(url, S.corrupt) == 0)
		for (size_t i = len / 2; i < len / 2 + 16 && i < len; i++)
			buf[i] ^= 0x5a;
	if (partial && from >= len) {
		free(buf);
		r = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
		snprintf(cr, sizeof(cr), "bytes */%zu", len);
		MHD_add_response_header(r, "Content-Range", cr);
		return reply(conn, 416, r);
	}
	if (partial) {
		memmove(buf, buf + from, len - (size_t)from);
		snprintf(cr, sizeof(cr), "bytes %llu-%zu/%zu", from, len - 1,
		    len);
		len -= (size_t)from;
	}
	if (cut) {
		struct cutbody *c = malloc(sizeof(*c));

		c->buf = buf;
		c->len = len;
		c->stop = len / 2;
		r = MHD_create_response_from_callback(len, 4096, cut_reader, c,
		    cut_free);
	} else {
		r = MHD_create_response_from_buffer(len, buf,
		    MHD_RESPMEM_MUST_FREE);
	}
	if (partial)
		MHD_add_response_header(r, "Content-Range", cr);
	return reply(conn, partial ? 206 : 200, r);
}

static void
srv_reset(void)
{
	pthread_mutex_lock(&S.mu);
	S.nreq = 0;
	S.cut[0] = S.corrupt[0] = S.endless[0] = S.slow[0] = '\0';
	S.cut_left = 0;
	S.ignore_range = false;
	pthread_mutex_unlock(&S.mu);
}

/* ------------------------------------------------------------ fixtures */

static const char *tmp;	/* holds srv/ and one dir per test */
static char base[64];

static void
mkdirs(const char *path)
{
	char buf[PATH_MAX * 2];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(buf, 0755);
		*s = '/';
	}
}

static void
put_n(const char *shared_rel, const char *srv_rel, bool half)
{
	const char *src = test_shared_or_skip(shared_rel);
	char dst[PATH_MAX * 2];
	size_t len;
	uint8_t *buf = slurp(src, &len);
	FILE *f;

	snprintf(dst, sizeof(dst), "%s/%s", S.root, srv_rel);
	mkdirs(dst);
	if (buf != NULL && half)
		len /= 2;
	if (buf == NULL || (f = fopen(dst, "wb")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot copy %s to %s\n", src, dst);
		exit(1);
	}
	free(buf);
}

static void
put(const char *shared_rel, const char *srv_rel)
{
	put_n(shared_rel, srv_rel, false);
}

/* The archives on the test server: real files, renamed into the layout. */
static const struct {
	const char	*shared;
	const char	*srv;
} files[] = {
	{ "mrt/ripe-bgpdump/bview.ipv4_unicast_add_path.gz",
	    "rrc04/2021.01/bview.20210101.0000.gz" },
	{ "mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609476900.300.gz",
	    "rrc04/2021.01/updates.20210101.0000.gz" },
	{ "mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609477200.300.gz",
	    "rrc04/2021.01/updates.20210101.0005.gz" },
	{ "mrt/libbgpstream/ris.rrc06.updates.1427846400.gz",
	    "rrc04/2021.01/updates.20210101.0010.gz" },
	{ "mrt/pyasn/bview.20140112.1600_3samples.bz2",
	    "bgpdata/2015.04/RIBS/rib.20150401.0000.bz2" },
	{ "mrt/libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2",
	    "bgpdata/2015.04/UPDATES/updates.20150401.0000.bz2" },
	{ "mrt/bgpkit/examples-local_only-updates.bz2",
	    "bgpdata/2015.04/UPDATES/updates.20150401.0015.bz2" },
	{ "mrt/libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2",
	    "route-views.linx/bgpdata/2015.04/UPDATES/updates.20150401.0000.bz2" },
};

#define TRUNC_SRC \
	"mrt/libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2"
#define TRUNC_RIB \
	"route-views.linx/bgpdata/2015.04/RIBS/rib.20150401.0000.bz2"

static const char *
shared_of(const char *srv_rel)
{
	/* route-views2 is stored under its name, served without it */
	if (strncmp(srv_rel, "route-views2/", 13) == 0)
		srv_rel += 13;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i].srv, srv_rel) == 0)
			return test_shared(files[i].shared);
	return NULL;
}

static int
setup_all(void **st)
{
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *di;

	(void)st;
	if ((tmp = test_tmpdir_make("fetch")) == NULL)
		return -1;
	snprintf(S.root, sizeof(S.root), "%s/srv", tmp);
	pthread_mutex_init(&S.mu, NULL);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		put(files[i].shared, files[i].srv);
	/* a real bzip2 archive cut in half, as a broken mirror would serve */
	put_n(TRUNC_SRC, TRUNC_RIB, true);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	S.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	    handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_END);
	if (S.d == NULL)
		return -1;
	di = MHD_get_daemon_info(S.d, MHD_DAEMON_INFO_BIND_PORT);
	if (di == NULL || di->port == 0)
		return -1;
	S.port = di->port;
	snprintf(base, sizeof(base), "http://127.0.0.1:%u/", S.port);
	/* a proxy from the environment must not take loopback elsewhere */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	setenv("no_proxy", "*", 1);
	return 0;
}

static int
teardown_all(void **st)
{
	(void)st;
	if (S.d != NULL)
		MHD_stop_daemon(S.d);
	return test_tmpdir_remove();
}

/* --------------------------------------------------------- run helpers */

struct seen {
	int	 addrs;
	int	 foreign;	/* connections to anything but 127.0.0.1 */
	char	 got[16][128];	/* on_file outcomes: "status rel" */
	char	 why[512];	/* the last reason given */
	long	 waits[8];	/* on_wait delays, ms */
	int	 nwaits;
	int	 n;
	int	 stop_after;	/* on_progress stops after this many calls */
	int	 progress;
};

static bool
allow_addr(void *arg, const struct sockaddr *sa)
{
	struct seen *s = arg;
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

	s->addrs++;
	if (sa->sa_family != AF_INET ||
	    in->sin_addr.s_addr != htonl(INADDR_LOOPBACK)) {
		s->foreign++;
		return false;
	}
	return true;
}

static void
on_file(void *arg, const struct fetch_file *f, enum fetch_status st,
    const char *why)
{
	struct seen *s = arg;

	if (why != NULL)
		snprintf(s->why, sizeof(s->why), "%s", why);
	if (s->n < 16)
		snprintf(s->got[s->n], sizeof(s->got[0]), "%s %s",
		    fetch_status_name(st), f->rel);
	s->n++;
}

static int
on_progress(void *arg, const struct fetch_file *f, uint64_t done,
    uint64_t total)
{
	struct seen *s = arg;

	(void)f;
	assert_true(total == 0 || done <= total);
	s->progress++;
	return s->stop_after > 0 && s->progress >= s->stop_after;
}

static void
on_wait(void *arg, long ms)
{
	struct seen *s = arg;

	if (s->nwaits < 8)
		s->waits[s->nwaits] = ms;
	s->nwaits++;
}

/* A fresh destination directory for one test. */
static const char *
newdir(const char *name)
{
	static char d[PATH_MAX];

	snprintf(d, sizeof(d), "%s/%s", tmp, name);
	(void)mkdir(d, 0755);
	return d;
}

/* Options of the next run() besides its own; reset by every run(). */
static struct fetch_opts next_opts;

static int
run(const char *dir, enum fetch_project p, const char *coll,
    const char *from, const char *to, int kinds, struct seen *s,
    struct fetch_stats *st)
{
	struct fetch_req req = { p, coll, 0, 0, kinds, base };
	struct fetch_opts o = next_opts;
	struct fetch_plan plan;
	int rc;

	memset(&next_opts, 0, sizeof(next_opts));
	assert_int_equal(ll_time_parse(from, &req.from), 0);
	assert_int_equal(ll_time_parse(to, &req.to), 0);
	o.dir = dir;
	if (o.max_tries == 0)
		o.max_tries = 3;
	o.on_wait = on_wait;	/* the tests never sleep between tries */
	o.on_file = on_file;
	o.on_progress = on_progress;
	o.allow_addr = allow_addr;
	o.arg = s;
	assert_int_equal(fetch_plan_build(&req, &plan), 0);
	rc = fetch_run(&plan, &o, st);
	fetch_plan_free(&plan);
	return rc;
}

/* True when dir/rel exists and has the bytes of the shared source. */
static bool
same_as_source(const char *dir, const char *rel)
{
	char p[PATH_MAX * 2];
	size_t a, b;
	uint8_t *x, *y;
	bool same;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	x = slurp(p, &a);
	y = slurp(shared_of(rel), &b);
	same = x != NULL && y != NULL && a == b && memcmp(x, y, a) == 0;
	free(x);
	free(y);
	return same;
}

static bool
exists(const char *dir, const char *rel, const char *suffix)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s%s", dir, rel, suffix);
	return access(p, F_OK) == 0;
}

static bool
logged(const char *entry)
{
	bool found = false;

	pthread_mutex_lock(&S.mu);
	for (int i = 0; i < S.nreq && i < MAXLOG; i++)
		if (strcmp(S.log[i], entry) == 0)
			found = true;
	pthread_mutex_unlock(&S.mu);
	return found;
}

#define RIS_BVIEW	"rrc04/2021.01/bview.20210101.0000.gz"
#define RIS_U0000	"rrc04/2021.01/updates.20210101.0000.gz"
#define RIS_U0005	"rrc04/2021.01/updates.20210101.0005.gz"
#define RIS_U0010	"rrc04/2021.01/updates.20210101.0010.gz"

/* ---------------------------------------------------------------- plans */

static void
plan_rels(enum fetch_project p, const char *coll, const char *from,
    const char *to, int kinds, const char *const *want, size_t nwant)
{
	struct fetch_req req = { p, coll, 0, 0, kinds, NULL };
	struct fetch_plan plan;

	assert_int_equal(ll_time_parse(from, &req.from), 0);
	assert_int_equal(ll_time_parse(to, &req.to), 0);
	assert_int_equal(fetch_plan_build(&req, &plan), 0);
	assert_int_equal(plan.n, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(plan.files[i].url, want[i]);
	fetch_plan_free(&plan);
}

/* The URLs follow the public layouts, and the range rule: every file whose
 * interval meets [from, to), plus the RIB at or before from. */
static void
test_plan_layouts(void **st)
{
	static const char *const ris[] = {
		"https://data.ris.ripe.net/rrc04/2021.01/updates.20210101.0455.gz",
		"https://data.ris.ripe.net/rrc04/2021.01/updates.20210101.0500.gz",
	};
	static const char *const rv2[] = {
		"https://archive.routeviews.org/bgpdata/2021.01/RIBS/rib.20210131.2200.bz2",
		"https://archive.routeviews.org/bgpdata/2021.02/RIBS/rib.20210201.0000.bz2",
	};
	static const char *const linx[] = {
		"https://archive.routeviews.org/route-views.linx/bgpdata/2021.01/UPDATES/updates.20210131.2345.bz2",
	};
	static const char *const ris_ribs[] = {
		"https://data.ris.ripe.net/rrc00/2021.01/bview.20210101.0800.gz",
		"https://data.ris.ripe.net/rrc00/2021.01/bview.20210101.1600.gz",
		"https://data.ris.ripe.net/rrc00/2021.01/bview.20210102.0000.gz",
	};

	(void)st;
	/* 04:56 lies inside 04:55's file; 05:05 is excluded */
	plan_rels(FETCH_RIS, "rrc04", "2021-01-01T04:56Z",
	    "2021-01-01T05:05Z", FETCH_UPDATES, ris, 2);
	plan_rels(FETCH_ROUTEVIEWS, "route-views2", "2021-01-31T23:59Z",
	    "2021-02-01T00:15Z", FETCH_RIB, rv2, 2);
	plan_rels(FETCH_ROUTEVIEWS, "route-views.linx", "2021-01-31T23:45Z",
	    "2021-02-01T00:00Z", FETCH_UPDATES, linx, 1);
	plan_rels(FETCH_RIS, "rrc00", "2021-01-01T08:00Z",
	    "2021-01-02T00:00:01Z", FETCH_RIB, ris_ribs, 3);
}

/*
 * With RIBs and updates, the updates start at the RIB the plan begins with,
 * so that nothing is missing between the snapshot and `from`: RIS from
 * 22:00 takes the 16:00 bview and every update file from 16:00 on. Every
 * collector's files have a local path under its name, route-views2's too.
 */
static void
test_plan_updates_from_rib(void **st)
{
	struct fetch_req req = { FETCH_RIS, "rrc00", 0, 0,
	    FETCH_RIB | FETCH_UPDATES, NULL };
	struct fetch_plan plan;
	int64_t rib, t;
	size_t nrib = 0;

	(void)st;
	assert_int_equal(ll_time_parse("2021-01-01T22:00Z", &req.from), 0);
	assert_int_equal(ll_time_parse("2021-01-01T22:10Z", &req.to), 0);
	assert_int_equal(ll_time_parse("2021-01-01T16:00Z", &rib), 0);
	assert_int_equal(fetch_plan_build(&req, &plan), 0);
	/* the 16:00 bview, then 16:00, 16:05 ... 22:05: 74 update files */
	assert_int_equal(plan.n, 1 + 74);
	assert_int_equal(plan.files[0].kind, FETCH_RIB);
	assert_int_equal(plan.files[0].time, rib);
	assert_string_equal(plan.files[0].rel,
	    "rrc00/2021.01/bview.20210101.1600.gz");
	for (size_t i = 1; i < plan.n; i++) {
		assert_int_equal(plan.files[i].kind, FETCH_UPDATES);
		assert_int_equal(plan.files[i].time, rib + (int64_t)(i - 1) * 300);
	}
	assert_string_equal(plan.files[plan.n - 1].rel,
	    "rrc00/2021.01/updates.20210101.2205.gz");
	fetch_plan_free(&plan);

	/* RouteViews: RIBs every 2 h, updates every 15 min from the first */
	req.project = FETCH_ROUTEVIEWS;
	req.collector = "route-views2";
	assert_int_equal(ll_time_parse("2021-01-31T23:59Z", &req.from), 0);
	assert_int_equal(ll_time_parse("2021-02-01T00:15Z", &req.to), 0);
	assert_int_equal(ll_time_parse("2021-01-31T22:00Z", &rib), 0);
	assert_int_equal(fetch_plan_build(&req, &plan), 0);
	t = rib;
	for (size_t i = 0; i < plan.n; i++) {
		const struct fetch_file *f = &plan.files[i];

		assert_true(strncmp(f->rel, "route-views2/bgpdata/", 21) == 0);
		assert_true(strncmp(f->url, "https://archive.routeviews.org/"
		    "bgpdata/", 39) == 0);
		assert_string_equal(f->rel + 13, f->url + 31);
		if (f->kind == FETCH_RIB) {
			nrib++;
			continue;
		}
		assert_int_equal(f->time, t);
		t += 900;
	}
	assert_int_equal(nrib, 2);		/* 22:00 and 00:00 */
	assert_int_equal(plan.n - nrib, 9);	/* 22:00 ... 00:00 */
	fetch_plan_free(&plan);

	/* updates alone still start at `from` */
	req.kinds = FETCH_UPDATES;
	assert_int_equal(fetch_plan_build(&req, &plan), 0);
	assert_int_equal(plan.n, 2);		/* 23:45 and 00:00 */
	fetch_plan_free(&plan);
}

static void
test_plan_rejects(void **st)
{
	struct fetch_req req = { FETCH_RIS, "rrc04", 1609476900, 1609477200,
	    FETCH_RIB, NULL };
	struct fetch_plan plan;

	(void)st;
	req.collector = "../etc";
	assert_int_equal(fetch_plan_build(&req, &plan), LL_EINVAL);
	req.collector = "route-views2";		/* not a RIS name */
	assert_int_equal(fetch_plan_build(&req, &plan), LL_EINVAL);
	req.project = FETCH_ROUTEVIEWS;
	req.collector = "route-views/../x";
	assert_int_equal(fetch_plan_build(&req, &plan), LL_EINVAL);
	req.collector = "route-views2";
	req.to = req.from;
	assert_int_equal(fetch_plan_build(&req, &plan), LL_EINVAL);
	req.to = req.from + 1000LL * 365 * 86400;
	req.kinds = FETCH_UPDATES;
	assert_int_equal(fetch_plan_build(&req, &plan), LL_ELIMIT);
	req.to = req.from + 60;
	req.base_url = "ftp://127.0.0.1/";
	assert_int_equal(fetch_plan_build(&req, &plan), LL_EINVAL);
}

/* ------------------------------------------------------------ downloads */

/* The exact files of the range, byte for byte; nothing else asked for;
 * only loopback contacted. Then a second run skips all of them. */
static void
test_fetch_ris_range_then_skip(void **unused)
{
	const char *d = newdir("ris");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:10Z", FETCH_RIB | FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 3);
	assert_int_equal(st.missing + st.bad + st.failed + st.present, 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.got[0], "fetched " RIS_BVIEW);
	assert_string_equal(s.got[1], "fetched " RIS_U0000);
	assert_string_equal(s.got[2], "fetched " RIS_U0005);
	assert_true(same_as_source(d, RIS_BVIEW));
	assert_true(same_as_source(d, RIS_U0000));
	assert_true(same_as_source(d, RIS_U0005));
	assert_false(exists(d, RIS_U0010, ""));
	assert_false(exists(d, RIS_U0000, ".part"));
	assert_int_equal(S.nreq, 3);
	assert_true(logged("/" RIS_BVIEW));
	assert_true(logged("/" RIS_U0000));
	assert_true(logged("/" RIS_U0005));
	assert_true(s.addrs >= 1);
	assert_int_equal(s.foreign, 0);
	assert_true(st.bytes > 0);

	srv_reset();
	memset(&s, 0, sizeof(s));
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:10Z", FETCH_RIB | FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.present, 3);
	assert_int_equal(st.done, 0);
	assert_int_equal(S.nreq, 0);
	assert_int_equal(s.addrs, 0);
}

/* A truncated FILE.part is continued with a Range request from its size. */
static void
test_fetch_resume_part(void **unused)
{
	const char *d = newdir("resume");
	struct seen s = { 0 };
	struct fetch_stats st;
	char part[PATH_MAX * 2], want[64];
	size_t len;
	uint8_t *src = slurp(shared_of(RIS_U0005), &len);
	FILE *f;

	(void)unused;
	assert_non_null(src);
	snprintf(part, sizeof(part), "%s/" RIS_U0005 ".part", d);
	mkdirs(part);
	f = fopen(part, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(src, 1, len / 3, f), len / 3);
	fclose(f);
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:05Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_true(same_as_source(d, RIS_U0005));
	assert_false(exists(d, RIS_U0005, ".part"));
	snprintf(want, sizeof(want), "/" RIS_U0005 "@%zu", len / 3);
	assert_true(logged(want));
	assert_int_equal(S.nreq, 1);
	assert_int_equal(st.bytes, len - len / 3);
	free(src);
}

/* A .part that is already whole (a run stopped before the rename): the
 * server answers 416 with the size, and the file is verified and kept. */
static void
test_fetch_part_already_whole(void **unused)
{
	const char *d = newdir("whole");
	struct seen s = { 0 };
	struct fetch_stats st;
	char part[PATH_MAX * 2], want[64];
	size_t len;
	uint8_t *src = slurp(shared_of(RIS_U0005), &len);
	FILE *f;

	(void)unused;
	assert_non_null(src);
	snprintf(part, sizeof(part), "%s/" RIS_U0005 ".part", d);
	mkdirs(part);
	f = fopen(part, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(src, 1, len, f), len);
	fclose(f);
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:05Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.bytes, 0);
	assert_true(same_as_source(d, RIS_U0005));
	snprintf(want, sizeof(want), "/" RIS_U0005 "@%zu", len);
	assert_true(logged(want));
	assert_int_equal(S.nreq, 1);
	free(src);
}

/* A .part locked by another run is left alone. */
static void
test_fetch_part_locked(void **unused)
{
	const char *d = newdir("locked");
	struct seen s = { 0 };
	struct fetch_stats st;
	char part[PATH_MAX * 2];
	int fd;

	(void)unused;
	snprintf(part, sizeof(part), "%s/" RIS_U0005 ".part", d);
	mkdirs(part);
	fd = open(part, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:05Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(S.nreq, 0);
	assert_true(exists(d, RIS_U0005, ".part"));
	close(fd);
}

/* A server that ignores Range: the .part is started over, still right. */
static void
test_fetch_resume_without_range_support(void **unused)
{
	const char *d = newdir("norange");
	struct seen s = { 0 };
	struct fetch_stats st;
	char part[PATH_MAX * 2];
	FILE *f;

	(void)unused;
	snprintf(part, sizeof(part), "%s/" RIS_U0005 ".part", d);
	mkdirs(part);
	f = fopen(part, "wb");
	assert_non_null(f);
	fputs("stale bytes that are not the start of the file", f);
	fclose(f);
	srv_reset();
	S.ignore_range = true;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:05Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_true(same_as_source(d, RIS_U0005));
}

/* A body cut short mid-transfer is retried, continuing where it stopped. */
static void
test_fetch_retry_after_cut(void **unused)
{
	const char *d = newdir("cut");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	snprintf(S.cut, sizeof(S.cut), "/" RIS_U0000);
	S.cut_left = 1;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_true(st.retries >= 1);
	assert_true(same_as_source(d, RIS_U0000));
	assert_int_equal(S.nreq, 2);
	assert_true(logged("/" RIS_U0000));
	assert_true(strchr(S.log[1], '@') != NULL);	/* ranged retry */
	assert_int_equal(s.foreign, 0);
}

/* Cut every time: bounded retries, then FAILED, the .part kept. */
static void
test_fetch_retries_bounded(void **unused)
{
	const char *d = newdir("cutalways");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	snprintf(S.cut, sizeof(S.cut), "/" RIS_U0000);
	S.cut_left = 1000;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.done, 0);
	assert_int_equal(S.nreq, 3);	/* max_tries */
	assert_false(exists(d, RIS_U0000, ""));
	assert_true(exists(d, RIS_U0000, ".part"));
}

/* A 404 is counted and the other files still come. */
static void
test_fetch_missing(void **unused)
{
	const char *d = newdir("missing");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2020-12-31T23:55Z",
	    "2021-01-01T00:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.missing, 1);
	assert_int_equal(st.done, 1);
	assert_string_equal(s.got[0],
	    "missing rrc04/2020.12/updates.20201231.2355.gz");
	assert_false(exists(d, "rrc04/2020.12/updates.20201231.2355.gz",
	    ".part"));
	assert_false(exists(d, "rrc04/2020.12/updates.20201231.2355.gz", ""));
	assert_true(same_as_source(d, RIS_U0000));
}

/* Corrupt bytes (gzip CRC) and a truncated bzip2 stream are rejected and
 * moved aside; the good files of the same run are kept. */
static void
test_fetch_rejects_corrupt(void **unused)
{
	const char *d = newdir("corrupt");
	struct seen s = { 0 };
	struct fetch_stats st;
	char why[256];
	char p[PATH_MAX * 2];

	(void)unused;
	srv_reset();
	snprintf(S.corrupt, sizeof(S.corrupt), "/" RIS_U0000);
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.done, 1);
	assert_false(exists(d, RIS_U0000, ""));
	assert_false(exists(d, RIS_U0000, ".part"));
	assert_true(exists(d, RIS_U0000, ".bad"));
	assert_true(same_as_source(d, RIS_U0005));

	srv_reset();
	memset(&s, 0, sizeof(s));
	assert_int_equal(run(d, FETCH_ROUTEVIEWS, "route-views.linx",
	    "2015-04-01T00:00Z", "2015-04-01T00:15Z",
	    FETCH_RIB | FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.done, 1);
	assert_string_equal(s.got[0], "bad route-views.linx/bgpdata/2015.04/"
	    "RIBS/rib.20150401.0000.bz2");
	assert_true(same_as_source(d, "route-views.linx/bgpdata/2015.04/"
	    "UPDATES/updates.20150401.0000.bz2"));

	/* the verifier itself on the real files */
	assert_int_equal(fetch_verify(shared_of(RIS_U0000), RIS_U0000, why,
	    sizeof(why)), 0);
	snprintf(p, sizeof(p), "%s/" TRUNC_RIB, S.root);
	assert_int_equal(fetch_verify(p, p, why, sizeof(why)), LL_EVERIFY);
	assert_true(strlen(why) > 0);
	/* a gzip archive named .bz2 */
	assert_int_equal(fetch_verify(shared_of(RIS_U0000), "x.bz2", why,
	    sizeof(why)), LL_EVERIFY);
	/* plain bytes named .gz (an HTML error page, say) */
	snprintf(p, sizeof(p), "%s/page.gz", tmp);
	{
		FILE *f = fopen(p, "wb");

		assert_non_null(f);
		fputs("<html>Not here</html>\n", f);
		fclose(f);
	}
	assert_int_equal(fetch_verify(p, p, why, sizeof(why)), LL_EVERIFY);
	/* the same bytes read as MRT: the first header has an unknown type */
	assert_int_equal(fetch_verify(p, NULL, why, sizeof(why)), LL_EVERIFY);
}

/* RouteViews route-views2: the server keeps it at bgpdata/ (no collector
 * directory); the local copy goes under route-views2/. */
static void
test_fetch_routeviews2(void **unused)
{
	const char *d = newdir("rv2");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	assert_int_equal(run(d, FETCH_ROUTEVIEWS, "route-views2",
	    "2015-04-01T00:00Z", "2015-04-01T00:30Z",
	    FETCH_RIB | FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 3);
	assert_int_equal(st.missing + st.bad + st.failed, 0);
	assert_true(same_as_source(d,
	    "route-views2/bgpdata/2015.04/RIBS/rib.20150401.0000.bz2"));
	assert_true(same_as_source(d,
	    "route-views2/bgpdata/2015.04/UPDATES/updates.20150401.0000.bz2"));
	assert_true(same_as_source(d,
	    "route-views2/bgpdata/2015.04/UPDATES/updates.20150401.0015.bz2"));
	/* the server's paths have no collector; the local ones do */
	assert_true(logged("/bgpdata/2015.04/RIBS/rib.20150401.0000.bz2"));
	assert_false(exists(d, "bgpdata", ""));
	assert_int_equal(S.nreq, 3);
	assert_int_equal(s.foreign, 0);
}

/* Retries wait 1 s, then 2 s, when nothing else is set (a zero-filled
 * fetch_opts, as the CLI passes it). */
static void
test_fetch_backoff_default(void **unused)
{
	const char *d = newdir("backoff");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	snprintf(S.cut, sizeof(S.cut), "/" RIS_U0000);
	S.cut_left = 1000;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(s.nwaits, 2);
	assert_int_equal(s.waits[0], 1000);
	assert_int_equal(s.waits[1], 2000);
}

/* An endless body is cut at --max-size: FAILED with the reason, the .part
 * removed, not much more than the cap received; the run goes on. */
static void
test_fetch_size_cap(void **unused)
{
	const char *d = newdir("endless");
	struct seen s = { 0 };
	struct fetch_stats st;
	size_t other = 0;

	(void)unused;
	srv_reset();
	snprintf(S.endless, sizeof(S.endless), "/" RIS_U0000);
	next_opts.max_bytes = 1 << 20;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.done, 1);
	assert_string_equal(s.got[0], "failed " RIS_U0000);
	assert_non_null(strstr(s.why, "--max-size"));
	/* at most the cap, plus the other file */
	free(slurp(shared_of(RIS_U0005), &other));
	assert_true(st.bytes <= (1 << 20) + other);
	assert_false(exists(d, RIS_U0000, ".part"));
	assert_false(exists(d, RIS_U0000, ""));
	assert_true(same_as_source(d, RIS_U0005));
	assert_int_equal(S.nreq, 2);	/* not retried */
}

/* A server that sends 4 bytes a second is abandoned after --timeout at
 * under --min-rate, and a file is given up after --max-time in all. */
static void
test_fetch_slow_server(void **unused)
{
	const char *d = newdir("slow");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	snprintf(S.slow, sizeof(S.slow), "/" RIS_U0000);
	next_opts.timeout_s = 1;
	next_opts.max_tries = 1;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_true(st.bytes < 64);

	/* fast enough for the rate (1 B/s), but out of time: one try, then
	 * no time left for another */
	memset(&s, 0, sizeof(s));
	next_opts.min_rate = 1;
	next_opts.max_time_s = 1;
	next_opts.max_tries = 5;
	next_opts.backoff_ms = 5000;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(s.nwaits, 0);
	assert_non_null(strstr(s.why, "--max-time"));
}

/* A full disk stops the run with the system's reason for the file. */
static void
test_fetch_disk_full(void **unused)
{
	const char *d = newdir("full");
	char part[PATH_MAX * 2];
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	if (access("/dev/full", W_OK) != 0)
		test_skip("/dev/full is not writable here");
	srv_reset();
	/* the .part of the first file is /dev/full: every write fails with
	 * ENOSPC, as on a full file system */
	snprintf(part, sizeof(part), "%s/" RIS_U0000 ".part", d);
	mkdirs(part);
	assert_int_equal(symlink("/dev/full", part), 0);
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), LL_EIO);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.done, 0);
	assert_int_equal(s.n, 1);		/* the run stopped there */
	assert_non_null(strstr(s.why, "No space left on device"));
	assert_non_null(strstr(s.why, RIS_U0000 ".part"));
}

/* The progress callback can stop a run; the .part stays for later. */
static void
test_fetch_stop(void **unused)
{
	const char *d = newdir("stop");
	struct seen s = { 0 };
	struct fetch_stats st;

	(void)unused;
	srv_reset();
	s.stop_after = 1;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T00:00Z",
	    "2021-01-01T00:10Z", FETCH_UPDATES, &s, &st), LL_EINTR);
	assert_int_equal(st.done, 0);
	assert_false(exists(d, RIS_U0000, ""));
	assert_true(S.nreq <= 1);
}

/* ------------------------------------------------------------------ CLI */

/* Runs the lifeline binary; returns its exit status, stdout in out. */
static int
cli(char *out, size_t outlen, const char *fmt, ...)
{
	char args[2048];
	struct test_run r;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	st = test_lifeline(&r, "fetch %s", args);
	snprintf(out, outlen, "%s", r.out);
	test_run_fini(&r);
	return st;
}

static void
test_cli(void **unused)
{
	const char *d = newdir("cli");
	char out[4096], want[16384];

	(void)unused;
	assert_int_equal(cli(out, sizeof(out), "--help"), 0);
	assert_non_null(strstr(out, "--collector"));
	assert_int_equal(cli(out, sizeof(out), "--project ris"), 2);
	assert_int_equal(cli(out, sizeof(out), "--project bgp --collector x "
	    "--from 2021-01-01 --to 2021-01-02"), 2);
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-02 --to 2021-01-01"), 2);
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01 --to 2021-01-02 --ribs-only "
	    "--updates-only"), 2);
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01 --to 2021-01-02 --max-size 10X"), 2);
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01 --to 2021-01-02 --max-time 0"), 2);

	/* dry run: nothing written, nothing asked */
	srv_reset();
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01T00:00Z --to 2021-01-01T00:10Z --dir %s "
	    "--base-url %s --dry-run", d, base), 0);
	snprintf(want, sizeof(want),
	    "planned %s" RIS_BVIEW " %s/" RIS_BVIEW "\n"
	    "planned %s" RIS_U0000 " %s/" RIS_U0000 "\n"
	    "planned %s" RIS_U0005 " %s/" RIS_U0005 "\n",
	    base, d, base, d, base, d);
	assert_string_equal(out, want);
	assert_int_equal(S.nreq, 0);

	/* the real thing: paths on stdout, files identical */
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01T00:00Z --to 2021-01-01T00:10Z --dir %s "
	    "--base-url %s", d, base), 0);
	snprintf(want, sizeof(want), "%s/" RIS_BVIEW "\n%s/" RIS_U0000
	    "\n%s/" RIS_U0005 "\n", d, d, d);
	assert_string_equal(out, want);
	assert_true(same_as_source(d, RIS_BVIEW));
	assert_true(same_as_source(d, RIS_U0000));
	assert_true(same_as_source(d, RIS_U0005));
	assert_int_equal(S.nreq, 3);

	/* a 404 in the range: exit 1, the rest still listed */
	srv_reset();
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2020-12-31T23:55Z --to 2021-01-01T00:05Z --dir %s "
	    "--base-url %s --updates-only", d, base), 1);
	snprintf(want, sizeof(want), "%s/" RIS_U0000 "\n", d);
	assert_string_equal(out, want);
	assert_int_equal(S.nreq, 1);	/* 0455 was present: not asked */
}

/*
 * The first header's type is checked as the MRT reader checks it: types the
 * reader refuses (RFC 6396 B.1's NULL ... PEER_DOWN, a TABLE_DUMP_V2
 * subtype 7 that no RFC defines) fail, as does an unknown type; what the
 * reader reads passes.
 */
static int
verify_header(uint16_t type, uint16_t subtype, char *why, size_t len)
{
	char p[PATH_MAX];
	uint8_t h[12 + 4] = { 0x60, 0x00, 0x00, 0x00 };	/* 2021-01-14 */
	FILE *f;

	snprintf(p, sizeof(p), "%s/hdr-%u-%u.mrt", tmp, type, subtype);
	h[4] = (uint8_t)(type >> 8);
	h[5] = (uint8_t)type;
	h[6] = (uint8_t)(subtype >> 8);
	h[7] = (uint8_t)subtype;
	h[11] = 4;
	assert_non_null(f = fopen(p, "wb"));
	assert_int_equal(fwrite(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
	return fetch_verify(p, NULL, why, len);
}

static void
test_verify_mrt_types(void **unused)
{
	char why[256];

	(void)unused;
	for (uint16_t t = 0; t <= 4; t++) {
		assert_int_equal(verify_header(t, 0, why, sizeof(why)),
		    LL_EVERIFY);
		assert_non_null(strstr(why, "unknown"));
	}
	assert_int_equal(verify_header(13, 7, why, sizeof(why)), LL_EVERIFY);
	assert_non_null(strstr(why, "subtype 7"));
	assert_int_equal(verify_header(14, 0, why, sizeof(why)), LL_EVERIFY);
	assert_int_equal(verify_header(13, 1, why, sizeof(why)), 0);
	assert_int_equal(verify_header(16, 4, why, sizeof(why)), 0);
	assert_int_equal(verify_header(12, 1, why, sizeof(why)), 0);
	assert_int_equal(verify_header(5, 1, why, sizeof(why)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_layouts),
		cmocka_unit_test(test_plan_updates_from_rib),
		cmocka_unit_test(test_plan_rejects),
		cmocka_unit_test(test_fetch_ris_range_then_skip),
		cmocka_unit_test(test_fetch_resume_part),
		cmocka_unit_test(test_fetch_part_already_whole),
		cmocka_unit_test(test_fetch_part_locked),
		cmocka_unit_test(test_fetch_resume_without_range_support),
		cmocka_unit_test(test_fetch_retry_after_cut),
		cmocka_unit_test(test_fetch_retries_bounded),
		cmocka_unit_test(test_fetch_missing),
		cmocka_unit_test(test_fetch_rejects_corrupt),
		cmocka_unit_test(test_fetch_routeviews2),
		cmocka_unit_test(test_fetch_backoff_default),
		cmocka_unit_test(test_fetch_size_cap),
		cmocka_unit_test(test_fetch_slow_server),
		cmocka_unit_test(test_fetch_disk_full),
		cmocka_unit_test(test_fetch_stop),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_verify_mrt_types),
	};

	test_shared_or_skip("mrt/ris-2021-gatech-cs6250");
	return test_main("fetch", tests, setup_all,
	    teardown_all);
}
