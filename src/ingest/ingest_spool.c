/*
 * Input that is not a regular file, read once into a temporary file.
 *
 * A replay opens each file twice (a peek at its first record, then the
 * replay) and ingest hashes it besides: a pipe's second reader would see
 * nothing, a FIFO's would wait forever. Such input is copied once, as it
 * comes, into a temporary file unlinked at once (nothing stays on disk,
 * even after a crash), which every reader then opens as /dev/fd/N.
 * Regular files are never copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "util/err.h"

#define SPOOL_BUF	((size_t)1 << 20)
#define SPOOL_PATH	32		/* "/dev/fd/N" */

struct ingest_spool {
	size_t		  n;
	const char	**paths;	/* what to open */
	int		 *fd;		/* the copies, -1 for none */
	char		(*name)[SPOOL_PATH];
	size_t		  copies;
};

static int
spool_err(char *err, size_t len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
spool_err(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Copies src (to its end) into the temporary file tmp. */
static int
copy_all(int src, int tmp, uint64_t max, const char *path, const char *dir,
    uint8_t *buf, char *err, size_t errlen)
{
	uint64_t total = 0;
	ssize_t n;

	for (;;) {
		n = read(src, buf, SPOOL_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return spool_err(err, errlen, LL_EIO, "%s: %s", path,
			    strerror(errno));
		if (n == 0)
			return 0;
		total += (uint64_t)n;
		if (total > max)
			return spool_err(err, errlen, LL_ELIMIT, "%s: more than "
			    "%llu bytes through a pipe (the limit of what is "
			    "read once into %s); give a regular file", path,
			    (unsigned long long)max, dir);
		for (size_t off = 0; off < (size_t)n;) {
			ssize_t w = write(tmp, buf + off, (size_t)n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return spool_err(err, errlen, LL_EIO, "%s: "
				    "cannot keep a copy of the input in %s: "
				    "%s (a pipe is read once into a "
				    "temporary file; set TMPDIR elsewhere)",
				    path, dir, strerror(errno));
			off += (size_t)w;
		}
	}
}

/* Spools paths[i] into sp slot i. */
static int
spool_one(struct ingest_spool *sp, size_t i, const char *path,
    const char *dir, uint64_t max, uint8_t *buf, char *err, size_t errlen)
{
	char tmpl[4096];
	int src, tmp, rc;

	if (strcmp(path, "-") == 0)
		src = dup(STDIN_FILENO);
	else
		src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return spool_err(err, errlen, LL_EIO, "%s: %s", path,
		    strerror(errno));
	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/lifeline-spool-XXXXXX",
	    dir) >= sizeof(tmpl)) {
		close(src);
		return spool_err(err, errlen, LL_EINVAL, "%s: temporary "
		    "directory name too long", path);
	}
	if ((tmp = mkostemp(tmpl, O_CLOEXEC)) < 0) {
		rc = spool_err(err, errlen, LL_EIO, "%s: cannot keep a copy "
		    "of the input in %s: %s (a pipe is read once into a "
		    "temporary file; set TMPDIR elsewhere)", path, dir,
		    strerror(errno));
		close(src);
		return rc;
	}
	(void)unlink(tmpl);
	rc = copy_all(src, tmp, max, path, dir, buf, err, errlen);
	close(src);
	if (rc != 0) {
		close(tmp);
		return rc;
	}
	sp->fd[i] = tmp;
	snprintf(sp->name[i], SPOOL_PATH, "/dev/fd/%d", tmp);
	sp->paths[i] = sp->name[i];
	sp->copies++;
	return 0;
}

int
ingest_spool_new(const char *const *paths, size_t n, const char *dir,
    uint64_t max, struct ingest_spool **out, char *err, size_t errlen)
{
	struct ingest_spool *sp;
	uint8_t *buf = NULL;
	int rc = 0;

	*out = NULL;
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if (max == 0)
		max = INGEST_SPOOL_MAX;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return LL_ENOMEM;
	sp->n = n;
	sp->paths = calloc(n + 1, sizeof(*sp->paths));
	sp->fd = calloc(n + 1, sizeof(*sp->fd));
	sp->name = calloc(n + 1, sizeof(*sp->name));
	if (sp->paths == NULL || sp->fd == NULL || sp->name == NULL) {
		rc = LL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		sp->fd[i] = -1;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		bool std = strcmp(paths[i], "-") == 0;

		sp->paths[i] = paths[i];
		if (!std && stat(paths[i], &sb) != 0) {
			rc = spool_err(err, errlen, LL_EIO, "%s: %s", paths[i],
			    strerror(errno));
			goto out;
		}
		if (!std && S_ISDIR(sb.st_mode)) {
			rc = spool_err(err, errlen, LL_EINVAL, "%s: is a "
			    "directory, not an archive", paths[i]);
			goto out;
		}
		if (!std && S_ISREG(sb.st_mode))
			continue;
		if (buf == NULL && (buf = malloc(SPOOL_BUF)) == NULL) {
			rc = LL_ENOMEM;
			goto out;
		}
		if ((rc = spool_one(sp, i, paths[i], dir, max, buf, err,
		    errlen)) != 0)
			goto out;
	}
out:
	free(buf);
	if (rc != 0) {
		ingest_spool_free(sp);
		return rc;
	}
	*out = sp;
	return 0;
}

const char *const *
ingest_spool_paths(const struct ingest_spool *sp)
{
	return sp->paths;
}

size_t
ingest_spool_count(const struct ingest_spool *sp)
{
	return sp != NULL ? sp->copies : 0;
}

void
ingest_spool_free(struct ingest_spool *sp)
{
	if (sp == NULL)
		return;
	for (size_t i = 0; sp->fd != NULL && i < sp->n; i++)
		if (sp->fd[i] >= 0)
			close(sp->fd[i]);
	free(sp->paths);
	free(sp->fd);
	free(sp->name);
	free(sp);
}
