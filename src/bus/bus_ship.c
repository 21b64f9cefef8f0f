/*
 * Shipping archives (bus.h): an agent's archives, as recorded, in pieces
 * on lifeline.archives.v1.NAME, then its run's end, for a consumer that
 * replays several agents' collectors as one view (bus_merge.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "util/err.h"

struct ship {
	struct bus		*b;
	const char		*name;
	struct bus_ship_result	*res;
	char			 subject[128];
	char			 run[STORE_SHA256_HEX];
	uint8_t			*buf;		/* a message */
	char			*err;
	size_t			 errlen;
};

static int
ship_publish(struct ship *s, const char *id, size_t len)
{
	bool dup = false;
	int rc;

	if ((rc = bus_publish(s->b, s->subject, id, s->buf, len, &dup, s->err,
	    s->errlen)) != 0)
		return rc;
	s->res->msgs++;
	s->res->dups += dup;
	s->res->bytes += len;
	return 0;
}

/* One archive, a piece a message. */
static int
ship_file(struct ship *s, const struct bus_arc_file *f,
    const volatile sig_atomic_t *stop)
{
	FILE *in = fopen(f->path, "rb");
	char id[BUS_ID_MAX];
	uint64_t off = 0;
	int rc = 0;

	if (in == NULL) {
		snprintf(s->err, s->errlen, "%s: %s", f->path, strerror(errno));
		return LL_EIO;
	}
	while (rc == 0 && off < f->size) {
		int h = snprintf((char *)s->buf, BUS_PATH_MAX + 512,
		    "lifeline-archive 1\nagent %s\nrun %s\nfile %s %" PRIu64
		    " %s\nchunk %" PRIu64 " %zu\n\n", s->name, s->run,
		    f->sha256, f->size, f->path, off, f->size - off <
		    BUS_ARC_CHUNK ? (size_t)(f->size - off) : BUS_ARC_CHUNK);
		size_t want = f->size - off < BUS_ARC_CHUNK ?
		    (size_t)(f->size - off) : BUS_ARC_CHUNK;

		if (stop != NULL && *stop)
			rc = LL_EINTR;
		else if (fread(s->buf + h, 1, want, in) != want) {
			snprintf(s->err, s->errlen, "%s: changed or unreadable "
			    "while shipped", f->path);
			rc = LL_EIO;
		} else {
			snprintf(id, sizeof(id), "%s.%.16s.%" PRIu64, s->run,
			    f->sha256, off);
			rc = ship_publish(s, id, (size_t)h + want);
			off += want;
		}
	}
	fclose(in);
	return rc;
}

/* The archives' real paths, hashes and sizes; the run's id. */
static int
ship_plan(struct ship *s, const char *const *files, size_t n,
    struct bus_arc_file *f)
{
	size_t cap = 128 + n * 96, len;
	char *key = malloc(cap), *real;
	int rc = 0;

	if (key == NULL)
		return LL_ENOMEM;
	len = (size_t)snprintf(key, cap, "%s\n", s->name);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((real = realpath(files[i], NULL)) == NULL ||
		    strlen(real) >= sizeof(f[i].path) ||
		    ingest_sha256_file(real, f[i].sha256, &f[i].size) != 0) {
			snprintf(s->err, s->errlen, "%s: %s", files[i], real ==
			    NULL ? strerror(errno) : "unreadable, or its path "
			    "is too long");
			rc = LL_EIO;
		} else {
			snprintf(f[i].path, sizeof(f[i].path), "%s", real);
			len += (size_t)snprintf(key + len, cap - len, "%s %"
			    PRIu64 "\n", f[i].sha256, f[i].size);
		}
		free(real);
	}
	if (rc == 0 && (rc = ingest_sha256_bytes(key, len, s->run)) == 0)
		s->run[24] = '\0';	/* 96 bits name a run well enough */
	free(key);
	return rc;
}

/* The run's end: every archive, then "end N". */
static int
ship_end(struct ship *s, const struct bus_arc_file *f, size_t n)
{
	char id[BUS_ID_MAX];
	size_t cap = BUS_MSG_MAX, len;

	len = (size_t)snprintf((char *)s->buf, cap, "lifeline-run 1\nagent "
	    "%s\nrun %s\n", s->name, s->run);
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf((char *)s->buf + len, cap - len, "file "
		    "%s %" PRIu64 " %s\n", f[i].sha256, f[i].size, f[i].path);
		if (len >= cap - 64)
			return LL_ELIMIT;
	}
	len += (size_t)snprintf((char *)s->buf + len, cap - len, "end %zu\n",
	    n);
	snprintf(id, sizeof(id), "%s.end", s->run);
	return ship_publish(s, id, len);
}

int
bus_agent_ship(struct bus *b, const char *name, const char *const *files,
    size_t n, const volatile sig_atomic_t *stop, struct bus_ship_result *res,
    char *err, size_t errlen)
{
	struct ship s = { .b = b, .name = name, .res = res, .err = err,
	    .errlen = errlen };
	struct bus_arc_file *f = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!bus_agent_name_ok(name) || n == 0 || n > BUS_ARC_FILES) {
		snprintf(err, errlen, "an agent name of [A-Za-z0-9_-] and 1 to "
		    "%d archives are needed", BUS_ARC_FILES);
		return LL_EINVAL;
	}
	snprintf(s.subject, sizeof(s.subject), BUS_ARC_SUBJECT_V1 "%s", name);
	if ((f = calloc(n, sizeof(*f))) == NULL ||
	    (s.buf = malloc(BUS_MSG_MAX)) == NULL) {
		rc = LL_ENOMEM;
		goto out;
	}
	if ((rc = ship_plan(&s, files, n, f)) != 0)
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = ship_file(&s, &f[i], stop)) == 0)
			res->files++;
	if (rc == 0)
		rc = ship_end(&s, f, n);
out:
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "%s", rc == LL_EINTR ? "stopped" :
		    ll_strerror(rc));
	free(f);
	free(s.buf);
	return rc;
}
