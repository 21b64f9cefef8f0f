#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("lifeline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("lifeline: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
		    label, 100.0 * (double)done / (double)total, mb, secs);
	else
		p->width = fprintf(stderr, "\r%s: %.1f MB, %.1f s   ", label,
		    mb, secs);
}

void
progress_done(struct progress *p)
{
	if (!p->tty || p->width <= 0)
		return;
	fprintf(stderr, "\r%*s\r", p->width, "");
	p->width = 0;
}
