/*
 * Private to the input layer: the handle, the raw (compressed) byte source
 * and the codec interface shared by input.c and input_*.c.
 */
#ifndef LL_UTIL_INPUT_INT_H
#define LL_UTIL_INPUT_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/input.h"

#define INPUT_RAW_BUFSZ		(256u * 1024)	/* compressed read buffer */
#define INPUT_WIN_MIN		(256u * 1024)	/* smallest decoded window */
#define INPUT_ERRMSG_MAX	192
#define INPUT_MAP_DROP		(8u << 20)	/* page-aligned */

/*
 * The raw source: a file descriptor read through a buffer, or a caller's
 * memory block. Only the decoding side (the consumer thread, or the
 * producer thread when one runs) touches it, except raw_read, which the
 * consumer reads for progress.
 */
struct input_raw {
	int		 fd;		/* -1 for memory */
	bool		 own_fd;
	bool		 seekable;	/* fallback may seek back */
	bool		 eof;
	const uint8_t	*p;		/* buffered bytes [pos, len) */
	size_t		 pos;
	size_t		 len;
	uint8_t		*buf;		/* owned buffer behind p (fd) */
	uint64_t	 base;		/* file offset of p[0] */
	_Atomic uint64_t read;		/* bytes read from the file */
	uint64_t	 size;		/* file size, 0 unknown */
};

/*
 * A codec decodes raw bytes into dst. It returns 0 with *got > 0, 0 with
 * *got == 0 at a clean end of stream, or a negative LL_E* code (then *got
 * bytes before the fault are still valid) and fills err/errmsg.
 */
struct input_codec_ops {
	int	(*init)(struct input *in);
	int	(*decode)(struct input *in, uint8_t *dst, size_t cap,
		    size_t *got);
	void	(*fini)(struct input *in);
};

struct input {
	struct input_raw	 raw;
	enum input_codec	 codec;
	const struct input_codec_ops *ops;
	void			*cs;		/* codec state */
	int			 threads;

	/* Decoded window: [start, end) of buf is available. */
	uint8_t			*buf;
	size_t			 cap;
	size_t			 start;
	size_t			 end;
	uint64_t		 off;		/* decoded offset of buf[start] */
	bool			 done;		/* clean end of stream seen */
	bool			 eos;		/* codec: stream ended cleanly */
	int			 err;		/* sticky fault, 0 none */
	char			 errmsg[INPUT_ERRMSG_MAX];
	char			 cmsg[INPUT_ERRMSG_MAX]; /* codec side */

	struct input_pipe	*pipe;		/* decode thread, or NULL */
	void			*map;		/* mapped plain file: buf, cap */
	size_t			 dropped;	/* map bytes given back */
};

/* Raw source (input.c). input_seterr() is for the decoding side (which
 * may be the decode-ahead thread): it writes the codec's message, which the
 * caller's side copies once the error code reaches it. */
int	 input_raw_more(struct input *in);
uint64_t input_raw_pos(const struct input *in);
void	 input_seterr(struct input *in, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* For tests: input_open_mem() with the codec's ops forced (the sniffed
 * codec must match). */
int	 input_open_mem_ops(const void *buf, size_t len,
	    const struct input_codec_ops *ops, struct input **out);

/* Codecs (input_codec.c, input_bz2par.c). */
extern const struct input_codec_ops input_plain_ops;
extern const struct input_codec_ops input_gzip_ops;
extern const struct input_codec_ops input_gzip_zlib_ops;
extern const struct input_codec_ops input_bzip2_ops;
extern const struct input_codec_ops input_bzip2par_ops;
extern const struct input_codec_ops input_xz_ops;
extern const struct input_codec_ops input_zstd_ops;

/* Decode-ahead thread (input_pipe.c). */
int	 input_pipe_start(struct input *in);
int	 input_pipe_fill(struct input *in, uint8_t *dst, size_t cap,
	    size_t *got);
void	 input_pipe_stop(struct input *in);

#endif
