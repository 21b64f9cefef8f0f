/*
 * Downloading archives with libcurl: resume from FILE.part with a Range
 * request, bounded retries with exponential backoff on transient errors,
 * length checks, verification, and an atomic rename when done.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "fetch/fetch.h"
#include "util/err.h"

#define BACKOFF_MAX_MS	60000L
#define DEF_BACKOFF_MS	1000L
#define DEF_MIN_RATE	1024L
#define DEF_MAX_TIME_S	3600L
#define DEF_MAX_BYTES	(8ULL << 30)

/* What one transfer attempt came to. */
enum xres {
	XR_OK,		/* body complete in the .part file */
	XR_MISSING,	/* 404 / 410 */
	XR_RETRY,	/* transient: try again */
	XR_FAIL,		/* permanent for this file */
	XR_STOP,		/* the caller asked to stop */
	XR_IOERR,	/* local write failed (werr) */
	XR_TOOBIG,	/* the file exceeds max_bytes */
};

struct xfer {
	const struct fetch_opts	*o;
	const struct fetch_file	*f;
	int			 fd;
	uint64_t		 have;	/* bytes in .part before this try */
	uint64_t		 got;	/* body bytes written in this try */
	int64_t			 cr_start;	/* Content-Range first byte */
	int64_t			 cr_total;	/* Content-Range full size */
	uint64_t		 max_bytes;
	struct timespec		 t0;	/* when the file's first try began */
	long			 code;
	bool			 started;
	bool			 writing;	/* body goes to the file */
	bool			 stop;
	bool			 toobig;
	int			 werr;
	char			 range[32];
	char			 why[CURL_ERROR_SIZE + 64];
};

/* Creates every missing directory of path's parent. */
static int
mkdir_parents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			*s = '/';
			return LL_EIO;
		}
		*s = '/';
	}
	return 0;
}

/* "Content-Range: bytes 100-199/200" (RFC 9110 section 14.4). */
static void
parse_content_range(struct xfer *x, const char *v, size_t n)
{
	char buf[128];
	unsigned long long a, b, t;

	if (n >= sizeof(buf))
		return;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (sscanf(buf, " bytes %llu-%llu/%llu", &a, &b, &t) == 3 &&
	    a <= b && b < t && t <= (unsigned long long)INT64_MAX) {
		x->cr_start = (int64_t)a;
		x->cr_total = (int64_t)t;
	} else if (sscanf(buf, " bytes */%llu", &t) == 1 &&
	    t <= (unsigned long long)INT64_MAX) {
		x->cr_total = (int64_t)t;
	}
}

static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	static const char cr[] = "content-range:";

	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or a 100) */
		x->cr_start = -1;
		x->cr_total = -1;
	} else if (len > sizeof(cr) - 1 &&
	    strncasecmp(buf, cr, sizeof(cr) - 1) == 0) {
		parse_content_range(x, buf + sizeof(cr) - 1,
		    len - (sizeof(cr) - 1));
	}
	return len;
}

/* Decides at the first body byte where the body goes. */
static int
body_start(struct xfer *x, CURL *c)
{
	curl_off_t cl = -1;

	x->started = true;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->code);
	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if ((x->code == 200 || x->code == 206) &&
	    ((x->cr_total > 0 && (uint64_t)x->cr_total > x->max_bytes) ||
	    (cl > 0 && (uint64_t)cl > x->max_bytes))) {
		x->toobig = true;
		return -1;
	}
	if (x->code == 206 && x->cr_start == (int64_t)x->have) {
		x->writing = true;
	} else if (x->code == 200 || x->code == 206) {
		/* the server ignored the range or answered another one:
		 * start the file over (a 206 from 0 is the whole file) */
		if (x->code == 206 && x->cr_start != 0) {
			snprintf(x->why, sizeof(x->why), "HTTP 206 for "
			    "another range (from %lld)",
			    (long long)x->cr_start);
			return -1;
		}
		/* (an empty .part needs no truncation, and a device such as
		 * /dev/full cannot be truncated) */
		if (x->have > 0 && ftruncate(x->fd, 0) != 0) {
			x->werr = errno;
			return -1;
		}
		x->have = 0;
		x->writing = true;
	}
	return 0;
}

struct wctx {
	struct xfer	*x;
	CURL		*c;
};

static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct wctx *w = arg;
	struct xfer *x = w->x;
	size_t len = size * n, off = 0;

	if (!x->started && body_start(x, w->c) != 0)
		return 0;
	if (!x->writing)
		return len;	/* an error page: not kept */
	/* an endless or oversized body must not fill the disk */
	if (x->have + x->got + len > x->max_bytes) {
		x->toobig = true;
		return 0;
	}
	while (off < len) {
		ssize_t k = write(x->fd, buf + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			x->werr = k < 0 ? errno : ENOSPC;
			return 0;
		}
		off += (size_t)k;
	}
	x->got += len;
	return len;
}

static int
on_xferinfo(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ult,
    curl_off_t ulnow)
{
	struct xfer *x = arg;
	uint64_t total = 0;

	(void)ult;
	(void)ulnow;
	if (x->o->on_progress == NULL)
		return 0;
	if (x->cr_total > 0)
		total = (uint64_t)x->cr_total;
	else if (dltotal > 0)
		total = x->have + (uint64_t)dltotal;
	if (x->o->on_progress(x->o->arg, x->f, x->have + (uint64_t)dlnow,
	    total) != 0) {
		x->stop = true;
		return 1;
	}
	return 0;
}

static curl_socket_t
on_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	const struct fetch_opts *o = arg;

	(void)purpose;
	if (o->allow_addr != NULL && !o->allow_addr(o->arg, &a->addr))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static bool
curl_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static void
setup(CURL *c, struct xfer *x, struct wctx *w, char *errbuf, long left_ms)
{
	const struct fetch_opts *o = x->o;
	long tmo = o->timeout_s > 0 ? o->timeout_s : 60;
	long rate = o->min_rate > 0 ? o->min_rate : DEF_MIN_RATE;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, x->f->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, tmo);
	/* a server that trickles (a few bytes a second) is abandoned, and
	 * no file takes longer than max_time_s, tries included */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, rate);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, tmo);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms > 0 ? left_ms : 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "lifeline/" LIFELINE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, (void *)o);
	/* our own Range header rather than CURLOPT_RESUME_FROM, so that a
	 * 200 or 416 answer comes to us to handle, not to libcurl */
	if (x->have > 0) {
		snprintf(x->range, sizeof(x->range), "%llu-",
		    (unsigned long long)x->have);
		curl_easy_setopt(c, CURLOPT_RANGE, x->range);
	}
}

/* After a complete HTTP exchange: is the body all there? */
static enum xres
check_complete(struct xfer *x, CURL *c)
{
	curl_off_t cl = -1;
	uint64_t size = x->have + x->got;

	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (!x->started && (x->code == 200 || x->code == 206)) {
		/* an empty body: an empty 200 truncates the file */
		if (x->code == 200 && x->have > 0 &&
		    ftruncate(x->fd, 0) != 0) {
			x->werr = errno;
			return XR_IOERR;
		}
		if (x->code == 200)
			x->have = 0;
		size = x->have;
	}
	if (cl >= 0 && (uint64_t)cl != x->got) {
		snprintf(x->why, sizeof(x->why), "body of %llu bytes, "
		    "Content-Length %lld", (unsigned long long)x->got,
		    (long long)cl);
		return XR_RETRY;
	}
	if (x->cr_total >= 0 && (uint64_t)x->cr_total != size) {
		snprintf(x->why, sizeof(x->why), "have %llu bytes of %lld",
		    (unsigned long long)size, (long long)x->cr_total);
		return XR_RETRY;
	}
	return XR_OK;
}

static enum xres
classify_http(struct xfer *x, CURL *c)
{
	long code = x->code;

	if (code == 200 || code == 206)
		return check_complete(x, c);
	if (code == 404 || code == 410) {
		snprintf(x->why, sizeof(x->why), "HTTP %ld", code);
		return XR_MISSING;
	}
	if (code == 416) {
		/* the .part is as long as the file or longer: if exactly as
		 * long it is complete, else start over */
		if (x->cr_total >= 0 && (uint64_t)x->cr_total == x->have)
			return XR_OK;
		snprintf(x->why, sizeof(x->why), "HTTP 416 at %llu bytes",
		    (unsigned long long)x->have);
		if (ftruncate(x->fd, 0) != 0) {
			x->werr = errno;
			return XR_IOERR;
		}
		return XR_RETRY;
	}
	snprintf(x->why, sizeof(x->why), "HTTP %ld", code);
	if (code >= 500 || code == 408 || code == 429)
		return XR_RETRY;
	return XR_FAIL;
}

/* One HTTP request for the rest of the file. */
static enum xres
transfer(CURL *c, struct xfer *x, long left_ms)
{
	char errbuf[CURL_ERROR_SIZE];
	struct wctx w = { x, c };
	struct stat sb;
	CURLcode rc;

	if (fstat(x->fd, &sb) != 0) {
		x->werr = errno;
		return XR_IOERR;
	}
	x->have = (uint64_t)sb.st_size;
	x->got = 0;
	x->cr_start = x->cr_total = -1;
	x->code = 0;
	x->why[0] = '\0';
	x->started = x->writing = false;
	errbuf[0] = '\0';
	setup(c, x, &w, errbuf, left_ms);
	rc = curl_easy_perform(c);
	if (x->stop)
		return XR_STOP;
	if (x->werr != 0)
		return XR_IOERR;
	if (x->toobig) {
		snprintf(x->why, sizeof(x->why), "larger than the limit of "
		    "%llu bytes (--max-size)",
		    (unsigned long long)x->max_bytes);
		return XR_TOOBIG;
	}
	if (!x->started)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->code);
	if (rc == CURLE_OK)
		return classify_http(x, c);
	if (x->why[0] == '\0')
		snprintf(x->why, sizeof(x->why), "%s", errbuf[0] != '\0' ?
		    errbuf : curl_easy_strerror(rc));
	/* a range the server cannot satisfy comes back as an error too */
	if (rc == CURLE_RANGE_ERROR || x->code == 416)
		return classify_http(x, c);
	if (x->code == 404 || x->code == 410)
		return XR_MISSING;
	return curl_transient(rc) ? XR_RETRY : XR_FAIL;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Milliseconds since t0. */
static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000);
}

static void
wait_ms(const struct fetch_opts *o, long ms)
{
	if (o->on_wait != NULL)
		o->on_wait(o->arg, ms);
	else
		sleep_ms(ms);
}

/* Transfers until done, missing, failed, out of tries or out of time. */
static enum xres
transfer_retrying(CURL *c, struct xfer *x, struct fetch_stats *st)
{
	const struct fetch_opts *o = x->o;
	int tries = o->max_tries > 0 ? o->max_tries : 4;
	long delay = o->backoff_ms > 0 ? o->backoff_ms : DEF_BACKOFF_MS;
	long limit = (o->max_time_s > 0 ? o->max_time_s : DEF_MAX_TIME_S) *
	    1000;
	enum xres r = XR_FAIL;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	for (i = 0; i < tries; i++) {
		if (i > 0) {
			if (elapsed_ms(&x->t0) + delay >= limit)
				break;
			st->retries++;
			wait_ms(o, delay);
			delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			    delay * 2;
		}
		r = transfer(c, x, limit - elapsed_ms(&x->t0));
		st->bytes += x->got;
		if (r != XR_RETRY)
			break;
	}
	if (r == XR_RETRY) {
		size_t n = strlen(x->why);

		if (i < tries)
			snprintf(x->why + n, sizeof(x->why) - n, " (gave up "
			    "after %d tries and %ld s, the limit per file; "
			    "see --max-time)", i, elapsed_ms(&x->t0) / 1000);
		else
			snprintf(x->why + n, sizeof(x->why) - n, " (after %d "
			    "tries)", tries);
		r = XR_FAIL;
	}
	return r;
}

static void
report(const struct fetch_opts *o, const struct fetch_file *f,
    struct fetch_stats *st, enum fetch_status s, const char *why)
{
	switch (s) {
	case FETCH_DONE: st->done++; break;
	case FETCH_PRESENT: st->present++; break;
	case FETCH_MISSING: st->missing++; break;
	case FETCH_BAD: st->bad++; break;
	case FETCH_FAILED: st->failed++; break;
	case FETCH_PLANNED: st->planned++; break;
	}
	if (o->on_file != NULL)
		o->on_file(o->arg, f, s, why);
}

/* Reports f FAILED for a local system error on path. */
static void
report_sys(const struct fetch_opts *o, const struct fetch_file *f,
    struct fetch_stats *st, const char *what, const char *path, int err)
{
	char why[PATH_MAX + 8 + 256];

	snprintf(why, sizeof(why), "%s %s: %s", what, path,
	    strerror(err != 0 ? err : EIO));
	report(o, f, st, FETCH_FAILED, why);
}

/* Verifies the finished .part and moves it into place or aside. */
static int
finish(const struct fetch_opts *o, const struct fetch_file *f,
    struct fetch_stats *st, const char *path, const char *part)
{
	char why[256], bad[PATH_MAX + 8];
	int rc = 0;

	why[0] = '\0';
	if (!o->no_verify)
		rc = fetch_verify(part, f->rel, why, sizeof(why));
	if (rc == 0) {
		if (rename(part, path) != 0)
			return LL_EIO;
		report(o, f, st, FETCH_DONE, NULL);
		return 0;
	}
	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(part, bad) != 0)
		(void)unlink(part);
	report(o, f, st, FETCH_BAD, why);
	return 0;
}

/* Gets one file; returns 0 (outcome reported) or a run-stopping error. */
static int
fetch_one(CURL *c, const struct fetch_opts *o, const struct fetch_file *f,
    struct fetch_stats *st)
{
	char path[PATH_MAX], part[PATH_MAX + 8];
	struct xfer x;
	struct stat sb;
	enum xres r;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", o->dir != NULL ? o->dir :
	    ".", f->rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return LL_ELIMIT;
	snprintf(part, sizeof(part), "%s.part", path);
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		report(o, f, st, FETCH_PRESENT, NULL);
		return 0;
	}
	if (o->dry_run) {
		report(o, f, st, FETCH_PLANNED, NULL);
		return 0;
	}
	memset(&x, 0, sizeof(x));
	if (mkdir_parents(path) != 0) {
		report_sys(o, f, st, "cannot create the directory of", path,
		    errno);
		return LL_EIO;
	}
	x.o = o;
	x.f = f;
	x.max_bytes = o->max_bytes > 0 ? o->max_bytes : DEF_MAX_BYTES;
	x.fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (x.fd < 0) {
		report_sys(o, f, st, "cannot write", part, errno);
		return LL_EIO;
	}
	/* two runs on one directory must not append to the same .part */
	if (flock(x.fd, LOCK_EX | LOCK_NB) != 0) {
		close(x.fd);
		report(o, f, st, FETCH_FAILED, "being downloaded by another "
		    "process");
		return 0;
	}
	r = transfer_retrying(c, &x, st);
	if (r == XR_OK && fsync(x.fd) != 0) {
		x.werr = errno;
		r = XR_IOERR;
	}
	if (r == XR_TOOBIG ||
	    (fstat(x.fd, &sb) == 0 && sb.st_size == 0 && r != XR_OK))
		(void)unlink(part);
	close(x.fd);
	switch (r) {
	case XR_OK:
		return finish(o, f, st, path, part);
	case XR_MISSING:
		report(o, f, st, FETCH_MISSING, x.why);
		return 0;
	case XR_STOP:
		return LL_EINTR;
	case XR_IOERR:
		report_sys(o, f, st, "cannot write", part, x.werr);
		return LL_EIO;
	default:
		report(o, f, st, FETCH_FAILED, x.why);
		return 0;
	}
}

int
fetch_run(const struct fetch_plan *plan, const struct fetch_opts *opts,
    struct fetch_stats *st)
{
	struct fetch_stats dummy;
	CURL *c;
	int rc = 0;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return LL_ENET;
	if ((c = curl_easy_init()) == NULL) {
		curl_global_cleanup();
		return LL_ENET;
	}
	for (size_t i = 0; i < plan->n && rc == 0; i++)
		rc = fetch_one(c, opts, &plan->files[i], st);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc;
}
