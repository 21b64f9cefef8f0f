/*
 * The ingest library (src/ingest) called directly, as importers and the
 * API will: one atomic, idempotent path with the settings kept per
 * archive; non-regular input read once; the settings line compared.
 * Real data: RIS updates of 2007-02-11 (ripe-bgpdump).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "store/store.h"
#include "util/err.h"
#include "testutil.h"

#define UPD	"mrt/ripe-bgpdump/updates.20070211.0141.gz"

static char dir[64];

/* Writes the file at path into fd, then closes fd. */
struct feed {
	const char	*path;
	int		 fd;
};

static void *
feed_all(void *arg)
{
	struct feed *f = arg;
	char buf[65536];
	int in = open(f->path, O_RDONLY);
	ssize_t n;

	while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(f->fd, buf, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	close(f->fd);
	return NULL;
}

static void
test_spool_pipe(void **state)
{
	const char *file = test_shared_or_skip(UPD);
	char want[STORE_SHA256_HEX], got[STORE_SHA256_HEX], name[32], err[256];
	const char *paths[2];
	struct ingest_spool *sp = NULL;
	struct feed f;
	pthread_t th;
	uint64_t wsize, gsize;
	int p[2];

	(void)state;
	assert_int_equal(ingest_sha256_file(file, want, &wsize), 0);
	assert_int_equal(pipe(p), 0);
	f.path = file;
	f.fd = p[1];
	assert_int_equal(pthread_create(&th, NULL, feed_all, &f), 0);
	snprintf(name, sizeof(name), "/dev/fd/%d", p[0]);
	paths[0] = file;
	paths[1] = name;
	assert_int_equal(ingest_spool_new(paths, 2, dir, 0, &sp, err,
	    sizeof(err)), 0);
	pthread_join(th, NULL);
	close(p[0]);
	/* the regular file in place, the pipe copied once */
	assert_int_equal(ingest_spool_count(sp), 1);
	assert_ptr_equal(ingest_spool_paths(sp)[0], file);
	assert_string_not_equal(ingest_spool_paths(sp)[1], name);
	/* read twice: the same bytes both times */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ingest_sha256_file(ingest_spool_paths(sp)[1],
		    got, &gsize), 0);
		assert_string_equal(got, want);
		assert_true(gsize == wsize && gsize == 395073);
	}
	ingest_spool_free(sp);
}

static void
test_spool_refused(void **state)
{
	const char *file = test_shared_or_skip(UPD);
	const char *paths[1];
	struct ingest_spool *sp = NULL;
	char err[256], bad[128];
	struct feed f;
	pthread_t th;
	int p[2];

	(void)state;
	paths[0] = dir;
	assert_int_equal(ingest_spool_new(paths, 1, dir, 0, &sp, err,
	    sizeof(err)), LL_EINVAL);
	assert_null(sp);
	assert_non_null(strstr(err, "is a directory"));

	/* more than the cap through a pipe */
	assert_int_equal(pipe(p), 0);
	f.path = file;
	f.fd = p[1];
	assert_int_equal(pthread_create(&th, NULL, feed_all, &f), 0);
	snprintf(bad, sizeof(bad), "/dev/fd/%d", p[0]);
	paths[0] = bad;
	assert_int_equal(ingest_spool_new(paths, 1, dir, 100000, &sp, err,
	    sizeof(err)), LL_ELIMIT);
	close(p[0]);		/* the writer gets EPIPE and ends */
	pthread_join(th, NULL);
	assert_non_null(strstr(err, "more than 100000 bytes"));

	/* a spool directory that is not there */
	assert_int_equal(pipe(p), 0);
	f.fd = p[1];
	assert_int_equal(pthread_create(&th, NULL, feed_all, &f), 0);
	snprintf(bad, sizeof(bad), "/dev/fd/%d", p[0]);
	assert_int_equal(ingest_spool_new(paths, 1, "/nonexistent/x", 0, &sp,
	    err, sizeof(err)), LL_EIO);
	close(p[0]);
	pthread_join(th, NULL);
	assert_non_null(strstr(err, "cannot keep a copy of the input in "
	    "/nonexistent/x"));
}

static void
test_settings(void **state)
{
	char a[256], b[256], msg[256];

	(void)state;
	assert_int_equal(ingest_settings_diff(
	    "bin=300 full-feed=400000 min-peers=0.5 locdb=/x@2022-10-29",
	    "bin=300 full-feed=50% min-peers=0.5 locdb=/x@2026-01-01 rir=/r",
	    a, b, sizeof(a)), 3);
	assert_string_equal(a, "full-feed=400000 locdb=/x@2022-10-29 "
	    "rir=(none)");
	assert_string_equal(b, "full-feed=50% locdb=/x@2026-01-01 rir=/r");
	assert_int_equal(ingest_settings_diff("bin=300 full-feed=1",
	    "bin=300 full-feed=1", a, b, sizeof(a)), 0);
	assert_string_equal(a, "");

	/* 2022-10-29 against 2002-07-22: 20 years; 2021-11-01: 1 year */
	assert_true(ingest_locdb_far(1667001600, 1027377420, msg,
	    sizeof(msg)));
	assert_non_null(strstr(msg, "20 years after the data (2002-07-22)"));
	assert_false(ingest_locdb_far(1667001600, 1635724800, msg,
	    sizeof(msg)));
	assert_false(ingest_locdb_far(0, 1027377420, msg, sizeof(msg)));
}

struct rows {
	int	 n;
	char	 settings[STORE_SETTINGS_MAX];
	uint64_t points;
};

static int
row_fn(void *ctx, const struct store_archive *a)
{
	struct rows *r = ctx;

	r->n++;
	snprintf(r->settings, sizeof(r->settings), "%s", a->settings);
	r->points = a->points;
	return 0;
}

static enum ingest_status
ingest(struct store *st, const char *file, double pct, bool force,
    struct ingest_result *res)
{
	struct ingest_opts o = { .sig = { .ff_pct = pct,
	    .by = SIG_BY_ASN }, .sources = "locdb=none", .force = force };
	const char *files[1] = { file };
	int rc;

	o.replay.one_thread = true;
	return ingest_bgp(st, files, 1, &o, res, &rc);
}

static void
test_ingest(void **state)
{
	const char *file = test_shared_or_skip(UPD);
	struct ingest_result *res = malloc(sizeof(*res));
	struct store *st = NULL;
	struct rows rows = { 0 };
	char db[128], err[256];

	(void)state;
	assert_non_null(res);
	snprintf(db, sizeof(db), "%s/lib.db", dir);
	assert_int_equal(store_open(db, STORE_CREATE, &st, err, sizeof(err)),
	    0);
	/* default rule: no full-feed peer in this file, nothing recorded */
	assert_int_equal(ingest(st, file, 0, false, res), INGEST_DONE);
	assert_int_equal(res->recorded, 0);
	assert_int_equal(res->no_point, 1);
	assert_true(res->stats.max_v4 > 0 && res->stats.max_v4 < 400000);
	assert_int_equal(store_archive_list(st, row_fn, &rows), 0);
	assert_int_equal(rows.n, 0);

	assert_int_equal(ingest(st, file, 50, false, res), INGEST_DONE);
	assert_int_equal(res->recorded, 1);
	assert_true(res->points > 100);
	assert_int_equal(store_archive_list(st, row_fn, &rows), 0);
	assert_int_equal(rows.n, 1);
	/* the archive's points are its visibility series' (the run's also
	 * count its collectors' health) */
	assert_true(rows.points > 100 && rows.points <= res->points);
	assert_string_equal(rows.settings, "bin=300 full-feed=50% "
	    "full-feed6=10000 visibility=50 locdb=none");

	/* idempotent */
	assert_int_equal(ingest(st, file, 50, false, res), INGEST_DONE);
	assert_int_equal(res->recorded, 0);
	assert_int_equal(res->known, 1);

	/* other settings: refused, named */
	assert_int_equal(ingest(st, file, 60, false, res), INGEST_CONFLICT);
	assert_string_equal(res->store_settings, "full-feed=50%");
	assert_string_equal(res->run_settings, "full-feed=60%");
	assert_int_equal(ingest(st, file, 60, true, res), INGEST_DONE);
	assert_int_equal(res->recorded, 1);
	rows.n = 0;
	assert_int_equal(store_archive_list(st, row_fn, &rows), 0);
	assert_int_equal(rows.n, 1);
	assert_non_null(strstr(rows.settings, "full-feed=60%"));
	store_free(st);
	free(res);
}

/* A store from before settings were kept knows only its bin size. */
static void
test_legacy_store(void **state)
{
	const char *file = test_shared_or_skip(UPD);
	struct ingest_result *res = malloc(sizeof(*res));
	struct store *st = NULL;
	char db[128], err[256], buf[STORE_SETTINGS_MAX];

	(void)state;
	assert_non_null(res);
	snprintf(db, sizeof(db), "%s/legacy.db", dir);
	assert_int_equal(store_open(db, STORE_CREATE, &st, err, sizeof(err)),
	    0);
	assert_int_equal(store_meta_set(st, "bgp.bin", "60"), 0);
	assert_int_equal(ingest(st, file, 50, true, res), INGEST_CONFLICT);
	assert_string_equal(res->store_settings, "bin=60");
	assert_string_equal(res->run_settings, "bin=300");
	assert_int_equal(store_meta_set(st, "bgp.bin", "300"), 0);
	assert_int_equal(ingest(st, file, 50, false, res), INGEST_DONE);
	assert_int_equal(res->recorded, 1);
	assert_int_equal(store_meta_get(st, "bgp.settings", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "bin=300 full-feed=50% full-feed6=10000 "
	    "visibility=50 locdb=none");
	store_free(st);
	free(res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool_pipe),
		cmocka_unit_test(test_spool_refused),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_ingest),
		cmocka_unit_test(test_legacy_store),
	};
	char cmd[128];
	int rc;

	/* the feeders' reader may close first: EPIPE, not a signal */
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/ll-ingest-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = test_main("ingest_lib", tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
