/*
 * The input layer's core: opening, sniffing the codec from magic bytes, the
 * raw read buffer and the decoded window behind input_peek()/consume().
 * The codecs themselves live in input_codec.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "input/input.h"
#include "input/input_int.h"

void
input_seterr(struct input *in, int rc, const char *fmt, ...)
{
	va_list ap;

	(void)rc;
	va_start(ap, fmt);
	vsnprintf(in->cmsg, sizeof(in->cmsg), fmt, ap);
	va_end(ap);
}

/* Offset in the file of the next raw byte the codec will consume. */
uint64_t
input_raw_pos(const struct input *in)
{
	return in->raw.base + in->raw.pos;
}

/*
 * Refills the raw buffer when it is empty. Returns 0 (check raw.eof and
 * raw.pos < raw.len) or LL_EIO. Keeps unconsumed bytes.
 */
int
input_raw_more(struct input *in)
{
	struct input_raw *r = &in->raw;
	size_t keep;
	ssize_t n;

	if (r->eof)
		return 0;
	keep = r->len - r->pos;
	if (keep == INPUT_RAW_BUFSZ)
		return 0;
	if (keep > 0 && r->pos > 0)
		memmove(r->buf, r->buf + r->pos, keep);
	r->base += r->pos;
	r->pos = 0;
	r->len = keep;
	for (;;) {
		n = read(r->fd, r->buf + r->len, INPUT_RAW_BUFSZ - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0) {
		input_seterr(in, LL_EIO, "read error at compressed offset "
		    "%llu: %s", (unsigned long long)(r->base + r->len),
		    strerror(errno));
		return LL_EIO;
	}
	if (n == 0)
		r->eof = true;
	r->len += (size_t)n;
	atomic_fetch_add_explicit(&r->read, (uint64_t)n,
	    memory_order_relaxed);
	return 0;
}

static enum input_codec
sniff(const uint8_t *p, size_t n)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
	static const uint8_t zstd[] = { 0x28, 0xb5, 0x2f, 0xfd };

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return INPUT_GZIP;
	if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' &&
	    p[3] >= '1' && p[3] <= '9')
		return INPUT_BZIP2;
	if (n >= sizeof(xz) && memcmp(p, xz, sizeof(xz)) == 0)
		return INPUT_XZ;
	if (n >= sizeof(zstd) && memcmp(p, zstd, sizeof(zstd)) == 0)
		return INPUT_ZSTD;
	return INPUT_PLAIN;
}

static const struct input_codec_ops *
codec_ops(const struct input *in, enum input_codec c)
{
	switch (c) {
	case INPUT_GZIP:
		return &input_gzip_ops;
	case INPUT_BZIP2:
		/* Blocks in parallel when we can seek back to fall back. */
		if (in->raw.seekable && in->threads != 1)
			return &input_bzip2par_ops;
		return &input_bzip2_ops;
	case INPUT_XZ:
		return &input_xz_ops;
	case INPUT_ZSTD:
		return &input_zstd_ops;
	case INPUT_PLAIN:
		break;
	}
	return &input_plain_ops;
}

static struct input *
input_alloc(void)
{
	struct input *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	in->raw.fd = -1;
	return in;
}

/* Reads until 6 bytes are buffered or the file ends, then sets up the
 * codec (ops, when not NULL, replaces the usual choice). */
static int
input_start(struct input *in, const struct input_codec_ops *ops)
{
	int rc;

	while (!in->raw.eof && in->raw.len < 6)
		if ((rc = input_raw_more(in)) != 0)
			return rc;
	in->codec = sniff(in->raw.p + in->raw.pos, in->raw.len - in->raw.pos);
	in->ops = ops != NULL ? ops : codec_ops(in, in->codec);
	if ((rc = in->ops->init(in)) != 0)
		return rc;
	/* Inflate on a second thread unless told not to; parallel bzip2
	 * has its own workers and plain files gain nothing. */
	if (in->threads != 1 && in->codec != INPUT_PLAIN &&
	    in->ops != &input_bzip2par_ops)
		(void)input_pipe_start(in);
	return 0;
}


/*
 * A plain regular file is mapped and the window is the mapping itself: no
 * read() into a buffer and no copy into the window, which for uncompressed
 * archives was most of the input cost. Compressed files, pipes and files
 * that cannot be mapped take the buffered path. Returns 0 when mapped.
 */
static int
map_plain(struct input *in)
{
	size_t len = (size_t)in->raw.size;
	void *m;

	if ((uint64_t)len != in->raw.size)
		return -1;
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, in->raw.fd, 0);
	if (m == MAP_FAILED)
		return -1;
	if (sniff(m, len < 16 ? len : 16) != INPUT_PLAIN) {
		(void)munmap(m, len);
		return -1;
	}
	(void)madvise(m, len, MADV_SEQUENTIAL);
	in->map = m;
	in->codec = INPUT_PLAIN;
	in->buf = m;
	in->cap = len;
	in->start = 0;
	in->end = len;
	in->done = true;
	in->eos = true;
	in->raw.eof = true;
	in->raw.read = len;
	return 0;
}

int
input_open(const char *path, const struct input_opts *opts,
    struct input **out)
{
	struct input *in;
	struct stat st;
	int rc = LL_ENOMEM, saved;

	*out = NULL;
	if ((in = input_alloc()) == NULL)
		return LL_ENOMEM;
	in->threads = opts != NULL ? opts->threads : 0;
	if (strcmp(path, "-") == 0) {
		in->raw.fd = STDIN_FILENO;
	} else {
		in->raw.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->raw.fd == -1) {
			rc = LL_EIO;
			goto fail;
		}
		in->raw.own_fd = true;
	}
	if (fstat(in->raw.fd, &st) == 0 && S_ISREG(st.st_mode)) {
		in->raw.size = (uint64_t)st.st_size;
		in->raw.seekable = in->raw.own_fd;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	if (in->raw.size > 0)
		(void)posix_fadvise(in->raw.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	if (in->raw.seekable && in->raw.size > 0 && map_plain(in) == 0) {
		*out = in;
		return 0;
	}
	if ((in->raw.buf = malloc(INPUT_RAW_BUFSZ)) == NULL)
		goto fail;
	in->raw.p = in->raw.buf;
	if ((rc = input_start(in, NULL)) != 0)
		goto fail;
	*out = in;
	return 0;
fail:
	saved = errno;
	input_free(in);
	errno = saved;
	return rc;
}

int
input_open_mem(const void *buf, size_t len, struct input **out)
{
	return input_open_mem_ops(buf, len, NULL, out);
}

int
input_open_mem_ops(const void *buf, size_t len,
    const struct input_codec_ops *ops, struct input **out)
{
	struct input *in;
	int rc;

	*out = NULL;
	if ((in = input_alloc()) == NULL)
		return LL_ENOMEM;
	in->threads = 1;
	in->raw.p = buf;
	in->raw.len = len;
	in->raw.eof = true;
	in->raw.size = len;
	in->raw.read = len;
	in->raw.seekable = true;
	if ((rc = input_start(in, ops)) != 0) {
		input_free(in);
		return rc;
	}
	*out = in;
	return 0;
}

/* Makes room for `want` bytes from start: compacts, then grows. */
static int
window_reserve(struct input *in, size_t want)
{
	size_t have = in->end - in->start, ncap;
	uint8_t *nbuf;

	if (in->start > 0 && (in->cap - in->start < want ||
	    in->cap - in->end < INPUT_WIN_MIN / 4)) {
		if (have > 0)
			memmove(in->buf, in->buf + in->start, have);
		in->start = 0;
		in->end = have;
	}
	if (in->cap >= want && in->buf != NULL)
		return 0;
	ncap = in->cap > 0 ? in->cap : INPUT_WIN_MIN;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2) {
			ncap = want;
			break;
		}
		ncap *= 2;
	}
	if ((nbuf = realloc(in->buf, ncap)) == NULL)
		return LL_ENOMEM;
	in->buf = nbuf;
	in->cap = ncap;
	return 0;
}

static int
window_fill(struct input *in)
{
	size_t got = 0;
	int rc;

	if (in->pipe == NULL && in->eos)
		rc = 0;
	else if (in->pipe != NULL)
		rc = input_pipe_fill(in, in->buf + in->end, in->cap - in->end,
		    &got);
	else
		rc = in->ops->decode(in, in->buf + in->end,
		    in->cap - in->end, &got);
	in->end += got;
	if (rc < 0) {
		if (in->cmsg[0] != '\0')
			memcpy(in->errmsg, in->cmsg, sizeof(in->errmsg));
		else
			snprintf(in->errmsg, sizeof(in->errmsg), "%s: %s",
			    input_codec_name(in->codec), ll_strerror(rc));
		in->err = rc;
	} else if (got == 0) {
		in->done = true;
	}
	return rc;
}

int
input_peek(struct input *in, size_t want, const uint8_t **p, size_t *avail)
{
	size_t room = want;
	int rc = 0;

	/* A plain input of known size never has more than the rest of it
	 * to give: a window for a bigger want is room nothing will fill (a
	 * reader's 1 MiB resynchronisation window over a 64 KiB buffer was
	 * most of a fuzzing run's time). */
	if (in->codec == INPUT_PLAIN && in->raw.size > 0 &&
	    in->raw.size >= in->off && in->raw.size - in->off < room)
		room = in->raw.size - in->off > 0 ?
		    (size_t)(in->raw.size - in->off) : 1;
	while (in->end - in->start < want && !in->done && in->err == 0) {
		if ((rc = window_reserve(in, room)) != 0) {
			/* Not sticky: a smaller want may still work. */
			snprintf(in->errmsg, sizeof(in->errmsg), "cannot hold "
			    "a window of %zu bytes", want);
			break;
		}
		(void)window_fill(in);
	}
	*p = in->buf != NULL ? in->buf + in->start : (const uint8_t *)"";
	*avail = in->end - in->start;
	if (*avail >= want)
		return 0;
	if (rc != 0)
		return rc;
	return in->err;
}

void
input_consume(struct input *in, size_t n)
{
	size_t have = in->end - in->start;

	if (n > have)
		n = have;
	in->start += n;
	in->off += n;
	if (in->map != NULL) {
		/* Give back the pages behind the cursor every 8 MiB, so
		 * memory stays bounded on archives of any size. */
		size_t drop = in->start & ~(size_t)(INPUT_MAP_DROP - 1);
		if (drop > in->dropped + INPUT_MAP_DROP) {
			drop -= INPUT_MAP_DROP;	/* keep a margin */
			(void)madvise((uint8_t *)in->map + in->dropped,
			    drop - in->dropped, MADV_DONTNEED);
			in->dropped = drop;
		}
	} else if (in->start == in->end)
		in->start = in->end = 0;
}

bool
input_mapped(const struct input *in)
{
	/* pages given back behind the cursor (MADV_DONTNEED) are read
	 * again from the file when touched: the mapping stays whole */
	return in->map != NULL;
}

uint64_t
input_offset(const struct input *in)
{
	return in->off;
}

uint64_t
input_raw_offset(const struct input *in)
{
	if (in->map != NULL)
		return in->off;		/* mapped: the file is the stream */
	return atomic_load_explicit(&in->raw.read, memory_order_relaxed);
}

uint64_t
input_raw_size(const struct input *in)
{
	return in->raw.size;
}

enum input_codec
input_codec(const struct input *in)
{
	return in->codec;
}

const char *
input_codec_name(enum input_codec c)
{
	switch (c) {
	case INPUT_PLAIN:
		return "plain";
	case INPUT_GZIP:
		return "gzip";
	case INPUT_BZIP2:
		return "bzip2";
	case INPUT_XZ:
		return "xz";
	case INPUT_ZSTD:
		return "zstd";
	}
	return "unknown";
}

const char *
input_errmsg(const struct input *in)
{
	if (in == NULL)
		return "";
	return in->errmsg;
}

void
input_free(struct input *in)
{
	if (in == NULL)
		return;
	if (in->pipe != NULL)
		input_pipe_stop(in);
	if (in->ops != NULL && in->ops->fini != NULL)
		in->ops->fini(in);
	if (in->raw.own_fd)
		(void)close(in->raw.fd);
	free(in->raw.buf);
	if (in->map != NULL)
		(void)munmap(in->map, in->cap);
	else
		free(in->buf);
	free(in);
}
