/*
 * Helpers shared by the C tests: see testutil.h.
 */
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <libpq-fe.h>

#include "testutil.h"

#define NBUF	8
#define PATHMAX	4096

static char	tmpdir[1024];
static int	nskipped;
static bool	in_group, in_fixture;
static CMFixtureFunction group_setup, group_teardown;

static char *
ring(void)
{
	static char bufs[NBUF][PATHMAX];
	static unsigned next;

	return bufs[next++ % NBUF];
}

static const char *
shared_root(void)
{
	const char *base = getenv("LL_SHARED_DATA");

	if (base == NULL || *base == '\0')
		base = getenv("LL_SHARED_DATA_CONFIGURED");
	if (base == NULL || *base == '\0')
		base = "../shared/data";
	return base;
}

const char *
test_shared(const char *rel)
{
	char *buf = ring();

	snprintf(buf, PATHMAX, "%s/%s", shared_root(), rel);
	return access(buf, R_OK) == 0 ? buf : NULL;
}

const char *
test_data(const char *rel)
{
	const char *base = getenv("LL_TEST_DATA");
	char *buf = ring();

	if (base == NULL)
		base = "tests/data";
	snprintf(buf, PATHMAX, "%s/%s", base, rel);
	return buf;
}

/* Inside a test: skip it and count; elsewhere: end the program now. */
static void __attribute__((noreturn))
skip_now(const char *why)
{
	fprintf(stderr, "SKIP: %s\n", why);
	if (in_group && !in_fixture) {
		nskipped++;
		skip();
	}
	fflush(NULL);
	/* No leak check on the way out: nothing was proved. */
	_exit(TEST_SKIP);
}

void
test_skip(const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	skip_now(why);
}

const char *
test_shared_or_skip(const char *rel)
{
	const char *p = test_shared(rel);
	char why[PATHMAX + 64];

	if (p != NULL)
		return p;
	snprintf(why, sizeof(why), "%s/%s is absent", shared_root(), rel);
	skip_now(why);
}

static int
setup_wrap(void **state)
{
	int rc;

	in_fixture = true;
	rc = group_setup(state);
	in_fixture = false;
	return rc;
}

static int
teardown_wrap(void **state)
{
	int rc;

	in_fixture = true;
	rc = group_teardown(state);
	in_fixture = false;
	return rc;
}

int
test_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
    CMFixtureFunction setup, CMFixtureFunction teardown)
{
	int failed;

	group_setup = setup;
	group_teardown = teardown;
	in_group = true;
	failed = _cmocka_run_group_tests(name, tests, n,
	    setup != NULL ? setup_wrap : NULL,
	    teardown != NULL ? teardown_wrap : NULL);
	in_group = false;
	if (failed != 0)
		return 1;
	if (nskipped > 0) {
		fprintf(stderr, "SKIP: %d of %zu tests of %s skipped for want "
		    "of data: the group is not counted as passed\n", nskipped,
		    n, name);
		return TEST_SKIP;
	}
	return 0;
}

uint8_t *
test_slurp_fp(FILE *f, size_t *len)
{
	uint8_t *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;

	do {
		if (cap - n < 65536) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

uint8_t *
test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (f == NULL)
		return NULL;
	buf = test_slurp_fp(f, len);
	fclose(f);
	return buf;
}

uint16_t
test_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
test_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

const char *
test_tmpdir_make(const char *tag)
{
	const char *t = getenv("TMPDIR");

	if (t == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/ll-%s-XXXXXX", t,
	    tag) >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		tmpdir[0] = '\0';
		return NULL;
	}
	return tmpdir;
}

const char *
test_tmpdir_path(const char *name)
{
	char *buf = ring();

	snprintf(buf, PATHMAX, "%s/%s", tmpdir, name);
	return buf;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
test_tmpdir_remove(void)
{
	int rc;

	if (tmpdir[0] == '\0')
		return 0;
	rc = nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
	return rc == 0 ? 0 : -1;
}

int
test_tmpdir_setup(void **state)
{
	(void)state;
	return test_tmpdir_make(program_invocation_short_name) != NULL ? 0 :
	    -1;
}

int
test_tmpdir_teardown(void **state)
{
	(void)state;
	return test_tmpdir_remove();
}

void
test_run_fini(struct test_run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static int vrun(struct test_run *r, const char *prefix, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static int
vrun(struct test_run *r, const char *prefix, const char *fmt, va_list ap)
{
	char args[8192], cmd[16384];
	FILE *p, *e;
	int st;

	memset(r, 0, sizeof(*r));
	e = tmpfile();
	assert_non_null(e);
	vsnprintf(args, sizeof(args), fmt, ap);
	if ((size_t)snprintf(cmd, sizeof(cmd), "exec 2>/dev/fd/%d </dev/null;"
	    " %s%s", fileno(e), prefix, args) >= sizeof(cmd))
		fail_msg("command too long: %s", args);
	p = popen(cmd, "r");
	assert_non_null(p);
	r->out = (char *)test_slurp_fp(p, &r->outlen);
	st = pclose(p);
	assert_non_null(r->out);
	rewind(e);
	r->err = (char *)test_slurp_fp(e, &r->errlen);
	fclose(e);
	assert_non_null(r->err);
	assert_true(st != -1);
	if (WIFSIGNALED(st))
		r->status = 128 + WTERMSIG(st);
	else
		r->status = WEXITSTATUS(st);
	return r->status;
}

int
test_sh(struct test_run *r, const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	st = vrun(r, "", fmt, ap);
	va_end(ap);
	return st;
}

int
test_lifeline(struct test_run *r, const char *fmt, ...)
{
	va_list ap;
	int st;

	if (getenv("LIFELINE") == NULL)
		test_skip("$LIFELINE (the lifeline binary) is not set");
	va_start(ap, fmt);
	st = vrun(r, "\"$LIFELINE\" ", fmt, ap);
	va_end(ap);
	return st;
}

/* ---- PostgreSQL ------------------------------------------------------ */

int64_t
test_pg_sql(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	int64_t v = 0;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", url, PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
	    !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

/* postgresql:///postgres?... -> postgresql:///DB?... */
static void
pg_url(char *out, size_t len, const char *db)
{
	const char *q = strchr(getenv("LL_TEST_PG"), '?');

	snprintf(out, len, "postgresql:///%s%s", db, q != NULL ? q : "");
}

const char *
test_pg_db(const char *name)
{
	static char buf[8][1024];
	static int k;
	const char *base = getenv("LL_TEST_PG");
	char sql[256], db[64];
	char *out = buf[k++ % 8];

	if (base == NULL || *base == '\0')
		test_skip("no PostgreSQL test cluster ($LL_TEST_PG is not set; "
		    "make check starts one)");
	/* the program's name first: test programs run at once */
	snprintf(db, sizeof(db), "%.30s_%.30s", program_invocation_short_name,
	    name);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH "
	    "(FORCE)", db);
	test_pg_sql(base, "SET client_min_messages = warning");
	test_pg_sql(base, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", db);
	test_pg_sql(base, sql);
	pg_url(out, sizeof(buf[0]), db);
	return out;
}

bool
test_pg_backend(void)
{
	const char *b = getenv("LL_TEST_BACKEND");

	if (b == NULL || strcmp(b, "postgresql") != 0)
		return false;
	if (getenv("LL_TEST_PG") == NULL || *getenv("LL_TEST_PG") == '\0')
		test_skip("no PostgreSQL test cluster ($LL_TEST_PG is not set; "
		    "make check starts one)");
	return true;
}

const char *
test_store_url(const char *name)
{
	static char made[64][64], buf[8][1024];
	static int nmade, k;
	char stem[64], db[64], *out;
	int i;

	if (!test_pg_backend())
		return test_tmpdir_path(name);
	snprintf(stem, sizeof(stem), "%.*s", (int)strcspn(name, "."), name);
	for (i = 0; i < nmade && strcmp(made[i], stem) != 0; i++)
		;
	if (i == nmade && nmade < 64) {
		snprintf(made[nmade++], sizeof(made[0]), "%s", stem);
		return test_pg_db(stem);
	}
	/* made before: the same URL as test_pg_db() gave */
	out = buf[k++ % 8];
	snprintf(db, sizeof(db), "%.30s_%.30s", program_invocation_short_name,
	    stem);
	pg_url(out, sizeof(buf[0]), db);
	return out;
}
