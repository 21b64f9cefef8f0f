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

	if (!mrt_header_plausible(be16(h + 4), be16(h + 6)) || len > maxlen)
		return false;
	if (r->have_ts && (ts + TS_SLACK < r->last_ts ||
	    ts > r->last_ts + TS_SLACK))
		return false;
	return true;
}

/*
 * Scans forward for the next plausible record start; consumes what it
 * skips. Returns 0 when positioned (or at the end), or an input error.
 */
static int
resync(struct mrt_reader *r, uint64_t bad_off, const char *why)
{
	const uint8_t *p;
	size_t avail, i;
	uint64_t skipped = 0;
	int rc;

	for (;;) {
		rc = input_peek(r->in, RESYNC_WINDOW, &p, &avail);
		for (i = skipped == 0 ? 1 : 0; i + MRT_HEADER_LEN <= avail;
		    i++) {
			if (!header_ok(r, p + i, RESYNC_MAX_LEN))
				continue;
			size_t next = i + MRT_HEADER_LEN + be32(p + i + 8);
			if (next == avail && rc == 0)
				break;		/* ends the stream exactly */
			if (next + MRT_HEADER_LEN <= avail &&
			    header_ok(r, p + next, RESYNC_MAX_LEN))
				break;
			if (next > avail && avail < RESYNC_WINDOW)
				continue;
			if (next > avail)
				break;		/* cannot check further */
		}
		if (i + MRT_HEADER_LEN <= avail || avail < RESYNC_WINDOW ||
		    rc != 0) {
			if (i > avail)
				i = avail;
			input_consume(r->in, i);
			skipped += i;
			break;
		}
		input_consume(r->in, avail - MRT_HEADER_LEN);
		skipped += avail - MRT_HEADER_LEN;
	}
	snprintf(r->msg, sizeof(r->msg), "%s; skipped %llu bytes to %s",
	    why, (unsigned long long)skipped, avail > i ?
	    "the next plausible record" : "the end of the stream");
	report(r, bad_off, LL_EFORMAT);
	return 0;
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

/* Reports the input layer's error at the current position and ends. */
static int
input_failed(struct mrt_reader *r, int rc, size_t have, const char *what,
    uint64_t off)
{
	const char *m = input_errmsg(r->in);

	snprintf(r->msg, sizeof(r->msg), "%s%s%s (%zu bytes of it read)",
	    what, *m ? ": " : "", m, have);
	r->st.truncated = true;
	report(r, off, rc);
	r->done = true;
	return r->o.strict ? rc : 0;
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
	const uint8_t *p;
	size_t avail;
	int rc;

	while (!r->done) {
		uint64_t off = input_offset(r->in);
		rc = input_peek(r->in, MRT_HEADER_LEN, &p, &avail);
		if (avail == 0 && rc == 0) {
			r->done = true;
			return 0;
		}
		if (avail < MRT_HEADER_LEN)
			return input_failed(r, rc ? rc : LL_ETRUNC, avail,
			    rc ? "stream ends inside an MRT header" :
			    "file ends inside an MRT header", off);
		uint32_t len = be32(p + 8);
		uint16_t type = be16(p + 4), sub = be16(p + 6);
		if (!mrt_header_plausible(type, sub) || len > r->o.max_record) {
			char why[160];
			if (len > r->o.max_record)
				snprintf(why, sizeof(why), "record length %u "
				    "exceeds the limit of %u (type %u)", len,
				    r->o.max_record, type);
			else
				snprintf(why, sizeof(why), "MRT type %u "
				    "subtype %u is not defined (RFC 6396 4)",
				    type, sub);
			if (r->o.strict) {
				snprintf(r->msg, sizeof(r->msg), "%s", why);
				report(r, off, LL_EFORMAT);
				return LL_EFORMAT;
			}
			if ((rc = resync(r, off, why)) != 0)
				return rc;
			continue;
		}
		size_t want = MRT_HEADER_LEN + (size_t)len;
		if (avail < want)
			rc = input_peek(r->in, want, &p, &avail);
		if (avail < want) {
			char what[160];
			snprintf(what, sizeof(what), "%s record of %zu bytes "
			    "truncated at the end of the %s", mrt_type_name(type),
			    want, rc ? "compressed stream" : "file");
			input_consume(r->in, avail);
			r->msg[0] = '\0';
			return input_failed(r, rc ? rc : LL_ETRUNC, avail, what,
			    off);
		}
		if (type == MRT_T_TABLE_DUMP && (rc = short_by_4(r, &want,
		    off)) != 0)
			return rc;
		if (type == MRT_T_TABLE_DUMP)	/* the look-ahead may move it */
			input_peek(r->in, want, &p, &avail);
		if (avail >= want + PREFETCH_AHEAD + 256)
			for (size_t k = 0; k < 256; k += 64)
				__builtin_prefetch(p + want + PREFETCH_AHEAD + k);
		if (fast != NULL && fast(ctx, p, want) == 1) {
			input_consume(r->in, want);
			r->st.bytes += want;
			r->st.records++;
			r->last_ts = be32(p);
			r->have_ts = true;
			return 2;
		}
		r->dec.short4 = type == MRT_T_TABLE_DUMP && r->repairing;
		rc = mrt_decode_record(&r->dec, p, want, off);
		r->st.bytes += want;
		if (rc == 1) {
			input_consume(r->in, want);
			r->st.records++;
			r->last_ts = r->dec.rec.ts;
			r->have_ts = true;
			*out = &r->dec.rec;
			return 1;
		}
		if (rc == 0) {
			input_consume(r->in, want);
			r->st.unsupported++;
			r->last_ts = be32(p);
			r->have_ts = true;
			continue;
		}
		snprintf(r->msg, sizeof(r->msg), "%s record: %s (at byte %zu "
		    "of the record)", mrt_type_name(type), r->dec.msg,
		    r->dec.err_off);
		input_consume(r->in, want);
		report(r, off, rc);
		if (r->o.strict)
			return rc;
	}
	return 0;
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
	if (rc == 1)
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
