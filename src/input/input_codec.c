/*
 * The sequential codecs: plain, gzip (zlib, or ISA-L's igzip when built
 * with it), bzip2, xz and zstd. Each decodes from the raw buffer into the
 * caller's buffer and turns its library's errors into LL_E* codes with a
 * message naming the compressed offset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "config.h"
#include "util/err.h"
#include "input/input_int.h"

#define XZ_MEMLIMIT	(512u * 1024 * 1024)

static const uint8_t *
raw_ptr(const struct input *in)
{
	return in->raw.p + in->raw.pos;
}

static size_t
raw_left(const struct input *in)
{
	return in->raw.len - in->raw.pos;
}

/* Ensures at least one raw byte unless the file has ended; returns 0 or
 * LL_EIO. */
static int
raw_need(struct input *in)
{
	if (raw_left(in) > 0 || in->raw.eof)
		return 0;
	return input_raw_more(in);
}

/* Ensures n raw bytes (n small) unless the file ends first. */
static int
raw_need_n(struct input *in, size_t n)
{
	int rc;

	while (raw_left(in) < n && !in->raw.eof)
		if ((rc = input_raw_more(in)) != 0)
			return rc;
	return 0;
}

/* ---- plain ---------------------------------------------------------- */

static int
plain_init(struct input *in)
{
	(void)in;
	return 0;
}

static int
plain_decode(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	struct input_raw *r = &in->raw;
	ssize_t n;
	size_t k;

	*got = 0;
	if ((k = raw_left(in)) > 0) {
		if (k > cap)
			k = cap;
		memcpy(dst, raw_ptr(in), k);
		r->pos += k;
		*got = k;
		return 0;
	}
	if (r->eof)
		return 0;
	/* Read straight into the window: no double copy. */
	r->base += r->pos;
	r->pos = r->len = 0;
	do
		n = read(r->fd, dst, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		input_seterr(in, LL_EIO, "read error at offset %llu: %s",
		    (unsigned long long)r->base, strerror(errno));
		return LL_EIO;
	}
	if (n == 0)
		r->eof = true;
	r->base += (uint64_t)n;
	atomic_fetch_add_explicit(&r->read, (uint64_t)n,
	    memory_order_relaxed);
	*got = (size_t)n;
	return 0;
}

const struct input_codec_ops input_plain_ops = {
	plain_init, plain_decode, NULL,
};

/*
 * After the end of one member/stream: the file may end, hold another
 * member starting with `magic`, or hold garbage. Returns 1 when another
 * member follows, 0 at the end, or LL_EFORMAT/LL_EIO.
 */
static int
next_member(struct input *in, const char *name, const uint8_t *magic,
    size_t mlen)
{
	int rc;

	if ((rc = raw_need_n(in, mlen)) != 0)
		return rc;
	if (raw_left(in) == 0)
		return 0;
	if (raw_left(in) >= mlen && memcmp(raw_ptr(in), magic, mlen) == 0)
		return 1;
	input_seterr(in, LL_EFORMAT, "%s: trailing garbage after the end of "
	    "the compressed stream at compressed offset %llu", name,
	    (unsigned long long)input_raw_pos(in));
	return LL_EFORMAT;
}

static int
trunc_err(struct input *in, const char *name)
{
	input_seterr(in, LL_ETRUNC, "%s: compressed stream ends early at "
	    "compressed offset %llu", name,
	    (unsigned long long)input_raw_pos(in));
	return LL_ETRUNC;
}

/* ---- gzip ----------------------------------------------------------- */

static const uint8_t gzip_magic[] = { 0x1f, 0x8b };

#ifdef HAVE_ISAL
#define USE_ISAL 1
#endif

#ifdef USE_ISAL
#include <isa-l/igzip_lib.h>

static int
gzip_init(struct input *in)
{
	struct inflate_state *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return LL_ENOMEM;
	isal_inflate_init(s);
	s->crc_flag = ISAL_GZIP;
	in->cs = s;
	return 0;
}

static int
gzip_decode(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	struct inflate_state *s = in->cs;
	size_t before;
	int rc, ret;

	*got = 0;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	while (*got < cap) {
		if ((rc = raw_need(in)) != 0)
			return rc;
		if (raw_left(in) == 0)
			return trunc_err(in, "gzip");
		before = raw_left(in);
		s->next_in = (uint8_t *)(uintptr_t)raw_ptr(in);
		s->avail_in = (uint32_t)(before > UINT32_MAX ? UINT32_MAX :
		    before);
		s->next_out = dst + *got;
		s->avail_out = (uint32_t)(cap - *got);
		ret = isal_inflate(s);
		in->raw.pos += (before > UINT32_MAX ? UINT32_MAX : before) -
		    s->avail_in;
		*got = cap - s->avail_out;
		if (ret < 0) {
			input_seterr(in, LL_EFORMAT, "gzip: corrupt data (isa-l "
			    "error %d) near compressed offset %llu", ret,
			    (unsigned long long)input_raw_pos(in));
			return LL_EFORMAT;
		}
		if (s->block_state == ISAL_BLOCK_FINISH) {
			rc = next_member(in, "gzip", gzip_magic,
			    sizeof(gzip_magic));
			if (rc == 0)
				in->eos = true;
			if (rc <= 0)
				return rc;
			isal_inflate_reset(s);
			s->crc_flag = ISAL_GZIP;
		}
	}
	return 0;
}

static void
gzip_fini(struct input *in)
{
	free(in->cs);
	in->cs = NULL;
}
#endif

static int
zgzip_init(struct input *in)
{
	z_stream *zs;

	if ((zs = calloc(1, sizeof(*zs))) == NULL)
		return LL_ENOMEM;
	if (inflateInit2(zs, 15 + 16) != Z_OK) {
		free(zs);
		return LL_ENOMEM;
	}
	in->cs = zs;
	return 0;
}

static int
zgzip_decode(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	z_stream *zs = in->cs;
	size_t before, feed;
	int rc, ret;

	*got = 0;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	while (*got < cap) {
		if ((rc = raw_need(in)) != 0)
			return rc;
		if (raw_left(in) == 0)
			return trunc_err(in, "gzip");
		before = raw_left(in);
		feed = before > UINT32_MAX ? UINT32_MAX : before;
		zs->next_in = (Bytef *)(uintptr_t)raw_ptr(in);
		zs->avail_in = (uInt)feed;
		zs->next_out = dst + *got;
		zs->avail_out = (uInt)(cap - *got);
		ret = inflate(zs, Z_NO_FLUSH);
		in->raw.pos += feed - zs->avail_in;
		*got = cap - zs->avail_out;
		if (ret == Z_STREAM_END) {
			rc = next_member(in, "gzip", gzip_magic,
			    sizeof(gzip_magic));
			if (rc == 0)
				in->eos = true;
			if (rc <= 0)
				return rc;
			if (inflateReset(zs) != Z_OK)
				return LL_ENOMEM;
		} else if (ret == Z_MEM_ERROR) {
			return LL_ENOMEM;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			input_seterr(in, LL_EFORMAT, "gzip: %s at compressed "
			    "offset %llu", zs->msg != NULL ? zs->msg :
			    "corrupt data",
			    (unsigned long long)input_raw_pos(in));
			return LL_EFORMAT;
		}
	}
	return 0;
}

static void
zgzip_fini(struct input *in)
{
	if (in->cs != NULL)
		inflateEnd(in->cs);
	free(in->cs);
	in->cs = NULL;
}

/* zlib, always built: the fallback without ISA-L, and tested. */
const struct input_codec_ops input_gzip_zlib_ops = {
	zgzip_init, zgzip_decode, zgzip_fini,
};


#ifdef USE_ISAL
const struct input_codec_ops input_gzip_ops = {
	gzip_init, gzip_decode, gzip_fini,
};
#else
const struct input_codec_ops input_gzip_ops = {
	zgzip_init, zgzip_decode, zgzip_fini,
};
#endif

/* ---- bzip2 ---------------------------------------------------------- */

/*
 * libbz2 hands out a block's bytes as it inflates them and checks the
 * block's CRC only after the last one, so a damaged block is delivered
 * (80-250 KB of wrong bytes in 125 of 300 randomly damaged archives)
 * before the error. We hold every byte until its block has passed the
 * check. The streaming API does not say where blocks end, but its shape
 * tells (bzlib.c, BZ2_bzDecompress): compressed input is read only between
 * blocks (a block's data is read whole before its first byte comes out,
 * and the next block's header only once the CRC of the previous one
 * matched), and a call returns early only for want of input or of output
 * room. So every byte out before a call that read input has passed its
 * block's check, and so has every byte when a call stops for want of
 * input with output room left; the end of a stream checks the rest. Input
 * goes in BZ_FEED bytes at a time, so that a call rarely spans more than
 * one block boundary (a sound block after the last checked point and
 * before a damaged one is then held back with it, never a wrong byte
 * given). Held bytes are at most one block's output (46 MiB at the very
 * worst of bzip2's run-length coding; about 1 MB on MRT data).
 */
#define BZ_FEED		8192u
#define BZ_HOLD_MAX	(48u * 1024 * 1024)
#define BZ_HOLD_STEP	(256u * 1024)

struct bz_state {
	bz_stream	 bs;
	bool		 live;		/* BZ2_bzDecompressInit done */
	bool		 at_end;	/* the last stream ended cleanly */
	int		 err;		/* deferred: after the checked bytes */
	uint8_t		*hold;		/* [pos, ok) checked, [ok, len) not */
	size_t		 pos, ok, len, cap;
};

static int
bz_begin(struct bz_state *s)
{
	memset(&s->bs, 0, sizeof(s->bs));
	if (BZ2_bzDecompressInit(&s->bs, 0, 0) != BZ_OK)
		return LL_ENOMEM;
	s->live = true;
	return 0;
}

static int
bzip2_init(struct input *in)
{
	struct bz_state *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return LL_ENOMEM;
	if ((rc = bz_begin(s)) != 0) {
		free(s);
		return rc;
	}
	in->cs = s;
	return 0;
}

static const uint8_t bzip2_magic[] = { 'B', 'Z', 'h' };

/* Room for at least BZ_HOLD_STEP more bytes after len. */
static int
bz_hold_room(struct input *in, struct bz_state *s)
{
	size_t ncap;
	uint8_t *p;

	if (s->pos > 0) {
		memmove(s->hold, s->hold + s->pos, s->len - s->pos);
		s->ok -= s->pos;
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->cap - s->len >= BZ_HOLD_STEP)
		return 0;
	ncap = s->cap == 0 ? 4 * BZ_HOLD_STEP : s->cap * 2;
	if (s->len + BZ_HOLD_STEP > BZ_HOLD_MAX) {
		input_seterr(in, LL_EFORMAT, "bzip2: a block decodes to more "
		    "than %u MiB at compressed offset %llu", BZ_HOLD_MAX >> 20,
		    (unsigned long long)input_raw_pos(in));
		return LL_EFORMAT;
	}
	if (ncap > BZ_HOLD_MAX)
		ncap = BZ_HOLD_MAX;
	if ((p = realloc(s->hold, ncap)) == NULL)
		return LL_ENOMEM;
	s->hold = p;
	s->cap = ncap;
	return 0;
}

/* One BZ2_bzDecompress() call into the held bytes. Returns 0, or < 0 with
 * the message set; at the end of the last stream sets s->at_end. */
static int
bz_step(struct input *in, struct bz_state *s)
{
	size_t feed, before;
	int rc, ret;

	if ((rc = raw_need(in)) != 0 || (rc = bz_hold_room(in, s)) != 0)
		return rc;
	feed = raw_left(in);
	if (feed > BZ_FEED)
		feed = BZ_FEED;
	before = s->len;
	s->bs.next_in = (char *)(uintptr_t)raw_ptr(in);
	s->bs.avail_in = (unsigned)feed;
	s->bs.next_out = (char *)s->hold + s->len;
	s->bs.avail_out = (unsigned)(s->cap - s->len);
	ret = BZ2_bzDecompress(&s->bs);
	in->raw.pos += feed - s->bs.avail_in;
	s->len = s->cap - s->bs.avail_out;
	if (feed > s->bs.avail_in)
		s->ok = before;		/* input read: earlier blocks passed */
	if (ret == BZ_OK && s->bs.avail_in == 0 && s->bs.avail_out > 0)
		s->ok = s->len;		/* waits for input between blocks */
	if (ret == BZ_STREAM_END) {
		s->ok = s->len;
		BZ2_bzDecompressEnd(&s->bs);
		s->live = false;
		rc = next_member(in, "bzip2", bzip2_magic,
		    sizeof(bzip2_magic));
		if (rc == 0)
			s->at_end = true;
		if (rc <= 0)
			return rc;
		return bz_begin(s);
	}
	if (ret == BZ_MEM_ERROR)
		return LL_ENOMEM;
	if (ret != BZ_OK) {
		input_seterr(in, LL_EFORMAT, "bzip2: %s at compressed offset "
		    "%llu", ret == BZ_DATA_ERROR_MAGIC ? "bad stream header" :
		    "data integrity error", (unsigned long long)
		    input_raw_pos(in));
		return LL_EFORMAT;
	}
	if (feed == 0 && in->raw.eof && s->len == before)
		return trunc_err(in, "bzip2");
	return 0;
}

static int
bzip2_decode(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	struct bz_state *s = in->cs;
	size_t n;

	*got = 0;
	while (*got < cap) {
		if (s->pos < s->ok) {
			n = s->ok - s->pos;
			if (n > cap - *got)
				n = cap - *got;
			memcpy(dst + *got, s->hold + s->pos, n);
			s->pos += n;
			*got += n;
			continue;
		}
		if (s->err != 0) {
			/* the checked bytes are out; the unchecked ones are
			 * dropped with the error */
			s->len = s->ok = s->pos;
			return s->err;
		}
		if (s->at_end) {
			in->eos = true;
			return 0;
		}
		if (*got > 0)
			return 0;	/* deliver what passed meanwhile */
		s->err = bz_step(in, s);
	}
	return 0;
}

static void
bzip2_fini(struct input *in)
{
	struct bz_state *s = in->cs;

	if (s != NULL && s->live)
		BZ2_bzDecompressEnd(&s->bs);
	if (s != NULL)
		free(s->hold);
	free(s);
	in->cs = NULL;
}

const struct input_codec_ops input_bzip2_ops = {
	bzip2_init, bzip2_decode, bzip2_fini,
};

/* ---- xz ------------------------------------------------------------- */

static int
xz_init(struct input *in)
{
	lzma_stream *ls;

	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return LL_ENOMEM;
	if (lzma_stream_decoder(ls, XZ_MEMLIMIT, LZMA_CONCATENATED) !=
	    LZMA_OK) {
		free(ls);
		return LL_ENOMEM;
	}
	in->cs = ls;
	return 0;
}

static int
xz_decode(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	lzma_stream *ls = in->cs;
	lzma_ret ret;
	size_t feed;
	int rc;

	*got = 0;
	while (*got < cap) {
		if ((rc = raw_need(in)) != 0)
			return rc;
		feed = raw_left(in);
		ls->next_in = raw_ptr(in);
		ls->avail_in = feed;
		ls->next_out = dst + *got;
		ls->avail_out = cap - *got;
		ret = lzma_code(ls, in->raw.eof ? LZMA_FINISH : LZMA_RUN);
		in->raw.pos += feed - ls->avail_in;
		*got = cap - ls->avail_out;
		switch (ret) {
		case LZMA_OK:
			continue;
		case LZMA_STREAM_END:
			in->eos = true;
			return 0;
		case LZMA_BUF_ERROR:
			return trunc_err(in, "xz");
		case LZMA_MEM_ERROR:
			return LL_ENOMEM;
		case LZMA_MEMLIMIT_ERROR:
			input_seterr(in, LL_ELIMIT, "xz: stream needs more than "
			    "%u MiB to decode", XZ_MEMLIMIT >> 20);
			return LL_ELIMIT;
		default:
			input_seterr(in, LL_EFORMAT, "xz: corrupt data (%s) at "
			    "compressed offset %llu", ret == LZMA_FORMAT_ERROR ?
			    "not xz" : ret == LZMA_OPTIONS_ERROR ?
			    "unsupported options" : "data error",
			    (unsigned long long)input_raw_pos(in));
			return LL_EFORMAT;
		}
	}
	return 0;
}

static void
xz_fini(struct input *in)
{
	if (in->cs != NULL)
		lzma_end(in->cs);
	free(in->cs);
	in->cs = NULL;
}

const struct input_codec_ops input_xz_ops = {
	xz_init, xz_decode, xz_fini,
};

/* ---- zstd ----------------------------------------------------------- */

struct zs_state {
	ZSTD_DStream	*ds;
	size_t		 last;		/* last hint: 0 = frame complete */
};

static int
zstd_init(struct input *in)
{
	struct zs_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return LL_ENOMEM;
	if ((s->ds = ZSTD_createDStream()) == NULL) {
		free(s);
		return LL_ENOMEM;
	}
	(void)ZSTD_initDStream(s->ds);
	s->last = 1;
	in->cs = s;
	return 0;
}

static int
zstd_decode(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	struct zs_state *s = in->cs;
	ZSTD_inBuffer ib;
	ZSTD_outBuffer ob;
	size_t ret, feed;
	int rc;

	*got = 0;
	while (*got < cap) {
		if ((rc = raw_need(in)) != 0)
			return rc;
		feed = raw_left(in);
		if (feed == 0 && s->last == 0) {
			in->eos = true;
			return 0;
		}
		ib.src = raw_ptr(in);
		ib.size = feed;
		ib.pos = 0;
		ob.dst = dst;
		/* About one block a call, whatever cap is, so a fault is
		 * found at the same place by every caller. */
		ob.size = cap - *got > ZSTD_BLOCKSIZE_MAX ?
		    *got + ZSTD_BLOCKSIZE_MAX : cap;
		ob.pos = *got;
		ret = ZSTD_decompressStream(s->ds, &ob, &ib);
		in->raw.pos += ib.pos;
		if (ZSTD_isError(ret)) {
			*got = ob.pos;
			rc = ZSTD_getErrorCode(ret) ==
			    ZSTD_error_frameParameter_windowTooLarge ?
			    LL_ELIMIT : LL_EFORMAT;
			input_seterr(in, rc, "zstd: %s at compressed offset "
			    "%llu", ZSTD_getErrorName(ret),
			    (unsigned long long)input_raw_pos(in));
			return rc;
		}
		s->last = ret;
		if (feed == 0 && ob.pos == *got && in->raw.eof)
			return trunc_err(in, "zstd");
		*got = ob.pos;
	}
	return 0;
}

static void
zstd_fini(struct input *in)
{
	struct zs_state *s = in->cs;

	if (s != NULL)
		ZSTD_freeDStream(s->ds);
	free(s);
	in->cs = NULL;
}

const struct input_codec_ops input_zstd_ops = {
	zstd_init, zstd_decode, zstd_fini,
};
