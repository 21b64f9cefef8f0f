/*
 * The export bundle on disk: written into a new directory, and checked
 * offline. The check reads the manifest, every file under the directory
 * and the log, then makes the bundle again from the log
 * (ev_bundle_build()) and compares every file byte for byte, so that a
 * file changed together with its manifest line is still found.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "evidence/evidence.h"
#include "evidence/evidence_int.h"
#include "store/store.h"
#include "util/err.h"

#define BUNDLE_FILE_MAX	((size_t)1 << 30)	/* a file read by check */
#define BUNDLE_FILES_MAX	10000

/* Writes len bytes to dir/path, a new file. */
static int
write_file(const char *dir, const struct ev_file *f, char *err,
    size_t errlen)
{
	char p[4096];
	size_t off = 0;
	ssize_t k;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, f->path);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		goto fail;
	while (off < f->len) {
		if ((k = write(fd, f->data + off, f->len - off)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		off += (size_t)k;
	}
	if (close(fd) == 0)
		return 0;
fail:
	snprintf(err, errlen, "%s: %s", p, strerror(errno));
	return LL_EIO;
}

static int
make_dirs(const char *dir, char *err, size_t errlen)
{
	const char *sub[] = { "", "/series", "/charts" };
	char p[4096];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", dir, sub[i]);
		if (mkdir(p, 0755) != 0) {
			snprintf(err, errlen, "%s: %s", p, errno == EEXIST ?
			    "exists already (a bundle is written into a new "
			    "directory)" : strerror(errno));
			return errno == EEXIST ? LL_EEXIST : LL_EIO;
		}
	}
	return 0;
}

/* The log in s as exported: records, then the signed head. */
static int
put_rec(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	struct ev_file *f = ctx;
	uint8_t *nb = realloc(f->data, f->len + len + 1);

	(void)seq;
	if (nb == NULL)
		return LL_ENOMEM;
	memcpy(nb + f->len, rec, len);
	f->data = nb;
	f->len += len;
	return 0;
}

static int
log_bytes(struct store *s, struct ev_file *f)
{
	char head[512];
	size_t n;
	uint8_t *nb;
	int rc;

	if ((rc = store_evidence_scan(s, put_rec, f)) != 0 ||
	    (rc = store_meta_get(s, "evidence.head", head, sizeof(head))) != 0)
		return rc;
	n = strlen(head);
	if ((nb = realloc(f->data, f->len + n + 1)) == NULL)
		return LL_ENOMEM;
	memcpy(nb + f->len, head, n);
	nb[f->len + n] = '\n';
	f->data = nb;
	f->len += n + 1;
	return 0;
}

int
evidence_bundle_write(struct store *s, int64_t id, const char *dir,
    char *err, size_t errlen)
{
	struct ev_file log = { .data = NULL };
	struct ev_files fs = { 0 };
	int rc;

	err[0] = '\0';
	if ((rc = log_bytes(s, &log)) != 0) {
		snprintf(err, errlen, rc == LL_ENOTFOUND ? "the evidence log "
		    "is empty: run detect --key first" : "%s", store_errmsg(s));
		goto out;
	}
	if ((rc = ev_bundle_build(log.data, log.len, id, &fs, err,
	    errlen)) != 0 || (rc = make_dirs(dir, err, errlen)) != 0)
		goto out;
	for (size_t i = 0; i < fs.n && rc == 0; i++)
		rc = write_file(dir, &fs.f[i], err, errlen);
out:
	free(log.data);
	ev_files_free(&fs);
	return rc;
}

static int
fail(struct evidence_check *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct evidence_check *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return LL_EVERIFY;
}

/* Reads dir/rel whole (regular files only, capped). */
static uint8_t *
read_all(const char *dir, const char *rel, size_t *len)
{
	char p[4096];
	struct stat sb;
	uint8_t *buf = NULL;
	ssize_t k;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (size_t)sb.st_size <= BUNDLE_FILE_MAX &&
	    (buf = malloc((size_t)sb.st_size + 1)) != NULL) {
		*len = 0;
		while (*len < (size_t)sb.st_size && (k = read(fd, buf + *len,
		    (size_t)sb.st_size - *len)) > 0)
			*len += (size_t)k;
		if (*len != (size_t)sb.st_size) {
			free(buf);
			buf = NULL;
		} else
			buf[*len] = '\0';
	}
	close(fd);
	return buf;
}

/* Every file under dir (relative paths), into fs. */
static int
walk(const char *dir, const char *rel, struct ev_files *fs, int depth)
{
	char p[4096], r[128];
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(p, sizeof(p), "%s%s%s", dir, rel[0] ? "/" : "", rel);
	if ((d = opendir(p)) == NULL)
		return LL_EIO;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(r, sizeof(r), "%s%s%s", rel, rel[0] ?
		    "/" : "", de->d_name) >= sizeof(r)) {
			rc = LL_ELIMIT;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			rc = LL_EIO;
		else if (S_ISDIR(sb.st_mode) && depth < 2)
			rc = walk(dir, r, fs, depth + 1);
		else if (fs->n >= BUNDLE_FILES_MAX)
			rc = LL_ELIMIT;
		else
			rc = ev_files_add(fs, r, calloc(1, 1), 0);
	}
	closedir(d);
	return rc;
}

static const struct ev_file *
find(const struct ev_files *fs, const char *path)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].path, path) == 0)
			return &fs->f[i];
	return NULL;
}

/* One manifest line "HEX  PATH": the file exists and has that hash. */
static int
manifest_line(const char *dir, const char *line, size_t n, size_t no,
    const struct ev_files *disk, struct ev_files *listed,
    struct evidence_check *r)
{
	char path[128], hex[65];
	uint8_t h[32], *buf;
	size_t len;

	if (n < 67 || n - 66 >= sizeof(path) || memcmp(line + 64, "  ", 2) != 0)
		return fail(r, "MANIFEST.sha256 line %zu: not \"SHA256  FILE\"",
		    no);
	snprintf(path, sizeof(path), "%.*s", (int)(n - 66), line + 66);
	if (find(disk, path) == NULL || strcmp(path, "MANIFEST.sha256") == 0)
		return fail(r, "%s: in the manifest, but missing", path);
	if ((buf = read_all(dir, path, &len)) == NULL)
		return fail(r, "%s: cannot be read (not a regular file?)",
		    path);
	crypto_hash_sha256(h, buf, len);
	free(buf);
	ev_hex(h, sizeof(h), hex);
	if (memcmp(hex, line, 64) != 0)
		return fail(r, "%s: its SHA-256 is not the manifest's: the file "
		    "was changed", path);
	r->files++;
	return ev_files_add(listed, path, calloc(1, 1), 0);
}

/* The manifest against the files on disk, both ways. */
static int
check_manifest(const char *dir, const struct ev_files *disk,
    struct evidence_check *r)
{
	struct ev_files listed = { 0 };
	size_t len, pos = 0, no = 0, n, i;
	uint8_t *m = read_all(dir, "MANIFEST.sha256", &len);
	const uint8_t *nl;
	int rc = 0;

	if (m == NULL)
		return fail(r, "MANIFEST.sha256: missing or unreadable");
	while (rc == 0 && pos < len) {
		no++;
		if ((nl = memchr(m + pos, '\n', len - pos)) == NULL) {
			rc = fail(r, "MANIFEST.sha256 line %zu: no newline", no);
			break;
		}
		n = (size_t)(nl - (m + pos));
		rc = manifest_line(dir, (const char *)m + pos, n, no, disk,
		    &listed, r);
		pos += n + 1;
	}
	for (i = 0; rc == 0 && i < disk->n; i++)
		if (strcmp(disk->f[i].path, "MANIFEST.sha256") != 0 &&
		    find(&listed, disk->f[i].path) == NULL)
			rc = fail(r, "%s: not in the manifest: a file was added",
			    disk->f[i].path);
	free(m);
	ev_files_free(&listed);
	return rc;
}

/* The key files against the log's signer, and pk when given. */
static int
check_key(const char *dir, const uint8_t *log, size_t len,
    const uint8_t *pk, struct evidence_check *r)
{
	struct evidence_report rep;
	uint8_t mine[EVIDENCE_PK_LEN], *buf;
	size_t n;
	int rc;

	if ((buf = read_all(dir, "key.pub", &n)) == NULL)
		return fail(r, "key.pub: missing");
	rc = n < 64 || ev_unhex((const char *)buf, 64, mine,
	    sizeof(mine)) != 0;
	free(buf);
	if (rc)
		return fail(r, "key.pub: not a public key (64 hex digits)");
	if (pk != NULL && memcmp(pk, mine, sizeof(mine)) != 0)
		return fail(r, "key.pub: not the key given to check it with: "
		    "the bundle was signed by someone else");
	if ((rc = evidence_verify_buf(log, len, mine, &rep)) != 0)
		return rc == LL_EVERIFY ? fail(r, "evidence.log: record %lld: "
		    "%s", (long long)rep.bad, rep.why) : rc;
	memcpy(r->pk, mine, sizeof(mine));
	r->records = rep.records;
	return 0;
}

/* The incident's id as incident.json names it. */
static int
bundle_id(const char *dir, struct evidence_check *r)
{
	size_t n;
	uint8_t *buf = read_all(dir, "incident.json", &n);
	json_t *o = buf != NULL ? json_loadb((const char *)buf, n, 0, NULL) :
	    NULL;
	json_t *id = json_object_get(json_object_get(o, "incident"), "id");

	free(buf);
	r->incident = json_is_integer(id) ? json_integer_value(id) : 0;
	json_decref(o);
	if (r->incident <= 0)
		return fail(r, "incident.json: missing, not JSON or no "
		    "incident id");
	return 0;
}

/* Every file made again from the log against the bundle's. */
static int
check_rebuilt(const char *dir, const uint8_t *log, size_t len,
    const struct ev_files *disk, struct evidence_check *r)
{
	struct ev_files fs = { 0 };
	char err[256];
	uint8_t *buf;
	size_t n;
	int rc;

	if ((rc = ev_bundle_build(log, len, r->incident, &fs, err,
	    sizeof(err))) != 0) {
		ev_files_free(&fs);
		return rc == LL_ENOMEM ? rc : fail(r, "incident.json: %s", err);
	}
	for (size_t i = 0; i < disk->n && rc == 0; i++)
		if (find(&fs, disk->f[i].path) == NULL)
			rc = fail(r, "%s: not a file of the bundle the signed "
			    "records give: it was added", disk->f[i].path);
	for (size_t i = 0; i < fs.n && rc == 0; i++) {
		if (find(disk, fs.f[i].path) == NULL) {
			rc = fail(r, "%s: the signed records give this file; "
			    "the bundle lacks it", fs.f[i].path);
			break;
		}
		buf = read_all(dir, fs.f[i].path, &n);
		if (buf == NULL || n != fs.f[i].len || memcmp(buf,
		    fs.f[i].data, n) != 0)
			rc = fail(r, "%s: not what the signed records give%s",
			    fs.f[i].path, strncmp(fs.f[i].path, "README", 6) ==
			    0 || strcmp(fs.f[i].path, "verify.py") == 0 ?
			    " (changed, or written by another version of "
			    "Lifeline)" : "");
		free(buf);
	}
	if (rc == 0) {
		const struct ev_file *f = find(&fs, "incident.json");
		json_t *o = f != NULL ? json_loadb((const char *)f->data, f->len,
		    0, NULL) : NULL;

		r->incident_records = json_array_size(json_object_get(o,
		    "transitions"));
		json_decref(o);
	}
	ev_files_free(&fs);
	return rc;
}

int
evidence_bundle_check(const char *dir, const uint8_t *pk,
    struct evidence_check *r)
{
	struct ev_files disk = { 0 };
	uint8_t *log = NULL;
	size_t len = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (ev_sodium_init() != 0)
		return LL_ENOMEM;
	if ((rc = walk(dir, "", &disk, 0)) != 0) {
		rc = rc == LL_ENOMEM ? rc : fail(r, "%s: %s", dir, rc ==
		    LL_ELIMIT ? "too many files" : "not a readable directory");
		goto out;
	}
	if ((rc = check_manifest(dir, &disk, r)) != 0)
		goto out;
	if ((log = read_all(dir, "evidence.log", &len)) == NULL) {
		rc = fail(r, "evidence.log: missing or unreadable");
		goto out;
	}
	if ((rc = check_key(dir, log, len, pk, r)) == 0 &&
	    (rc = bundle_id(dir, r)) == 0)
		rc = check_rebuilt(dir, log, len, &disk, r);
out:
	free(log);
	ev_files_free(&disk);
	return rc;
}
