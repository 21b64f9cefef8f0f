#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"

/*
 * Writes s into dst (cap > 4 bytes, NUL-terminated) with control bytes,
 * DEL and backslash as C escapes: \n \r \t \\ and \xHH for the rest. A
 * name that does not fit ends in "...". Returns dst.
 */
static char *
esc_into(char *dst, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char e[5];
		size_t n = 0;

		if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
			e[n++] = '\\';
			e[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ?
			    't' : '\\';
		} else if (c < 0x20 || c == 0x7f) {
			e[n++] = '\\';
			e[n++] = 'x';
			e[n++] = hex[c >> 4];
			e[n++] = hex[c & 15];
		} else
			e[n++] = (char)c;
		if (k + n + 4 > cap) {
			memcpy(dst + k, "...", 3);
			k += 3;
			break;
		}
		memcpy(dst + k, e, n);
		k += n;
	}
	dst[k] = '\0';
	return dst;
}

const char *
cli_esc(const char *s)
{
	static char buf[4][4 * 4096 + 8];
	static unsigned i;

	i = (i + 1) % 4;
	return esc_into(buf[i], sizeof(buf[i]), s != NULL ? s : "(null)");
}

/* Prints prefix and the message, escaped (it is one line: a newline or
 * an escape sequence in it came from a name), and a newline. */
static void	cli_vline(const char *prefix, const char *fmt, va_list ap)
		    __attribute__((format(printf, 2, 0)));

static void
cli_vline(const char *prefix, const char *fmt, va_list ap)
{
	static char msg[8192], out[4 * 8192 + 8];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s%s\n", prefix, esc_into(out, sizeof(out), msg));
}

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vline("lifeline: ", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vline("lifeline: warning: ", fmt, ap);
	va_end(ap);
}

const char *
cli_db_url(const char *opt)
{
	const char *env;

	if (opt != NULL)
		return opt;	/* even "": store_open() refuses it */
	env = getenv("LIFELINE_DB");
	if (env != NULL && *env != '\0')
		return env;
	return "lifeline.db";
}

const char *
cli_cache_dir(void)
{
	static char buf[4096];
	const char *env = getenv("LIFELINE_CACHE_DIR");

	if (env != NULL)
		return *env != '\0' ? env : NULL;
	if ((env = getenv("XDG_CACHE_HOME")) != NULL && *env == '/') {
		snprintf(buf, sizeof(buf), "%s/lifeline", env);
		return buf;
	}
	if ((env = getenv("HOME")) != NULL && *env == '/') {
		snprintf(buf, sizeof(buf), "%s/.cache/lifeline", env);
		return buf;
	}
	return NULL;
}

bool
cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
progress_init(struct progress *p)
{
	p->tty = isatty(STDERR_FILENO) && getenv("LIFELINE_NO_PROGRESS") == NULL;
	p->last_ms = 0;
	p->start_ms = now_ms();
	p->width = 0;
}

void
progress_update(struct progress *p, const char *label, uint64_t done,
    uint64_t total)
{
	int64_t t;
	double secs, mb = (double)done / 1e6;

	if (!p->tty)
		return;
	t = now_ms();
	if (t - p->last_ms < 100)
		return;
	p->last_ms = t;
	secs = (double)(t - p->start_ms) / 1000.0;
	if (total > 0)
		p->width = fprintf(stderr, "\r%s: %5.1f%% %.1f MB, %.1f s   ",
		    cli_esc(label), 100.0 * (double)done / (double)total, mb, secs);
	else
		p->width = fprintf(stderr, "\r%s: %.1f MB, %.1f s   ",
		    cli_esc(label), mb, secs);
}

void
progress_done(struct progress *p)
{
	if (!p->tty || p->width <= 0)
		return;
	fprintf(stderr, "\r%*s\r", p->width, "");
	p->width = 0;
}
