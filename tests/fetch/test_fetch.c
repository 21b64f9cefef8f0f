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
	S.cut[0] = S.corrupt[0] = '\0';
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
	    "rrc04/2021.01/updates.20210101.0455.gz" },
	{ "mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609477200.300.gz",
	    "rrc04/2021.01/updates.20210101.0500.gz" },
	{ "mrt/libbgpstream/ris.rrc06.updates.1427846400.gz",
	    "rrc04/2021.01/updates.20210101.0505.gz" },
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

	(void)why;
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

/* A fresh destination directory for one test. */
static const char *
newdir(const char *name)
{
	static char d[PATH_MAX];

	snprintf(d, sizeof(d), "%s/%s", tmp, name);
	(void)mkdir(d, 0755);
	return d;
}

static int
run(const char *dir, enum fetch_project p, const char *coll,
    const char *from, const char *to, int kinds, struct seen *s,
    struct fetch_stats *st)
{
	struct fetch_req req = { p, coll, 0, 0, kinds, base };
	struct fetch_opts o;
	struct fetch_plan plan;
	int rc;

	assert_int_equal(ll_time_parse(from, &req.from), 0);
	assert_int_equal(ll_time_parse(to, &req.to), 0);
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.max_tries = 3;
	o.backoff_ms = 0;
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
#define RIS_U0455	"rrc04/2021.01/updates.20210101.0455.gz"
#define RIS_U0500	"rrc04/2021.01/updates.20210101.0500.gz"
#define RIS_U0505	"rrc04/2021.01/updates.20210101.0505.gz"

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
		"https://data.ris.ripe.net/rrc04/2021.01/bview.20210101.0000.gz",
		"https://data.ris.ripe.net/rrc04/2021.01/updates.20210101.0455.gz",
		"https://data.ris.ripe.net/rrc04/2021.01/updates.20210101.0500.gz",
	};
	static const char *const rv2[] = {
		"https://archive.routeviews.org/bgpdata/2021.01/RIBS/rib.20210131.2200.bz2",
		"https://archive.routeviews.org/bgpdata/2021.01/UPDATES/updates.20210131.2345.bz2",
		"https://archive.routeviews.org/bgpdata/2021.02/RIBS/rib.20210201.0000.bz2",
		"https://archive.routeviews.org/bgpdata/2021.02/UPDATES/updates.20210201.0000.bz2",
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
	    "2021-01-01T05:05Z", FETCH_RIB | FETCH_UPDATES, ris, 3);
	plan_rels(FETCH_ROUTEVIEWS, "route-views2", "2021-01-31T23:59Z",
	    "2021-02-01T00:15Z", FETCH_RIB | FETCH_UPDATES, rv2, 4);
	plan_rels(FETCH_ROUTEVIEWS, "route-views.linx", "2021-01-31T23:45Z",
	    "2021-02-01T00:00Z", FETCH_UPDATES, linx, 1);
	plan_rels(FETCH_RIS, "rrc00", "2021-01-01T08:00Z",
	    "2021-01-02T00:00:01Z", FETCH_RIB, ris_ribs, 3);
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
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T04:55Z",
	    "2021-01-01T05:05Z", FETCH_RIB | FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 3);
	assert_int_equal(st.missing + st.bad + st.failed + st.present, 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.got[0], "fetched " RIS_BVIEW);
	assert_string_equal(s.got[1], "fetched " RIS_U0455);
	assert_string_equal(s.got[2], "fetched " RIS_U0500);
	assert_true(same_as_source(d, RIS_BVIEW));
	assert_true(same_as_source(d, RIS_U0455));
	assert_true(same_as_source(d, RIS_U0500));
	assert_false(exists(d, RIS_U0505, ""));
	assert_false(exists(d, RIS_U0455, ".part"));
	assert_int_equal(S.nreq, 3);
	assert_true(logged("/" RIS_BVIEW));
	assert_true(logged("/" RIS_U0455));
	assert_true(logged("/" RIS_U0500));
	assert_true(s.addrs >= 1);
	assert_int_equal(s.foreign, 0);
	assert_true(st.bytes > 0);

	srv_reset();
	memset(&s, 0, sizeof(s));
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T04:55Z",
	    "2021-01-01T05:05Z", FETCH_RIB | FETCH_UPDATES, &s, &st), 0);
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
	uint8_t *src = slurp(shared_of(RIS_U0500), &len);
	FILE *f;

	(void)unused;
	assert_non_null(src);
	snprintf(part, sizeof(part), "%s/" RIS_U0500 ".part", d);
	mkdirs(part);
	f = fopen(part, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(src, 1, len / 3, f), len / 3);
	fclose(f);
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T05:00Z",
	    "2021-01-01T05:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_true(same_as_source(d, RIS_U0500));
	assert_false(exists(d, RIS_U0500, ".part"));
	snprintf(want, sizeof(want), "/" RIS_U0500 "@%zu", len / 3);
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
	uint8_t *src = slurp(shared_of(RIS_U0500), &len);
	FILE *f;

	(void)unused;
	assert_non_null(src);
	snprintf(part, sizeof(part), "%s/" RIS_U0500 ".part", d);
	mkdirs(part);
	f = fopen(part, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(src, 1, len, f), len);
	fclose(f);
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T05:00Z",
	    "2021-01-01T05:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.bytes, 0);
	assert_true(same_as_source(d, RIS_U0500));
	snprintf(want, sizeof(want), "/" RIS_U0500 "@%zu", len);
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
	snprintf(part, sizeof(part), "%s/" RIS_U0500 ".part", d);
	mkdirs(part);
	fd = open(part, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	srv_reset();
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T05:00Z",
	    "2021-01-01T05:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(S.nreq, 0);
	assert_true(exists(d, RIS_U0500, ".part"));
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
	snprintf(part, sizeof(part), "%s/" RIS_U0500 ".part", d);
	mkdirs(part);
	f = fopen(part, "wb");
	assert_non_null(f);
	fputs("stale bytes that are not the start of the file", f);
	fclose(f);
	srv_reset();
	S.ignore_range = true;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T05:00Z",
	    "2021-01-01T05:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_true(same_as_source(d, RIS_U0500));
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
	snprintf(S.cut, sizeof(S.cut), "/" RIS_U0455);
	S.cut_left = 1;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T04:55Z",
	    "2021-01-01T05:00Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.done, 1);
	assert_true(st.retries >= 1);
	assert_true(same_as_source(d, RIS_U0455));
	assert_int_equal(S.nreq, 2);
	assert_true(logged("/" RIS_U0455));
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
	snprintf(S.cut, sizeof(S.cut), "/" RIS_U0455);
	S.cut_left = 1000;
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T04:55Z",
	    "2021-01-01T05:00Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.done, 0);
	assert_int_equal(S.nreq, 3);	/* max_tries */
	assert_false(exists(d, RIS_U0455, ""));
	assert_true(exists(d, RIS_U0455, ".part"));
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
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T04:50Z",
	    "2021-01-01T05:00Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.missing, 1);
	assert_int_equal(st.done, 1);
	assert_string_equal(s.got[0],
	    "missing rrc04/2021.01/updates.20210101.0450.gz");
	assert_false(exists(d, "rrc04/2021.01/updates.20210101.0450.gz",
	    ".part"));
	assert_false(exists(d, "rrc04/2021.01/updates.20210101.0450.gz", ""));
	assert_true(same_as_source(d, RIS_U0455));
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
	snprintf(S.corrupt, sizeof(S.corrupt), "/" RIS_U0455);
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T04:55Z",
	    "2021-01-01T05:05Z", FETCH_UPDATES, &s, &st), 0);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.done, 1);
	assert_false(exists(d, RIS_U0455, ""));
	assert_false(exists(d, RIS_U0455, ".part"));
	assert_true(exists(d, RIS_U0455, ".bad"));
	assert_true(same_as_source(d, RIS_U0500));

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
	assert_int_equal(fetch_verify(shared_of(RIS_U0455), RIS_U0455, why,
	    sizeof(why)), 0);
	snprintf(p, sizeof(p), "%s/" TRUNC_RIB, S.root);
	assert_int_equal(fetch_verify(p, p, why, sizeof(why)), LL_EVERIFY);
	assert_true(strlen(why) > 0);
	/* a gzip archive named .bz2 */
	assert_int_equal(fetch_verify(shared_of(RIS_U0455), "x.bz2", why,
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

/* RouteViews route-views2 at bgpdata/ (no collector directory). */
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
	    "bgpdata/2015.04/RIBS/rib.20150401.0000.bz2"));
	assert_true(same_as_source(d,
	    "bgpdata/2015.04/UPDATES/updates.20150401.0000.bz2"));
	assert_true(same_as_source(d,
	    "bgpdata/2015.04/UPDATES/updates.20150401.0015.bz2"));
	assert_int_equal(S.nreq, 3);
	assert_int_equal(s.foreign, 0);
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
	assert_int_equal(run(d, FETCH_RIS, "rrc04", "2021-01-01T04:55Z",
	    "2021-01-01T05:05Z", FETCH_UPDATES, &s, &st), LL_EINTR);
	assert_int_equal(st.done, 0);
	assert_false(exists(d, RIS_U0455, ""));
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

	/* dry run: nothing written, nothing asked */
	srv_reset();
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01T04:55Z --to 2021-01-01T05:05Z --dir %s "
	    "--base-url %s --dry-run", d, base), 0);
	snprintf(want, sizeof(want),
	    "planned %s" RIS_BVIEW " %s/" RIS_BVIEW "\n"
	    "planned %s" RIS_U0455 " %s/" RIS_U0455 "\n"
	    "planned %s" RIS_U0500 " %s/" RIS_U0500 "\n",
	    base, d, base, d, base, d);
	assert_string_equal(out, want);
	assert_int_equal(S.nreq, 0);

	/* the real thing: paths on stdout, files identical */
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01T04:55Z --to 2021-01-01T05:05Z --dir %s "
	    "--base-url %s", d, base), 0);
	snprintf(want, sizeof(want), "%s/" RIS_BVIEW "\n%s/" RIS_U0455
	    "\n%s/" RIS_U0500 "\n", d, d, d);
	assert_string_equal(out, want);
	assert_true(same_as_source(d, RIS_BVIEW));
	assert_true(same_as_source(d, RIS_U0455));
	assert_true(same_as_source(d, RIS_U0500));
	assert_int_equal(S.nreq, 3);

	/* a 404 in the range: exit 1, the rest still listed */
	srv_reset();
	assert_int_equal(cli(out, sizeof(out), "--project ris --collector "
	    "rrc04 --from 2021-01-01T04:50Z --to 2021-01-01T05:00Z --dir %s "
	    "--base-url %s --updates-only", d, base), 1);
	snprintf(want, sizeof(want), "%s/" RIS_U0455 "\n", d);
	assert_string_equal(out, want);
	assert_int_equal(S.nreq, 1);	/* 0455 was present: not asked */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_layouts),
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
		cmocka_unit_test(test_fetch_stop),
		cmocka_unit_test(test_cli),
	};

	test_shared_or_skip("mrt/ris-2021-gatech-cs6250");
	return test_main("fetch", tests, setup_all,
	    teardown_all);
}
