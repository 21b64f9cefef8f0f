/*
 * Framing MRT records out of a byte stream (RFC 6396 section 2), skipping
 * and reporting damage. A record whose header is sound but whose body is
 * not is skipped by its length; a header that cannot be right (unknown type,
 * length past the cap) means the boundary is lost, and the reader scans for
 * the next plausible header: known type and subtype, sane length, a
 * timestamp within a day of the last good one, followed by another
 * plausible header or the end of the stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt/mrt_int.h"
#include "util/err.h"

#define RESYNC_WINDOW	(1u << 20)
#define RESYNC_MAX_LEN	(1u << 20)	/* a candidate's body length */
#define TS_SLACK	86400u
/*
 * Bytes ahead of the next record to pull into the caches: the hardware
 * prefetcher stops at page boundaries, and a mapped archive is read once,
 * so without a hint every new page starts with a miss to memory. Four
 * lines a record (records average three) keep the window moving with the
 * cursor; this took 10% off a decode-only pass over update archives.
 */
#define PREFETCH_AHEAD	1024

struct mrt_reader {
	struct input		*in;
	char			*name;
	struct mrt_reader_opts	 o;
	struct mrt_stats	 st;
	struct mrt_decoder	 dec;
	uint32_t		 last_ts;
	bool			 have_ts;
	bool			 done;
	bool			 repairing;
	char			 msg[512];
};

int
mrt_reader_new(struct input *in, const char *name,
    const struct mrt_reader_opts *opts, struct mrt_reader **out)
{
	struct mrt_reader *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->name = strdup(name ? name : "-")) == NULL) {
		free(r);
		return LL_ENOMEM;
	}
	r->in = in;
	if (opts != NULL)
		r->o = *opts;
	if (r->o.max_record == 0)
		r->o.max_record = MRT_DEFAULT_MAX_RECORD;
	mrt_decoder_init(&r->dec);
	*out = r;
	return 0;
}

void
mrt_reader_free(struct mrt_reader *r)
{
	if (r == NULL)
		return;
	mrt_decoder_fini(&r->dec);
	free(r->name);
	free(r);
}

const struct mrt_stats *
mrt_reader_stats(const struct mrt_reader *r)
{
	return &r->st;
}

const struct mrt_peer *
mrt_reader_peers(const struct mrt_reader *r, uint32_t *n)
{
	*n = r->dec.npeers;
	return r->dec.peers;
}

static void
report(struct mrt_reader *r, uint64_t off, int code)
{
	struct mrt_error e = { r->name, off, code, r->msg };

	r->st.bad++;
	if (r->o.on_error != NULL)
		r->o.on_error(r->o.ctx, &e);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool
header_ok(const struct mrt_reader *r, const uint8_t *h, uint32_t maxlen)
{
	uint32_t ts = be32(h), len = be32(h + 8);

	if (!mrt_type_known(be16(h + 4), be16(h + 6)) || len > maxlen)
		return false;
	if (r->have_ts && (ts + TS_SLACK < r->last_ts ||
	    ts > r->last_ts + TS_SLACK))
		return false;
	return true;
}

/*
 * Whether the plausible header at p + i starts a record: the record after
 * it must have a plausible header too, or end the stream exactly. When it
 * runs past the window, a full window cannot tell (it is taken), a shorter
 * one, the rest of the stream, says no.
 */
static bool
resync_candidate(const struct mrt_reader *r, const uint8_t *p, size_t i,
    size_t avail, bool clean)
{
	size_t next;

	if (!header_ok(r, p + i, RESYNC_MAX_LEN))
		return false;
	next = i + MRT_HEADER_LEN + be32(p + i + 8);
	if (next == avail && clean)
		return true;			/* ends the stream exactly */
	if (next + MRT_HEADER_LEN <= avail)
		return header_ok(r, p + next, RESYNC_MAX_LEN);
	return next > avail && avail >= RESYNC_WINDOW;
}

/* The offset of the first record start at or after from in the window, or
 * a value with fewer than MRT_HEADER_LEN bytes after it when none is. */
static size_t
resync_scan(const struct mrt_reader *r, const uint8_t *p, size_t from,
    size_t avail, bool clean)
{
	size_t i;

	for (i = from; i + MRT_HEADER_LEN <= avail; i++)
		if (resync_candidate(r, p, i, avail, clean))
			break;
	return i;
}

/*
 * Scans forward, a window at a time, for the next plausible record start
 * (never the damaged one, at the cursor), consumes what it skips and
 * reports it with why. An input error met on the way is left for the next
 * read to report.
 */
static void
resync(struct mrt_reader *r, uint64_t bad_off, const char *why)
{
	const uint8_t *p;
	size_t avail, i;
	uint64_t skipped = 0;

	for (;;) {
		int rc = input_peek(r->in, RESYNC_WINDOW, &p, &avail);
		i = resync_scan(r, p, skipped == 0 ? 1 : 0, avail, rc == 0);
		bool found = i + MRT_HEADER_LEN <= avail;
		if (found || avail < RESYNC_WINDOW || rc != 0) {
			if (i > avail)
				i = avail;
			input_consume(r->in, i);
			skipped += i;
			break;
		}
		/* keep the last bytes: a header may straddle the windows */
		input_consume(r->in, avail - MRT_HEADER_LEN);
		skipped += avail - MRT_HEADER_LEN;
	}
	snprintf(r->msg, sizeof(r->msg), "%s; skipped %llu bytes to %s",
	    why, (unsigned long long)skipped, avail > i ?
	    "the next plausible record" : "the end of the stream");
	report(r, bad_off, LL_EFORMAT);
}

/*
 * Early Zebra TABLE_DUMP records declare a length 4 bytes short of their
 * content (RIS rrc00 bview.20000111.0032). When the header after the
 * declared end makes no sense but the one 4 bytes later does, read the
 * record with the corrected length; reported once per stream.
 */
static int
short_by_4(struct mrt_reader *r, size_t *want, uint64_t off)
{
	const uint8_t *p;
	size_t avail, w = *want;

	input_peek(r->in, w + 4 + MRT_HEADER_LEN, &p, &avail);
	bool end_at = avail == w, end_after = avail == w + 4;
	bool ok_at = avail >= w + MRT_HEADER_LEN &&
	    header_ok(r, p + w, r->o.max_record);
	bool ok_after = avail >= w + 4 + MRT_HEADER_LEN &&
	    header_ok(r, p + w + 4, r->o.max_record);
	r->repairing = false;
	if (end_at || ok_at || !(end_after || ok_after))
		return 0;
	*want = w + 4;
	r->repairing = true;
	r->st.repaired++;
	if (r->st.repaired == 1) {
		snprintf(r->msg, sizeof(r->msg), "TABLE_DUMP record length "
		    "is 4 bytes short of its content (an early Zebra bug); "
		    "this and every such record is read with the corrected "
		    "length (reported once)");
		report(r, off, LL_EFORMAT);
		if (r->o.strict)
			return LL_EFORMAT;
	}
	return 0;
}

/*
 * Reports why the stream gives no more records (what, rc: the input
 * layer's fault, or LL_ENOMEM when no window could hold what it asked
 * for: the stream is then not known to be cut, and is not said to be) and
 * ends the read. Returns what the reader returns: rc when strict.
 */
static int
input_failed(struct mrt_reader *r, int rc, size_t have, const char *what,
    uint64_t off)
{
	const char *m = input_errmsg(r->in);

	if (rc == LL_ENOMEM)
		snprintf(r->msg, sizeof(r->msg), "out of memory for the %s",
		    what);
	else
		snprintf(r->msg, sizeof(r->msg), "%s%s%s (%zu bytes of it "
		    "read)", what, *m ? ": " : "", m, have);
	r->st.truncated = rc != LL_ENOMEM;
	report(r, off, rc);
	r->done = true;
	return r->o.strict ? rc : MRT_NEXT_END;
}

/* A record framed at the cursor: header fields and whole length. */
struct frame {
	uint64_t	 off;		/* in the stream */
	const uint8_t	*p;
	size_t		 avail;		/* bytes at p */
	size_t		 len;		/* header and body */
	uint16_t	 type;
	uint16_t	 subtype;
};

/* Where a step of the reader leaves it: a record framed, to decode; a
 * record or damage skipped, go on; or stop and return *ret. */
enum step {
	STEP_FRAMED,
	STEP_SKIPPED,
	STEP_STOP,
};

/* The stream ends (or fails) inside a header: *ret is what to return. */
static enum step
header_cut(struct mrt_reader *r, int rc, struct frame *f, int *ret)
{
	if (rc == LL_ENOMEM)
		*ret = input_failed(r, rc, f->avail, "MRT header", f->off);
	else
		*ret = input_failed(r, rc ? rc : LL_ETRUNC, f->avail, rc ?
		    "stream ends inside an MRT header" :
		    "file ends inside an MRT header", f->off);
	return STEP_STOP;
}

/* A header that cannot be right: unknown type or a length past the cap.
 * Strict reading stops; else the reader resynchronises. */
static enum step
header_bad(struct mrt_reader *r, const struct frame *f, uint32_t blen,
    int *ret)
{
	char why[160];

	if (blen > r->o.max_record)
		snprintf(why, sizeof(why), "record length %u exceeds the "
		    "limit of %u (type %u)", blen, r->o.max_record, f->type);
	else
		snprintf(why, sizeof(why), "MRT type %u subtype %u is not "
		    "defined (RFC 6396 4)", f->type, f->subtype);
	if (r->o.strict) {
		snprintf(r->msg, sizeof(r->msg), "%s", why);
		report(r, f->off, LL_EFORMAT);
		*ret = LL_EFORMAT;
		return STEP_STOP;
	}
	resync(r, f->off, why);
	return STEP_SKIPPED;
}

/* The body is not all there: the stream ends inside it, or (LL_ENOMEM) no
 * window holds it. */
static enum step
record_cut(struct mrt_reader *r, int rc, struct frame *f, int *ret)
{
	char what[160];

	if (rc == LL_ENOMEM) {
		snprintf(what, sizeof(what), "%s record of %zu bytes",
		    mrt_type_name(f->type), f->len);
		*ret = input_failed(r, rc, f->avail, what, f->off);
		return STEP_STOP;
	}
	snprintf(what, sizeof(what), "%s record of %zu bytes truncated at "
	    "the end of the %s", mrt_type_name(f->type), f->len,
	    rc ? "compressed stream" : "file");
	input_consume(r->in, f->avail);
	*ret = input_failed(r, rc ? rc : LL_ETRUNC, f->avail, what, f->off);
	return STEP_STOP;
}

/* Asks the caches for the bytes after the record (see PREFETCH_AHEAD). */
static void
prefetch_after(const struct frame *f)
{
	if (f->avail >= f->len + PREFETCH_AHEAD + 256)
		for (size_t k = 0; k < 256; k += 64)
			__builtin_prefetch(f->p + f->len + PREFETCH_AHEAD + k);
}

/* Frames the record at the cursor: its header read and checked, its whole
 * body available at f->p. */
static enum step
frame_record(struct mrt_reader *r, struct frame *f, int *ret)
{
	int rc;

	f->off = input_offset(r->in);
	rc = input_peek(r->in, MRT_HEADER_LEN, &f->p, &f->avail);
	if (f->avail == 0 && rc == 0) {
		r->done = true;
		*ret = MRT_NEXT_END;
		return STEP_STOP;
	}
	if (f->avail < MRT_HEADER_LEN)
		return header_cut(r, rc, f, ret);
	uint32_t blen = be32(f->p + 8);
	f->type = be16(f->p + 4);
	f->subtype = be16(f->p + 6);
	if (!mrt_type_known(f->type, f->subtype) || blen > r->o.max_record)
		return header_bad(r, f, blen, ret);
	f->len = MRT_HEADER_LEN + (size_t)blen;
	if (f->avail < f->len)
		rc = input_peek(r->in, f->len, &f->p, &f->avail);
	if (f->avail < f->len)
		return record_cut(r, rc, f, ret);
	if (f->type == MRT_T_TABLE_DUMP) {
		if ((rc = short_by_4(r, &f->len, f->off)) != 0) {
			*ret = rc;
			return STEP_STOP;
		}
		/* the look-ahead may move the window */
		input_peek(r->in, f->len, &f->p, &f->avail);
	}
	prefetch_after(f);
	return STEP_FRAMED;
}

/* Moves past a record that was handed on (or skipped as sound). */
static void
consume_sound(struct mrt_reader *r, const struct frame *f)
{
	r->last_ts = be32(f->p);
	r->have_ts = true;
	input_consume(r->in, f->len);
	r->st.bytes += f->len;
}

/* Decodes the framed record fully: hands it out (stop with
 * MRT_NEXT_RECORD and *out set), skips it (sound but not decoded, or bad
 * and reported), or in strict mode stops at a bad one with its code. */
static enum step
decode_framed(struct mrt_reader *r, const struct frame *f,
    const struct mrt_record **out, int *ret)
{
	r->dec.short4 = f->type == MRT_T_TABLE_DUMP && r->repairing;
	int rc = mrt_decode_record(&r->dec, f->p, f->len, f->off);
	switch (rc) {
	case MRT_DEC_RECORD:
		consume_sound(r, f);
		r->st.records++;
		*out = &r->dec.rec;
		*ret = MRT_NEXT_RECORD;
		return STEP_STOP;
	case MRT_DEC_UNSUPPORTED:
		consume_sound(r, f);
		r->st.unsupported++;
		return STEP_SKIPPED;
	}
	snprintf(r->msg, sizeof(r->msg), "%s record: %s (at byte %zu of the "
	    "record)", mrt_type_name(f->type), r->dec.msg, r->dec.err_off);
	input_consume(r->in, f->len);
	r->st.bytes += f->len;
	report(r, f->off, rc);
	if (!r->o.strict)
		return STEP_SKIPPED;
	*ret = rc;
	return STEP_STOP;
}

int
mrt_reader_next(struct mrt_reader *r, const struct mrt_record **out)
{
	return mrt_reader_next_fast(r, NULL, NULL, out);
}

int
mrt_reader_next_fast(struct mrt_reader *r, mrt_fast_fn *fast, void *ctx,
    const struct mrt_record **out)
{
	struct frame f;
	int ret = MRT_NEXT_END;

	while (!r->done) {
		enum step step = frame_record(r, &f, &ret);
		if (step == STEP_FRAMED) {
			if (fast != NULL &&
			    fast(ctx, f.p, f.len) == MRT_FAST_TAKEN) {
				consume_sound(r, &f);
				r->st.records++;
				return MRT_NEXT_TAKEN;
			}
			step = decode_framed(r, &f, out, &ret);
		}
		if (step == STEP_STOP)
			return ret;
	}
	return MRT_NEXT_END;
}

int
mrt_decoder_new(struct mrt_decoder **out)
{
	struct mrt_decoder *d = malloc(sizeof(*d));

	if (d == NULL)
		return LL_ENOMEM;
	mrt_decoder_init(d);
	*out = d;
	return 0;
}

int
mrt_decode(struct mrt_decoder *d, const uint8_t *buf, size_t len,
    const struct mrt_record **rec, const char **what)
{
	int rc = mrt_decode_record(d, buf, len, 0);

	*what = d->msg;
	if (rc == MRT_DEC_RECORD)
		*rec = &d->rec;
	return rc;
}

void
mrt_decoder_free(struct mrt_decoder *d)
{
	if (d == NULL)
		return;
	mrt_decoder_fini(d);
	free(d);
}
