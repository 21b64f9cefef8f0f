/*
 * Reading archives: one streaming byte source over plain, gzip, bzip2, xz
 * and zstd files, with the codec chosen by magic bytes, never by name.
 *
 * The consumer asks for a contiguous window with input_peek() and advances
 * with input_consume(); memory stays bounded by the largest window asked
 * for (capped by the caller) plus the codec's buffers, whatever the size of
 * the file. Decompression may run on a second thread (bzip2 blocks are
 * inflated in parallel) while the caller decodes.
 */
#ifndef LL_UTIL_INPUT_H
#define LL_UTIL_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct input;

enum input_codec {
	INPUT_PLAIN,
	INPUT_GZIP,
	INPUT_BZIP2,
	INPUT_XZ,
	INPUT_ZSTD,
};

/*
 * threads: 1 decodes everything on the caller's thread; 0 (auto) or more
 * runs the codec on a decode-ahead thread and, for bzip2 files that can
 * be seeked (not pipes), inflates blocks on that many worker threads (auto:
 * one a CPU). Results (bytes, codes, messages) never depend on it.
 */
struct input_opts {
	int	threads;	/* decompression worker threads; 0 = auto */
};

/*
 * Opens path ("-" is standard input) and sniffs the codec from the first
 * bytes. opts may be NULL. On success *out owns the file; free it with
 * input_free(). Returns 0, LL_EIO (errno is kept) or LL_ENOMEM.
 */
int	 input_open(const char *path, const struct input_opts *opts,
	    struct input **out);

/* Same over a caller-owned buffer, which must outlive the input (tests,
 * fuzzing). The codec is sniffed as for files; decoding stays on the
 * caller's thread. Returns 0 or LL_ENOMEM. */
int	 input_open_mem(const void *buf, size_t len, struct input **out);

/*
 * Makes at least `want` contiguous decoded bytes available at the cursor,
 * or fewer only when the stream ends. Sets *p and *avail (avail may exceed
 * want). Returns 0; at a clean end of stream 0 with *avail < want (possibly
 * 0). Returns LL_ETRUNC when the compressed stream ends early, LL_EFORMAT
 * when it is corrupt, LL_EIO on a read error: in each case every byte that
 * could be decoded before the fault has been delivered by earlier calls
 * (and *avail bytes of it are still available now). Once returned, the
 * fault is sticky. Returns LL_ENOMEM, not sticky, when a window of `want`
 * bytes cannot be allocated (the caller caps want).
 */
int	 input_peek(struct input *in, size_t want, const uint8_t **p,
	    size_t *avail);

/* Advances the cursor by n <= the last *avail. */
void	 input_consume(struct input *in, size_t n);

/* Decoded bytes consumed so far: the offset of the cursor in the stream. */
uint64_t input_offset(const struct input *in);

/* Compressed bytes read from the file so far (for progress). */
uint64_t input_raw_offset(const struct input *in);

/* True when the input is a plain file mapped whole: then every window
 * input_peek() gave stays readable, unchanged, until input_free(), so a
 * consumer may keep pointers into it instead of copying. */
bool	 input_mapped(const struct input *in);

/* Size of the underlying file, or 0 when unknown (pipe, stdin). */
uint64_t input_raw_size(const struct input *in);

enum input_codec input_codec(const struct input *in);
const char *input_codec_name(enum input_codec c);

/* A one-line description of the last error ("bzip2: data integrity error
 * at compressed offset 1048576"), or "" when none. Owned by in. */
const char *input_errmsg(const struct input *in);

/* Safe to call with NULL. */
void	 input_free(struct input *in);

#endif
