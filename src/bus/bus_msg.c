/*
 * Bus messages, schema 1 (bus.h): a bounded line parser that refuses
 * anything it does not understand, and the agent's encoder.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "util/err.h"
#include "util/grow.h"

#define MAGIC		"lifeline-bus "
#define MAX_POINTS	(1u << 20)
#define VALUE_MAX	((uint64_t)1 << 53)	/* exact as a double */

struct parse {
	char		*p;		/* next line */
	size_t		 left;		/* bytes from p */
	unsigned	 line;
	char		*err;
	size_t		 errlen;
};

static int
bad(struct parse *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(struct parse *ps, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errlen, "line %u: ", ps->line);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return LL_EFORMAT;
}

/* The next line, NUL-terminated in place; NULL at the end or when the
 * last line has no newline (a cut message). */
static char *
next_line(struct parse *ps)
{
	char *s = ps->p, *nl;

	if (ps->left == 0)
		return NULL;
	if ((nl = memchr(s, '\n', ps->left)) == NULL)
		return NULL;
	*nl = '\0';
	ps->left -= (size_t)(nl - s) + 1;
	ps->p = nl + 1;
	ps->line++;
	return s;
}

/* A token of printable ASCII without spaces, 1..max-1 bytes. */
static bool
token_ok(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (*s <= ' ' || *s > '~')
			return false;
	return n > 0 && n < max;
}

bool
bus_agent_name_ok(const char *name)
{
	size_t n = 0;

	for (const char *s = name; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return n > 0 && n <= BUS_AGENT_MAX;
}

/* "NAME VALUE": the value after "NAME ", or NULL. */
static char *
field(char *line, const char *name)
{
	size_t n = strlen(name);

	if (line == NULL || strncmp(line, name, n) != 0 || line[n] != ' ')
		return NULL;
	return line + n + 1;
}

static int
u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return *s == '\0' ? 0 : -1;
}

static int
header(struct parse *ps, struct bus_msg *m)
{
	char *l = next_line(ps), *v;
	uint64_t schema;

	if ((v = field(l, "lifeline-bus")) == NULL || u64(v, 1000000,
	    &schema) != 0)
		return bad(ps, "not a Lifeline bus message (want "
		    "'lifeline-bus N')");
	m->schema = (int)schema;
	if (schema != BUS_SCHEMA) {
		snprintf(ps->err, ps->errlen, "line 1: schema %d; this build "
		    "reads schema %d", m->schema, BUS_SCHEMA);
		return LL_EUNSUP;
	}
	if ((v = field(next_line(ps), "id")) == NULL || !token_ok(v,
	    BUS_ID_MAX + 1))
		return bad(ps, "want 'id ID' (1 to %d printable bytes)",
		    BUS_ID_MAX);
	m->m.id = v;
	if ((v = field(next_line(ps), "agent")) == NULL ||
	    !bus_agent_name_ok(v))
		return bad(ps, "want 'agent NAME' ([A-Za-z0-9_-], at most %d)",
		    BUS_AGENT_MAX);
	m->agent = v;
	if ((v = field(next_line(ps), "settings")) == NULL ||
	    strlen(v) >= STORE_SETTINGS_MAX)
		return bad(ps, "want 'settings LINE' (under %d bytes)",
		    STORE_SETTINGS_MAX);
	m->m.settings = v;
	return 0;
}

/* "TIME VALUE ENTITY" into p. */
static int
point(struct parse *ps, char *l, struct store_point *p)
{
	char *sp1 = strchr(l, ' '), *sp2;
	uint64_t t, v;

	if (sp1 == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return bad(ps, "want 'TIME VALUE ENTITY', 'kind K' or 'end N'");
	*sp1 = *sp2 = '\0';
	if (u64(l, (uint64_t)INT64_MAX, &t) != 0)
		return bad(ps, "time '%s' is not epoch seconds", l);
	if (u64(sp1 + 1, VALUE_MAX, &v) != 0)
		return bad(ps, "value '%s' is not a count up to 2^53", sp1 + 1);
	if (!token_ok(sp2 + 1, STORE_KEY_MAX))
		return bad(ps, "entity is empty, too long or has a space");
	p->time = (int64_t)t;
	p->value = (double)v;
	p->entity = sp2 + 1;
	return 0;
}

static int
add_kind(struct bus_msg *m, size_t *cap, const char *kind, size_t first)
{
	if (ll_grow(&m->kinds, cap, m->m.nkinds + 1, sizeof(*m->kinds)) != 0)
		return LL_ENOMEM;
	m->kinds[m->m.nkinds].kind = kind;
	m->kinds[m->m.nkinds].n = first;	/* index until the end */
	m->m.nkinds++;
	return 0;
}

/* Kind lines and points up to "end N". */
static int
body(struct parse *ps, struct bus_msg *m)
{
	size_t np = 0, cap = 0, capk = 0;
	uint64_t want;
	char *l, *v;
	int rc;

	for (;;) {
		if ((l = next_line(ps)) == NULL)
			return bad(ps, "the message ends before 'end N'");
		if ((v = field(l, "end")) != NULL)
			break;
		if ((v = field(l, "kind")) != NULL) {
			if (!token_ok(v, STORE_KEY_MAX))
				return bad(ps, "bad kind");
			if ((rc = add_kind(m, &capk, v, np)) != 0)
				return rc;
			continue;
		}
		if (m->m.nkinds == 0)
			return bad(ps, "a point before any 'kind' line");
		if (np >= MAX_POINTS)
			return bad(ps, "more than %u points", MAX_POINTS);
		if (ll_grow(&m->pts, &cap, np + 1, sizeof(*m->pts)) != 0)
			return LL_ENOMEM;
		if ((rc = point(ps, l, &m->pts[np])) != 0)
			return rc;
		np++;
	}
	if (u64(v, MAX_POINTS, &want) != 0 || want != np)
		return bad(ps, "'end %s' but %zu points", v, np);
	if (ps->left != 0)
		return bad(ps, "bytes after 'end'");
	for (size_t k = 0; k < m->m.nkinds; k++) {
		size_t from = m->kinds[k].n;
		size_t to = k + 1 < m->m.nkinds ? m->kinds[k + 1].n : np;

		/* a kind without points has none (pts NULL) */
		m->kinds[k].pts = to > from ? m->pts + from : NULL;
		m->kinds[k].n = to - from;
	}
	m->m.kinds = m->kinds;
	m->npts = np;
	snprintf(m->source, sizeof(m->source), "bus:%s", m->agent);
	m->m.source = m->source;
	return 0;
}

int
bus_msg_parse(const void *data, size_t len, struct bus_msg **out, char *err,
    size_t errlen)
{
	struct bus_msg *m;
	struct parse ps = { .err = err, .errlen = errlen };
	int rc;

	*out = NULL;
	if (len > BUS_MSG_MAX) {
		snprintf(err, errlen, "%zu bytes, more than %zu", len,
		    BUS_MSG_MAX);
		return LL_ELIMIT;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->buf = malloc(len + 1)) == NULL) {
		free(m);
		return LL_ENOMEM;
	}
	if (len > 0)
		memcpy(m->buf, data, len);
	m->buf[len] = '\0';
	if (memchr(m->buf, '\0', len) != NULL) {
		bus_msg_free(m);
		snprintf(err, errlen, "a NUL byte in the message");
		return LL_EFORMAT;
	}
	ps.p = m->buf;
	ps.left = len;
	m->m.bytes = len;
	if ((rc = header(&ps, m)) != 0 || (rc = body(&ps, m)) != 0) {
		if (rc == LL_ENOMEM)
			snprintf(err, errlen, "out of memory");
		bus_msg_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void
bus_msg_free(struct bus_msg *m)
{
	if (m == NULL)
		return;
	free(m->buf);
	free(m->kinds);
	free(m->pts);
	free(m);
}

/* ---- the encoder ---------------------------------------------------- */

struct bus_enc {
	char		 agent[BUS_AGENT_MAX + 1];
	char		 run[65];
	char		*settings;
	char		*buf;
	size_t		 len, cap;
	const char	*kind;		/* of the last point (engine constant) */
	char		 kindbuf[STORE_KEY_MAX];
	size_t		 npts;
	uint64_t	 seq;
	char		 id[BUS_ID_MAX + 1];
	bool		 started;
};

static int
put(struct bus_enc *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
put(struct bus_enc *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = e->cap - e->len;

		va_start(ap, fmt);
		n = vsnprintf(e->buf + e->len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return LL_EINVAL;
		if ((size_t)n < room)
			break;
		if (ll_grow(&e->buf, &e->cap, e->len + (size_t)n + 1, 1) != 0)
			return LL_ENOMEM;
	}
	e->len += (size_t)n;
	return 0;
}

int
bus_enc_new(const char *agent, const char *run, const char *settings,
    struct bus_enc **out)
{
	struct bus_enc *e;

	*out = NULL;
	if (!bus_agent_name_ok(agent) || !token_ok(run, sizeof(e->run)) ||
	    strchr(settings, '\n') != NULL)
		return LL_EINVAL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return LL_ENOMEM;
	/* a buffer from the start: put() never offsets a NULL pointer */
	if ((e->settings = strdup(settings)) == NULL ||
	    ll_grow(&e->buf, &e->cap, 4096, 1) != 0) {
		bus_enc_free(e);
		return LL_ENOMEM;
	}
	snprintf(e->agent, sizeof(e->agent), "%s", agent);
	snprintf(e->run, sizeof(e->run), "%s", run);
	*out = e;
	return 0;
}

void
bus_enc_free(struct bus_enc *e)
{
	if (e == NULL)
		return;
	free(e->settings);
	free(e->buf);
	free(e);
}

static int
start(struct bus_enc *e)
{
	e->len = 0;
	e->npts = 0;
	e->kindbuf[0] = '\0';
	e->started = true;
	snprintf(e->id, sizeof(e->id), "%s.%" PRIu64, e->run, e->seq);
	return put(e, MAGIC "%d\nid %s\nagent %s\nsettings %s\n", BUS_SCHEMA,
	    e->id, e->agent, e->settings);
}

/* Writes v in decimal at p; returns the digits written. */
static size_t
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

int
bus_enc_point(struct bus_enc *e, const char *kind, int64_t t,
    const char *entity, uint64_t v)
{
	size_t elen = strlen(entity);
	char *p;
	int rc;

	if (!token_ok(kind, STORE_KEY_MAX) || elen >= STORE_KEY_MAX ||
	    !token_ok(entity, STORE_KEY_MAX) || t < 0 || v > VALUE_MAX)
		return LL_EINVAL;
	if (!e->started && (rc = start(e)) != 0)
		return rc;
	if (strcmp(e->kindbuf, kind) != 0) {
		snprintf(e->kindbuf, sizeof(e->kindbuf), "%s", kind);
		if ((rc = put(e, "kind %s\n", kind)) != 0)
			return rc;
	}
	/* the hot path, by hand (two numbers of at most 20 digits, two
	 * spaces, the entity, a newline) */
	if (ll_grow(&e->buf, &e->cap, e->len + elen + 44, 1) != 0)
		return LL_ENOMEM;
	p = e->buf + e->len;
	p += put_u64(p, (uint64_t)t);
	*p++ = ' ';
	p += put_u64(p, v);
	*p++ = ' ';
	memcpy(p, entity, elen);
	p += elen;
	*p++ = '\n';
	*p = '\0';
	e->len = (size_t)(p - e->buf);
	e->npts++;
	return 0;
}

size_t
bus_enc_points(const struct bus_enc *e)
{
	return e->npts;
}

int
bus_enc_finish(struct bus_enc *e, const char **data, size_t *len,
    const char **id)
{
	int rc;

	if (!e->started && (rc = start(e)) != 0)
		return rc;
	if ((rc = put(e, "end %zu\n", e->npts)) != 0)
		return rc;
	*data = e->buf;
	*len = e->len;
	*id = e->id;
	e->started = false;
	e->seq++;
	return 0;
}

/* ---- archive messages -------------------------------------------------- */

#define ARC_HEAD_MAX	(BUS_PATH_MAX + 512)	/* a piece's text part */

static bool
hex64_ok(const char *s)
{
	size_t n = 0;

	for (; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
		n++;
	return n == 64 && *s == '\0';
}

/* "file SHA256 SIZE PATH" into f. */
static int
arc_file(struct parse *ps, char *l, struct bus_arc_file *f)
{
	char *v = field(l, "file"), *sp1, *sp2;

	if (v == NULL || (sp1 = strchr(v, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return bad(ps, "want 'file SHA256 SIZE PATH'");
	*sp1 = *sp2 = '\0';
	if (!hex64_ok(v))
		return bad(ps, "the SHA-256 is not 64 lower-case hex digits");
	if (u64(sp1 + 1, (uint64_t)INT64_MAX, &f->size) != 0)
		return bad(ps, "size '%s' is not a count of bytes", sp1 + 1);
	for (const char *p = sp2 + 1; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return bad(ps, "a control byte in the path");
	if (sp2[1] == '\0' || strlen(sp2 + 1) >= sizeof(f->path))
		return bad(ps, "the path is empty or longer than %d bytes",
		    BUS_PATH_MAX - 1);
	memcpy(f->sha256, v, 65);
	snprintf(f->path, sizeof(f->path), "%s", sp2 + 1);
	return 0;
}

/* The first lines: magic, agent, run. */
static int
arc_head(struct parse *ps, struct bus_arc *a)
{
	char *l = next_line(ps), *v;
	uint64_t schema;

	if ((v = field(l, "lifeline-archive")) != NULL)
		a->run = false;
	else if ((v = field(l, "lifeline-run")) != NULL)
		a->run = true;
	else
		return bad(ps, "not a Lifeline archive message (want "
		    "'lifeline-archive N' or 'lifeline-run N')");
	if (u64(v, 1000000, &schema) != 0)
		return bad(ps, "bad schema number");
	if (schema != 1) {
		snprintf(ps->err, ps->errlen, "line 1: schema %s; this build "
		    "reads schema 1", v);
		return LL_EUNSUP;
	}
	if ((v = field(next_line(ps), "agent")) == NULL ||
	    !bus_agent_name_ok(v))
		return bad(ps, "want 'agent NAME' ([A-Za-z0-9_-], at most %d)",
		    BUS_AGENT_MAX);
	snprintf(a->agent, sizeof(a->agent), "%s", v);
	if ((v = field(next_line(ps), "run")) == NULL || !token_ok(v,
	    BUS_ID_MAX - 80))
		return bad(ps, "want 'run ID' (printable, no space)");
	snprintf(a->runid, sizeof(a->runid), "%s", v);
	return 0;
}

/* A piece: its file, where it goes, an empty line; then the len bytes
 * at data. */
static int
arc_piece(struct parse *ps, struct bus_arc *a, const uint8_t *data,
    size_t len)
{
	char *l, *v, *sp;
	uint64_t off, n;
	int rc;

	if ((l = next_line(ps)) == NULL || (rc = arc_file(ps, l, &a->file)) !=
	    0)
		return l == NULL ? bad(ps, "want 'file ...'") : rc;
	if ((v = field(next_line(ps), "chunk")) == NULL ||
	    (sp = strchr(v, ' ')) == NULL)
		return bad(ps, "want 'chunk OFFSET LEN'");
	*sp = '\0';
	if (u64(v, a->file.size, &off) != 0 || u64(sp + 1, BUS_ARC_CHUNK,
	    &n) != 0 || n > a->file.size - off || n == 0)
		return bad(ps, "the piece is not within the archive's %" PRIu64
		    " bytes (or empty, or over %zu)", a->file.size,
		    BUS_ARC_CHUNK);
	if ((l = next_line(ps)) == NULL || *l != '\0' || ps->left != 0)
		return bad(ps, "want an empty line before the bytes");
	if (len != n)
		return bad(ps, "%zu bytes after the header, 'chunk' says %"
		    PRIu64, len, n);
	a->off = off;
	a->len = (size_t)n;
	a->data = data;
	return 0;
}

/* A run's end: its files, then "end N". */
static int
arc_run(struct parse *ps, struct bus_arc *a)
{
	size_t cap = 0;
	uint64_t want;
	char *l, *v;
	int rc;

	for (;;) {
		if ((l = next_line(ps)) == NULL)
			return bad(ps, "the message ends before 'end N'");
		if ((v = field(l, "end")) != NULL)
			break;
		if (a->nfiles >= BUS_ARC_FILES)
			return bad(ps, "more than %d files", BUS_ARC_FILES);
		if (ll_grow(&a->files, &cap, a->nfiles + 1,
		    sizeof(*a->files)) != 0)
			return LL_ENOMEM;
		if ((rc = arc_file(ps, l, &a->files[a->nfiles])) != 0)
			return rc;
		a->nfiles++;
	}
	if (u64(v, BUS_ARC_FILES, &want) != 0 || want != a->nfiles ||
	    a->nfiles == 0)
		return bad(ps, "'end %s' but %zu files", v, a->nfiles);
	if (ps->left != 0)
		return bad(ps, "bytes after 'end'");
	return 0;
}

int
bus_arc_parse(const void *data, size_t len, struct bus_arc *out, char *err,
    size_t errlen)
{
	struct parse ps = { .err = err, .errlen = errlen };
	const char *sep;
	size_t textlen;
	char *buf;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > BUS_MSG_MAX) {
		snprintf(err, errlen, "%zu bytes, more than %zu", len,
		    BUS_MSG_MAX);
		return LL_ELIMIT;
	}
	/* a piece's text ends at its empty line; a run is all text */
	sep = len > 0 ? memmem(data, len < ARC_HEAD_MAX ? len : ARC_HEAD_MAX,
	    "\n\n", 2) : NULL;
	textlen = len > 16 && memcmp(data, "lifeline-archive", 16) == 0 &&
	    sep != NULL ? (size_t)(sep - (const char *)data) + 2 : len;
	if ((buf = malloc(textlen + 1)) == NULL)
		return LL_ENOMEM;
	memcpy(buf, data, textlen);
	buf[textlen] = '\0';
	if (memchr(buf, '\0', textlen) != NULL) {
		free(buf);
		snprintf(err, errlen, "a NUL byte in the message's text");
		return LL_EFORMAT;
	}
	ps.p = buf;
	ps.left = textlen;
	if ((rc = arc_head(&ps, out)) == 0) {
		if (out->run)
			rc = arc_run(&ps, out);
		else
			rc = arc_piece(&ps, out, (const uint8_t *)data +
			    textlen, len - textlen);
	}
	free(buf);
	if (rc == LL_ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc != 0)
		bus_arc_fini(out);
	return rc;
}

void
bus_arc_fini(struct bus_arc *a)
{
	if (a == NULL)
		return;
	free(a->files);
	a->files = NULL;
	a->nfiles = 0;
}
