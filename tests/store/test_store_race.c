/*
 * Ingests that run at the same moment on one database: three `lifeline
 * ingest bgp` runs of three RIPE RIS update files, started together on a
 * file that does not exist yet, each succeed, or one fails with one line
 * (a lock not had within the busy timeout) and writes nothing. The store
 * they leave holds exactly what the same ingests run one after the other
 * leave (the runs that succeeded), and SQLite finds it sound. With
 * LL_TEST_BACKEND=postgresql the same on a new, empty database of the
 * test cluster, where writers wait for each other: all three succeed.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "testutil.h"

#define RUNS	3
#define ROUNDS	2

static const char *const rel[RUNS] = {
	"mrt/ripe-bgpdump/updates.20020722.2238.gz",
	"mrt/ripe-bgpdump/updates.20071015.1505.gz",
	"mrt/ripe-bgpdump/updates.20100722.2015.gz",
};
static char files[RUNS][4096];
static char tmpdir[256];

static const char *
tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* Starts `lifeline ingest bgp --db DB --full-feed 50% --warmup 5m FILE`
 * (update files alone: the warm-up gives them a table), stderr into
 * errN.txt; waits on go (a pipe) first, when go >= 0. */
static pid_t
start(const char *db, int k, int go)
{
	const char *exe = getenv("LIFELINE");
	char name[32];
	pid_t pid;

	assert_non_null(exe);
	snprintf(name, sizeof(name), "err%d.txt", k);
	if ((pid = fork()) == 0) {
		int out = open("/dev/null", O_WRONLY);
		int e = open(tpath(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char c;

		if (out < 0 || e < 0 || (go >= 0 && read(go, &c, 1) != 1))
			_exit(126);
		dup2(out, 1);
		dup2(e, 2);
		execl(exe, exe, "ingest", "bgp", "--db", db, "--full-feed",
		    "50%", "--warmup", "5m", files[k], (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	return pid;
}

static int
wait_rc(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

struct dump {
	char	*buf;
	size_t	 len, cap;
};

static void
add(struct dump *d, const char *s)
{
	size_t n = strlen(s);

	if (d->len + n + 1 > d->cap) {
		d->cap = (d->len + n + 1) * 2;
		assert_non_null(d->buf = realloc(d->buf, d->cap));
	}
	memcpy(d->buf + d->len, s, n + 1);
	d->len += n;
}

static int
dump_point(void *ctx, const struct store_point *p)
{
	char line[200];

	snprintf(line, sizeof(line), "%s %lld %.17g\n", p->entity,
	    (long long)p->time, p->value);
	add(ctx, line);
	return 0;
}

static int
dump_archive(void *ctx, const struct store_archive *a)
{
	char line[400];

	snprintf(line, sizeof(line), "archive %s %s %llu %llu\n", a->sha256,
	    a->name, (unsigned long long)a->records,
	    (unsigned long long)a->points);
	add(ctx, line);
	return 0;
}

/* The store's content as text: points, then archives. */
static char *
dump(const char *path)
{
	struct dump d = { 0 };
	struct store *s = NULL;
	char e[512];

	if (store_open(path, STORE_RDONLY, &s, e, sizeof(e)) != 0)
		fail_msg("%s: %s", path, e);
	add(&d, "");
	assert_int_equal(store_points_scan(s, "bgp", NULL, INT64_MIN,
	    INT64_MAX, dump_point, &d), 0);
	assert_int_equal(store_archive_list(s, dump_archive, &d), 0);
	store_free(s);
	return d.buf;
}

static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_concurrent_ingests(void **state)
{
	(void)state;
	for (int r = 0; r < ROUNDS; r++) {
		bool pg = test_pg_backend();
		char db[1024], side[600], ref[64], err[4096], name[32];
		pid_t pid[RUNS];
		int rc[RUNS], go[2], ok = 0;
		char *got, *want;

		/* a copy: tpath()'s buffers are reused */
		snprintf(db, sizeof(db), "%s", pg ? test_pg_db(r == 0 ?
		    "race0" : "race1") : tpath("race.db"));
		unlink(tpath("race.db"));
		snprintf(side, sizeof(side), "%s-wal", tpath("race.db"));
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", tpath("race.db"));
		unlink(side);
		assert_int_equal(pipe(go), 0);
		for (int k = 0; k < RUNS; k++)
			pid[k] = start(db, k, go[0]);
		close(go[0]);
		for (int k = 0; k < RUNS; k++)
			assert_int_equal(write(go[1], "x", 1), 1);
		close(go[1]);
		for (int k = 0; k < RUNS; k++)
			rc[k] = wait_rc(pid[k]);

		/* The same runs, one after the other, into a new file. */
		snprintf(ref, sizeof(ref), "ref%d.db", r);
		for (int k = 0; k < RUNS; k++) {
			snprintf(name, sizeof(name), "err%d.txt", k);
			slurp(tpath(name), err, sizeof(err));
			if (rc[k] == 0) {
				ok++;
				assert_int_equal(wait_rc(start(tpath(ref), k,
				    -1)), 0);
				continue;
			}
			/* a failure: exit 3, one line */
			if (rc[k] != 3 || strncmp(err, "lifeline: ", 10) != 0 ||
			    strchr(err, '\n') != err + strlen(err) - 1)
				fail_msg("round %d, run %d: status %d: %s", r,
				    k, rc[k], err);
		}
		print_message("round %d: %d of %d ingests succeeded\n", r, ok,
		    RUNS);
		assert_true(ok >= 1);
		/* PostgreSQL's writers wait for each other: all succeed */
		if (pg)
			assert_int_equal(ok, RUNS);
		if (!pg)
			assert_int_equal(raw_int(db, "SELECT count(*) FROM "
			    "pragma_integrity_check WHERE integrity_check != "
			    "'ok'"), 0);
		assert_int_equal(pg ? test_pg_sql(db, "SELECT count(*) FROM "
		    "archive") : raw_int(db, "SELECT count(*) FROM archive"),
		    ok);
		got = dump(db);
		want = dump(tpath(ref));
		/* ingested_at differs; the dump leaves it out */
		assert_string_equal(got, want);
		assert_true(strlen(got) > 1000);
		free(got);
		free(want);
	}
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/ll-race-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_ingests),
	};

	for (int k = 0; k < RUNS; k++)
		snprintf(files[k], sizeof(files[k]), "%s",
		    test_shared_or_skip(rel[k]));
	return test_main(test_pg_backend() ? "store-race-pg" : "store-race",
	    tests, setup, teardown);
}
