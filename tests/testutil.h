/*
 * Helpers shared by the C tests (tests/testutil.c, linked into every test
 * program as the static library libtestutil): where the real public data
 * is, skipping for want of it, whole files, a scratch directory and runs of
 * the lifeline binary.
 *
 * Skips.  A test that cannot run for want of data (a file of
 * ../shared/data, a tool, a database) calls test_shared_or_skip() or
 * test_skip(): the test is skipped and counted, the group goes on, and
 * test_main() ends the program with 77 (meson: SKIP) unless a test failed.
 * Before the tests (in main() or a group setup) the same calls end the
 * program with 77 at once.  cmocka's own skip() is not used: it exits 0,
 * and a group would pass for want of data (scripts/lint.sh checks).
 */
#ifndef LL_TESTS_TESTUTIL_H
#define LL_TESTS_TESTUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define TEST_SKIP	77

/* xorshift64 (Marsaglia): the tests' reproducible pseudo-random numbers,
 * the state never 0. */
static inline uint64_t
test_xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Path of rel under the shared data ($LL_SHARED_DATA, else the build's
 * $LL_SHARED_DATA_CONFIGURED, else ../shared/data), or NULL when it is not
 * readable.  The buffer is one of 8 used in turn. */
const char *test_shared(const char *rel);

/* Path of rel under tests/data ($LL_TEST_DATA); one of 8 buffers. */
const char *test_data(const char *rel);

/* test_shared(rel), or skips for want of it (see above); the message names
 * the missing path. */
const char *test_shared_or_skip(const char *rel);

/* Skips for want of something other than a shared file ("bgpdump is not
 * installed"); printf-style reason.  Does not return. */
void test_skip(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Runs the group through cmocka and returns the program's exit status:
 * 1 when a test failed, else 77 when one was skipped for want of data,
 * else 0.  Group setup and teardown may be NULL. */
int test_run_group(const char *name, const struct CMUnitTest *tests,
    size_t n, CMFixtureFunction setup, CMFixtureFunction teardown);
#define test_main(name, tests, setup, teardown) \
	test_run_group((name), (tests), sizeof(tests) / sizeof((tests)[0]), \
	    (setup), (teardown))

/* The whole of a file (binary safe), NUL-terminated; *len excludes the
 * NUL.  Caller frees.  NULL when it cannot be read. */
uint8_t *test_slurp(const char *path, size_t *len);

/* The rest of an open stream (a pipe too), likewise; f stays open. */
uint8_t *test_slurp_fp(FILE *f, size_t *len);

/* Big-endian 16 and 32-bit values (MRT and BGP headers). */
uint16_t test_be16(const uint8_t *p);
uint32_t test_be32(const uint8_t *p);

/* Makes the program's scratch directory $TMPDIR/ll-tag-XXXXXX (TMPDIR
 * defaults to /tmp) and returns its path, or NULL.  One at a time. */
const char *test_tmpdir_make(const char *tag);

/* Path of name inside the scratch directory; one of 8 buffers. */
const char *test_tmpdir_path(const char *name);

/* Removes the scratch directory and all in it; 0, or -1 on failure. */
int test_tmpdir_remove(void);

/* cmocka group fixtures around the two above (tag: the program's name). */
int test_tmpdir_setup(void **state);
int test_tmpdir_teardown(void **state);

/* What a command did: its exit status (128 + N when killed by signal N),
 * stdout and stderr (NUL-terminated, owned: test_run_fini()). */
struct test_run {
	int	 status;
	char	*out, *err;
	size_t	 outlen, errlen;
};

/* Runs a shell command (printf-style; $LIFELINE is in its environment),
 * stdin from /dev/null, capturing stdout and stderr.  Returns the status;
 * a command that cannot be started fails the test. */
int test_sh(struct test_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Runs `"$LIFELINE" ARGS` likewise; skips when $LIFELINE is not set. */
int test_lifeline(struct test_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees what a run captured; r may be reused. */
void test_run_fini(struct test_run *r);

/* A fresh, empty PostgreSQL database name (dropped first when there) in
 * the test run's cluster ($LL_TEST_PG, started by scripts/run-tests.sh),
 * as a URL; skips when there is no cluster. One of 8 buffers. */
const char *test_pg_db(const char *name);

/* True when the tests run against PostgreSQL ($LL_TEST_BACKEND is
 * "postgresql"); skips then when there is no test cluster. */
bool test_pg_backend(void);

/* The store named name (e.g. "a.db") of the backend under test: a path in
 * the scratch directory, or a database of the test cluster, made empty the
 * first time a program asks for that name (the same URL after). One of 8
 * buffers. */
const char *test_store_url(const char *name);

/* Runs sql on a new connection to url; the first column of the first
 * row as an integer (0 when none). Fails the test on an error. */
int64_t test_pg_sql(const char *url, const char *sql);

#endif
