/*
 * Parallel bzip2: a bzip2 stream is a byte-aligned "BZh<level>" header and
 * a run of bit-aligned blocks, each starting with the 48-bit magic
 * 0x314159265359 and its 32-bit CRC, closed by the 48-bit end-of-stream
 * magic 0x177245385090 and the combined CRC. We scan for the magics, cut
 * each block out into a standalone one-block stream (header, the block's
 * bits shifted to byte alignment, an end marker whose combined CRC is the
 * block CRC), inflate those with libbz2 on worker threads and deliver the
 * output in order, while the caller decodes the previous block.
 *
 * Anything unexpected (a worker error, a stream that ends early, a block
 * larger than the cap, garbage after a stream, a combined CRC mismatch, a
 * magic found by chance inside a block) falls back to the sequential
 * decoder from the start of the current stream, skipping what was already
 * delivered, so faults are reported exactly as the sequential decoder does
 * and the delivered bytes are the same. Used only on seekable inputs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>

#include "util/err.h"
#include "input/input_int.h"

#define BLOCK_MAGIC	0x314159265359ull
#define EOS_MAGIC	0x177245385090ull
#define SEG_MAX		(8u * 1024 * 1024)	/* compressed block cap */
#define OUT_MAX		(50u * 1024 * 1024)	/* 900k block x 51 (RLE1) */
#define MAX_WORKERS	16

enum job_state { J_FREE, J_QUEUED, J_RUNNING, J_DONE, J_FALLBACK };

struct job {
	enum job_state	 state;
	int		 level;
	uint8_t		*in;		/* standalone stream */
	size_t		 in_len, in_cap;
	uint8_t		*out;
	size_t		 out_len, out_cap, out_pos;
	bool		 ok;
	bool		 tail;		/* the last, cut-off block: no end */
	uint64_t	 stream_start;	/* file offset of the stream header */
};

enum split_state { S_HEADER, S_BLOCK, S_END };

struct bzp {
	/* Splitter: raw bytes [sb_off, sb_off + sb_len) of the file. */
	uint8_t		*sb;
	size_t		 sb_len, sb_cap;
	uint64_t	 sb_off;
	uint64_t	 cur;		/* bit (from sb[0]) of the open block */
	uint64_t	 scan;		/* next bit to search from */
	enum split_state st;
	int		 level;
	uint32_t	 combined;	/* combined CRC of this stream so far */
	uint64_t	 stream_start;

	/* Delivery. */
	uint64_t	 deliv_stream;	/* stream of the bytes delivered last */
	uint64_t	 deliv_out;	/* bytes delivered from that stream */

	/* Jobs, a ring in file order: [head, tail) submitted. */
	struct job	*jobs;
	size_t		 njobs, head, tail, claim;
	pthread_mutex_t	 mu;
	pthread_cond_t	 work, done;
	bool		 quit;
	pthread_t	 tid[MAX_WORKERS];
	int		 nworkers;
};

/* Bit s: a block magic at shift s would put this value in its second
 * byte; bit 8+s: the same for the end-of-stream magic. */
static uint16_t magic_tab[256];
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;

static void
magic_tab_init(void)
{
	for (int s = 0; s < 8; s++) {
		magic_tab[(BLOCK_MAGIC >> (32 + s)) & 0xff] |=
		    (uint16_t)(1u << s);
		magic_tab[(EOS_MAGIC >> (32 + s)) & 0xff] |=
		    (uint16_t)(1u << (8 + s));
	}
}

/* The 48 bits at bit q; the buffer has 8 slack bytes past sb_len. */
static uint64_t
bits48(const uint8_t *b, uint64_t q)
{
	const uint8_t *p = b + q / 8;
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (v << (q % 8)) >> 16;
}

static uint32_t
bits32(const uint8_t *b, uint64_t q)
{
	return (uint32_t)(bits48(b, q) >> 16);
}

/*
 * Finds the first block or end-of-stream magic at bit >= from whose 48
 * bits lie within the first n bytes. Returns its bit offset and sets *eos,
 * or UINT64_MAX (then *resume is where to search from next time).
 */
static uint64_t
find_magic(const uint8_t *b, size_t n, uint64_t from, bool *eos,
    uint64_t *resume)
{
	size_t j = (size_t)(from / 8) + 1;

	/* A magic at bit 8(j-1)+s has its byte j equal to a table entry;
	 * it needs bytes j-1 .. j+5. */
	for (; j + 5 < n; j++) {
		unsigned t = magic_tab[b[j]];

		if (t == 0)
			continue;
		t = (t | t >> 8) & 0xff;
		for (int s = 0; s < 8; s++) {
			uint64_t q = 8 * (uint64_t)(j - 1) + (uint64_t)s;
			uint64_t v;

			if (q < from || !(t & (1u << s)))
				continue;
			v = bits48(b, q);
			if (v == BLOCK_MAGIC || v == EOS_MAGIC) {
				*eos = v == EOS_MAGIC;
				return q;
			}
		}
	}
	*resume = j > 0 ? 8 * (uint64_t)(j - 1) : 0;
	if (*resume < from)
		*resume = from;
	return UINT64_MAX;
}

/* ---- building the standalone stream --------------------------------- */

struct bitw {
	uint8_t		*p;
	size_t		 n;		/* whole bytes written */
	uint64_t	 acc;
	unsigned	 nacc;
};

static void
bitw_put(struct bitw *w, uint64_t v, unsigned nbits)
{
	w->acc = w->acc << nbits | (v & ((1ull << nbits) - 1));
	w->nacc += nbits;
	while (w->nacc >= 8) {
		w->nacc -= 8;
		w->p[w->n++] = (uint8_t)(w->acc >> w->nacc);
	}
}

static void
bitw_flush(struct bitw *w)
{
	if (w->nacc > 0)
		w->p[w->n++] = (uint8_t)(w->acc << (8 - w->nacc));
	w->nacc = 0;
}

/* The bits [from, to) of sb as a one-block stream with its own end. */
static int
job_build(struct job *j, const uint8_t *sb, uint64_t from, uint64_t to,
    int level, uint32_t crc)
{
	uint64_t nb = to - from;
	size_t need = 4 + (size_t)((nb + 80 + 7) / 8) + 1, nfull, a, k;
	unsigned s = (unsigned)(from % 8);
	struct bitw w;

	if (need > j->in_cap) {
		uint8_t *p = realloc(j->in, need);

		if (p == NULL)
			return LL_ENOMEM;
		j->in = p;
		j->in_cap = need;
	}
	memcpy(j->in, "BZh", 3);
	j->in[3] = (uint8_t)('0' + level);
	nfull = (size_t)(nb / 8);
	a = (size_t)(from / 8);
	if (s == 0) {
		memcpy(j->in + 4, sb + a, nfull);
	} else {
		for (k = 0; k < nfull; k++)
			j->in[4 + k] = (uint8_t)(sb[a + k] << s |
			    sb[a + k + 1] >> (8 - s));
	}
	w.p = j->in;
	w.n = 4 + nfull;
	w.acc = 0;
	w.nacc = 0;
	if (nb % 8 != 0)
		bitw_put(&w, bits48(sb, from + 8 * (uint64_t)nfull) >> 40 >>
		    (8 - nb % 8), (unsigned)(nb % 8));
	if (!j->tail) {
		bitw_put(&w, EOS_MAGIC >> 24, 24);
		bitw_put(&w, EOS_MAGIC, 24);
		bitw_put(&w, crc, 32);
	}
	bitw_flush(&w);
	j->in_len = w.n;
	j->level = level;
	return 0;
}

/* Inflates one standalone stream on a worker. */
static void
job_run(struct job *j)
{
	bz_stream bs;
	int ret;

	j->ok = false;
	j->out_len = j->out_pos = 0;
	memset(&bs, 0, sizeof(bs));
	if (BZ2_bzDecompressInit(&bs, 0, 0) != BZ_OK)
		return;
	bs.next_in = (char *)j->in;
	bs.avail_in = (unsigned)j->in_len;
	for (;;) {
		if (j->out_len == j->out_cap) {
			size_t ncap = j->out_cap == 0 ? (size_t)j->level *
			    200000 : j->out_cap * 2;
			uint8_t *p;

			if (ncap > OUT_MAX)
				ncap = OUT_MAX;
			if (ncap <= j->out_cap ||
			    (p = realloc(j->out, ncap)) == NULL)
				break;
			j->out = p;
			j->out_cap = ncap;
		}
		bs.next_out = (char *)j->out + j->out_len;
		bs.avail_out = (unsigned)(j->out_cap - j->out_len);
		ret = BZ2_bzDecompress(&bs);
		j->out_len = j->out_cap - bs.avail_out;
		if (ret == BZ_STREAM_END) {
			j->ok = !j->tail;
			break;
		}
		if (ret != BZ_OK || (bs.avail_in == 0 && bs.avail_out > 0)) {
			/* A cut-off block decodes to nothing and simply
			 * runs out of input; anything else is for the
			 * sequential decoder to explain. */
			j->ok = j->tail && ret == BZ_OK && bs.avail_in == 0 &&
			    j->out_len == 0;
			break;
		}
	}
	BZ2_bzDecompressEnd(&bs);
}

static void *
worker(void *arg)
{
	struct bzp *z = arg;
	struct job *j;

	pthread_mutex_lock(&z->mu);
	for (;;) {
		while (!z->quit && z->claim == z->tail)
			pthread_cond_wait(&z->work, &z->mu);
		if (z->quit)
			break;
		j = &z->jobs[z->claim++ % z->njobs];
		if (j->state != J_QUEUED)
			continue;
		j->state = J_RUNNING;
		pthread_mutex_unlock(&z->mu);
		job_run(j);
		pthread_mutex_lock(&z->mu);
		j->state = J_DONE;
		pthread_cond_broadcast(&z->done);
	}
	pthread_mutex_unlock(&z->mu);
	return NULL;
}

/* ---- the splitter (runs on the decoding thread) ---------------------- */

/* Appends raw bytes to sb, dropping what is before byte `keep`. Returns 0,
 * 1 at the end of the file, or LL_EIO / LL_ENOMEM. */
static int
sb_more(struct input *in, struct bzp *z, size_t keep)
{
	size_t k;
	int rc;

	if (keep > 0) {
		memmove(z->sb, z->sb + keep, z->sb_len - keep);
		z->sb_len -= keep;
		z->sb_off += keep;
		z->cur -= 8 * (uint64_t)keep;
		z->scan = z->scan > 8 * (uint64_t)keep ?
		    z->scan - 8 * (uint64_t)keep : 0;
	}
	if (in->raw.pos == in->raw.len) {
		if (in->raw.eof)
			return 1;
		if ((rc = input_raw_more(in)) != 0)
			return rc;
		if (in->raw.pos == in->raw.len)
			return 1;
	}
	k = in->raw.len - in->raw.pos;
	if (z->sb_len + k + 8 > z->sb_cap) {
		size_t ncap = z->sb_cap * 2;
		uint8_t *p;

		while (ncap < z->sb_len + k + 8)
			ncap *= 2;
		if ((p = realloc(z->sb, ncap)) == NULL)
			return LL_ENOMEM;
		z->sb = p;
		z->sb_cap = ncap;
	}
	memcpy(z->sb + z->sb_len, in->raw.p + in->raw.pos, k);
	in->raw.pos += k;
	z->sb_len += k;
	memset(z->sb + z->sb_len, 0, 8);
	return 0;
}

/* Queues a slot: a block (from/to set) or a fallback marker. */
static int
submit(struct bzp *z, bool fallback, uint64_t from, uint64_t to,
    uint32_t crc, uint64_t stream_start)
{
	struct job *j = &z->jobs[z->tail % z->njobs];
	int rc = 0;

	j->tail = false;
	if (!fallback && (rc = job_build(j, z->sb, from, to, z->level,
	    crc)) != 0)
		fallback = true;
	j->stream_start = stream_start;
	pthread_mutex_lock(&z->mu);
	j->state = fallback ? J_FALLBACK : J_QUEUED;
	z->tail++;
	if (fallback)
		z->st = S_END;
	else
		pthread_cond_signal(&z->work);
	pthread_mutex_unlock(&z->mu);
	return 0;
}

/* The file ends inside the open block: check on a worker that the block
 * is merely cut off (it then decodes to nothing), and end there. */
static int
submit_tail(struct bzp *z)
{
	struct job *j = &z->jobs[z->tail % z->njobs];

	j->tail = true;
	j->stream_start = z->stream_start;
	if (job_build(j, z->sb, z->cur, 8 * (uint64_t)z->sb_len, z->level,
	    0) != 0)
		j->tail = false;
	pthread_mutex_lock(&z->mu);
	j->state = j->tail ? J_QUEUED : J_FALLBACK;
	z->tail++;
	z->st = S_END;
	pthread_cond_signal(&z->work);
	pthread_mutex_unlock(&z->mu);
	return 0;
}

/* Ensures sb holds bit `bit` + 48 (plus its stream's context); 0, 1 at
 * EOF, or < 0. */
static int
sb_need(struct input *in, struct bzp *z, uint64_t bit)
{
	int rc;

	while (z->sb_len * 8 < bit)
		if ((rc = sb_more(in, z, 0)) != 0)
			return rc;
	return 0;
}

/* At the start of a stream: header, then the first magic. */
static int
split_header(struct input *in, struct bzp *z, uint64_t prev)
{
	size_t rel = (size_t)(z->stream_start - z->sb_off);
	uint64_t v;
	int rc;

	rc = sb_need(in, z, 8 * (uint64_t)rel + 1);
	if (rc < 0)
		return rc;
	if (rc == 1 && z->sb_len == rel) {
		z->st = S_END;		/* clean end of file */
		return 0;
	}
	if ((rc = sb_need(in, z, 8 * (uint64_t)(rel + 10))) < 0)
		return rc;
	if (rc == 1 || memcmp(z->sb + rel, "BZh", 3) != 0 ||
	    z->sb[rel + 3] < '1' || z->sb[rel + 3] > '9')
		return submit(z, true, 0, 0, 0, prev);
	z->level = z->sb[rel + 3] - '0';
	z->combined = 0;
	z->cur = 8 * (uint64_t)(rel + 4);
	v = bits48(z->sb, z->cur);
	if (v != BLOCK_MAGIC && v != EOS_MAGIC)
		return submit(z, true, 0, 0, 0, z->stream_start);
	z->scan = z->cur + 80;
	z->st = S_BLOCK;
	return 0;
}

/* After the end-of-stream magic at bit m. */
static int
split_eos(struct input *in, struct bzp *z, uint64_t m)
{
	uint64_t start = z->stream_start;
	int rc;

	if ((rc = sb_need(in, z, m + 80)) < 0)
		return rc;
	if (rc == 1 || bits32(z->sb, m + 48) != z->combined)
		return submit(z, true, 0, 0, 0, start);
	z->stream_start = z->sb_off + (m + 80 + 7) / 8;
	z->st = S_HEADER;
	return split_header(in, z, start);
}

/* Finds the next block and queues it (or a fallback marker). */
static int
split_next(struct input *in, struct bzp *z)
{
	uint64_t m, resume = 0;	/* set by find_magic when it finds none */
	uint32_t crc;
	bool eos;
	int rc;

	if (z->st == S_HEADER)
		return split_header(in, z, z->stream_start);
	if (bits48(z->sb, z->cur) == EOS_MAGIC)
		return split_eos(in, z, z->cur);
	for (;;) {
		m = find_magic(z->sb, z->sb_len, z->scan, &eos, &resume);
		if (m != UINT64_MAX)
			break;
		z->scan = resume;
		if (z->sb_len - z->cur / 8 > SEG_MAX)
			return submit(z, true, 0, 0, 0, z->stream_start);
		rc = sb_more(in, z, (size_t)(z->cur / 8));
		if (rc < 0)
			return rc;
		if (rc == 1)	/* ends inside a block */
			return submit_tail(z);
	}
	crc = bits32(z->sb, z->cur + 48);
	z->combined = (z->combined << 1 | z->combined >> 31) ^ crc;
	if ((rc = submit(z, false, z->cur, m, crc, z->stream_start)) != 0)
		return rc;
	if (z->st == S_END)
		return 0;
	z->cur = m;
	z->scan = m + 80;
	if (eos)
		return split_eos(in, z, m);
	return 0;
}

/* ---- delivery ------------------------------------------------------- */

static void
workers_stop(struct bzp *z)
{
	pthread_mutex_lock(&z->mu);
	z->quit = true;
	pthread_cond_broadcast(&z->work);
	pthread_mutex_unlock(&z->mu);
	for (int i = 0; i < z->nworkers; i++)
		pthread_join(z->tid[i], NULL);
	z->nworkers = 0;
}

static void
bzp_free(struct bzp *z)
{
	if (z == NULL)
		return;
	workers_stop(z);
	for (size_t i = 0; z->jobs != NULL && i < z->njobs; i++) {
		free(z->jobs[i].in);
		free(z->jobs[i].out);
	}
	free(z->jobs);
	free(z->sb);
	pthread_mutex_destroy(&z->mu);
	pthread_cond_destroy(&z->work);
	pthread_cond_destroy(&z->done);
	free(z);
}

/*
 * Hands over to the sequential decoder from the stream at `start`,
 * dropping the `skip` bytes of it already delivered, and decodes on.
 */
static int
fallback(struct input *in, uint64_t start, uint64_t skip, uint8_t *dst,
    size_t cap, size_t *got)
{
	struct input_raw *r = &in->raw;
	size_t n;
	int rc;

	bzp_free(in->cs);
	in->cs = NULL;
	in->ops = &input_bzip2_ops;
	if (r->fd == -1) {
		r->pos = (size_t)start;
	} else {
		if (lseek(r->fd, (off_t)start, SEEK_SET) == -1) {
			input_seterr(in, LL_EIO, "bzip2: cannot seek back to "
			    "offset %llu: %s", (unsigned long long)start,
			    strerror(errno));
			return LL_EIO;
		}
		r->base = start;
		r->pos = r->len = 0;
		r->eof = false;
		atomic_store(&r->read, start);
	}
	if ((rc = in->ops->init(in)) != 0)
		return rc;
	while (skip > 0) {
		n = cap < skip ? cap : (size_t)skip;
		rc = in->ops->decode(in, dst, n, got);
		skip -= *got;
		if (rc != 0 || *got == 0) {
			*got = 0;
			if (rc == 0)
				input_seterr(in, rc = LL_EFORMAT, "bzip2: "
				    "stream changed while reading");
			return rc;
		}
	}
	return in->ops->decode(in, dst, cap, got);
}

static int
bzp_decode(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	struct bzp *z = in->cs;
	struct job *j;
	size_t n;
	int rc;

	*got = 0;
	while (*got < cap) {
		while (z->tail - z->head < z->njobs && z->st != S_END)
			if ((rc = split_next(in, z)) != 0)
				return rc;
		if (z->head == z->tail) {
			in->eos = true;
			return 0;
		}
		j = &z->jobs[z->head % z->njobs];
		pthread_mutex_lock(&z->mu);
		if (*got > 0 && j->state != J_DONE && j->state != J_FALLBACK) {
			pthread_mutex_unlock(&z->mu);
			return 0;	/* deliver what we have meanwhile */
		}
		while (j->state != J_DONE && j->state != J_FALLBACK)
			pthread_cond_wait(&z->done, &z->mu);
		pthread_mutex_unlock(&z->mu);
		if (j->state == J_FALLBACK || !j->ok) {
			uint64_t skip;

			if (*got > 0)
				return 0;
			skip = j->stream_start == z->deliv_stream ?
			    z->deliv_out : 0;
			return fallback(in, j->stream_start, skip, dst, cap,
			    got);
		}
		if (j->tail) {
			if (*got > 0)
				return 0;
			input_seterr(in, LL_ETRUNC, "bzip2: compressed stream "
			    "ends early at compressed offset %llu",
			    (unsigned long long)input_raw_pos(in));
			return LL_ETRUNC;
		}
		if (j->stream_start != z->deliv_stream) {
			z->deliv_stream = j->stream_start;
			z->deliv_out = 0;
		}
		n = j->out_len - j->out_pos;
		if (n > cap - *got)
			n = cap - *got;
		memcpy(dst + *got, j->out + j->out_pos, n);
		j->out_pos += n;
		*got += n;
		z->deliv_out += n;
		if (j->out_pos == j->out_len) {
			pthread_mutex_lock(&z->mu);
			j->state = J_FREE;
			z->head++;
			pthread_mutex_unlock(&z->mu);
		}
	}
	return 0;
}

static int
bzp_init(struct input *in)
{
	struct bzp *z;
	long ncpu;
	int nw = in->threads;

	if (nw <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nw = ncpu > 0 ? (int)ncpu : 1;
	}
	if (nw > MAX_WORKERS)
		nw = MAX_WORKERS;
	(void)pthread_once(&magic_once, magic_tab_init);
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return LL_ENOMEM;
	pthread_mutex_init(&z->mu, NULL);
	pthread_cond_init(&z->work, NULL);
	pthread_cond_init(&z->done, NULL);
	/* Enough to keep every worker busy while one block is delivered;
	 * each slot may hold a 50 MiB block, so keep it small. */
	z->njobs = (size_t)nw + 2;
	z->sb_cap = 2 * INPUT_RAW_BUFSZ;
	z->jobs = calloc(z->njobs, sizeof(*z->jobs));
	z->sb = calloc(1, z->sb_cap);
	z->deliv_stream = UINT64_MAX;
	z->st = S_HEADER;
	if (z->jobs == NULL || z->sb == NULL) {
		bzp_free(z);
		return LL_ENOMEM;
	}
	for (int i = 0; i < nw; i++) {
		if (pthread_create(&z->tid[z->nworkers], NULL, worker, z) != 0)
			break;
		z->nworkers++;
	}
	if (z->nworkers == 0) {
		bzp_free(z);
		in->ops = &input_bzip2_ops;
		return in->ops->init(in);
	}
	in->cs = z;
	return 0;
}

static void
bzp_fini(struct input *in)
{
	bzp_free(in->cs);
	in->cs = NULL;
}

const struct input_codec_ops input_bzip2par_ops = {
	bzp_init, bzp_decode, bzp_fini,
};
