/*
 * Crash safety and idempotence of `lifeline ingest bgp`: a run killed with
 * SIGKILL at random moments, then run again to the end, leaves exactly the
 * store a clean run leaves (same points, same archive rows); a further run
 * ingests nothing. A run given archives already ingested, or the same
 * bytes twice (which it finds out only once hashing ends, while replaying),
 * writes what one clean run of the distinct archives writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "testutil.h"

static const char *dir;	/* test_tmpdir_make() */
static const char *files[2];
static bool pg;		/* LL_TEST_BACKEND=postgresql: into PostgreSQL */

/* A new, empty store named stem into out: a file in the scratch
 * directory, or a fresh database of the run's PostgreSQL cluster. */
static void
new_db(char *out, size_t len, const char *stem)
{
	if (pg)
		snprintf(out, len, "%s", test_pg_db(stem));
	else
		snprintf(out, len, "%s/%s.db", dir, stem);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts `lifeline ingest bgp --db DB --full-feed 50% --warmup 5m F0
 * [F1]` (update files: their bins count after 5 minutes of updates). */
static pid_t
start_files(const char *db, const char *f0, const char *f1)
{
	const char *exe = getenv("LIFELINE");
	pid_t pid;

	assert_non_null(exe);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = fileno(fopen("/dev/null", "w"));

		dup2(fd, 2);
		execl(exe, exe, "ingest", "bgp", "--db", db, "--full-feed",
		    "50%", "--warmup", "5m", f0, f1, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static pid_t
start(const char *db)
{
	return start_files(db, files[0], files[1]);
}

static int
wait_rc(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
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
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
	memcpy(d->buf + d->len, s, n + 1);
	d->len += n;
}

static int
point_fn(void *ctx, const struct store_point *p)
{
	char line[256];

	snprintf(line, sizeof(line), "%s %lld %.17g\n", p->entity,
	    (long long)p->time, p->value);
	add(ctx, line);
	return 0;
}

static bool with_points = true;	/* the points each run wrote */

static int
arch_fn(void *ctx, const struct store_archive *a)
{
	char line[512];

	snprintf(line, sizeof(line), "%s %llu %lld %lld %llu %llu %llu "
	    "%d\n", a->sha256, (unsigned long long)a->size,
	    (long long)a->first_time, (long long)a->last_time,
	    (unsigned long long)a->records,
	    (unsigned long long)a->bad_records,
	    with_points ? (unsigned long long)a->points : 0, (int)a->status);
	add(ctx, line);
	return 0;
}

/* Everything the store holds of the run, as text (archives by content:
 * the name is the first name given). */
static char *
dump(const char *db)
{
	struct store *s = NULL;
	struct dump d = { 0 };
	char err[256];

	assert_int_equal(store_open(db, STORE_RDONLY, &s, err, sizeof(err)),
	    0);
	add(&d, "");
	assert_int_equal(store_points_scan(s, "bgp", NULL, 0, INT64_MAX,
	    point_fn, &d), 0);
	assert_int_equal(store_archive_list(s, arch_fn, &d), 0);
	store_free(s);
	return d.buf;
}

static void
test_kill_and_rerun(void **state)
{
	char clean[1024], crash[1024];
	char *a, *b;
	int64_t t0, dur;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int killed_mid = 0;

	(void)state;
	new_db(clean, sizeof(clean), "clean");
	new_db(crash, sizeof(crash), "crash");
	t0 = now_ms();
	assert_int_equal(wait_rc(start(clean)), 0);
	dur = now_ms() - t0;
	fprintf(stderr, "clean run %lld ms, seed %u\n", (long long)dur, seed);
	srand(seed);
	/*
	 * Four kills that land while the ingest runs. Warm runs are faster
	 * than the first (page cache), so a kill may come after the end: then
	 * the window shrinks below that moment, the store is emptied and we
	 * try again.
	 */
	int64_t bound = dur > 1 ? dur : 1;
	for (int i = 0; i < 40 && killed_mid < 4; i++) {
		int64_t at = rand() % bound;
		pid_t pid = start(crash);
		int rc;

		usleep((useconds_t)at * 1000);
		kill(pid, SIGKILL);
		rc = wait_rc(pid);
		fprintf(stderr, "kill after %lld ms: %s\n", (long long)at,
		    rc == 128 + SIGKILL ? "killed" : "had finished");
		killed_mid += rc == 128 + SIGKILL;
		if (rc != 128 + SIGKILL) {
			/* it finished: start again from an empty store, so
			 * the next kill interrupts a real ingest */
			char p[1100];
			bound = at > 1 ? at : 1;
			if (pg) {
				new_db(crash, sizeof(crash), "crash");
				continue;
			}
			unlink(crash);
			snprintf(p, sizeof(p), "%s-wal", crash);
			unlink(p);
			snprintf(p, sizeof(p), "%s-shm", crash);
			unlink(p);
		}
	}
	assert_true(killed_mid > 0);
	assert_int_equal(wait_rc(start(crash)), 0);
	a = dump(clean);
	b = dump(crash);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	free(b);
	/* Again: nothing to do, nothing changes. */
	assert_int_equal(wait_rc(start(crash)), 0);
	b = dump(crash);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* Archives ingested before: the run finds out while replaying, rolls back
 * and starts again with them as context only. */
static void
test_some_already_in(void **state)
{
	char both[1024], incr[1024];
	char *a, *b;

	(void)state;
	new_db(both, sizeof(both), "both");
	new_db(incr, sizeof(incr), "incr");
	assert_int_equal(wait_rc(start(both)), 0);
	assert_int_equal(wait_rc(start_files(incr, files[1], NULL)), 0);
	assert_int_equal(wait_rc(start(incr)), 0);
	with_points = false;		/* two runs wrote them, not one */
	a = dump(both);
	b = dump(incr);
	with_points = true;
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* The same bytes under two names, and one name twice: one archive. */
static void
test_same_bytes_twice(void **state)
{
	char one[1024], copy[1024], same[1024], path[128], cmd[400];
	char *a, *b, *c;

	(void)state;
	new_db(one, sizeof(one), "one");
	new_db(copy, sizeof(copy), "copy");
	new_db(same, sizeof(same), "same");
	snprintf(path, sizeof(path), "%s/copy-of-updates.gz", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", files[1], path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wait_rc(start_files(one, files[1], NULL)), 0);
	assert_int_equal(wait_rc(start_files(copy, files[1], path)), 0);
	assert_int_equal(wait_rc(start_files(same, files[1], files[1])), 0);
	a = dump(one);
	b = dump(copy);
	c = dump(same);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_and_rerun),
		cmocka_unit_test(test_some_already_in),
		cmocka_unit_test(test_same_bytes_twice),
	};
	static char f0[4096], f1[4096];
	const char *b = getenv("LL_TEST_BACKEND");
	int rc;

	pg = b != NULL && strcmp(b, "postgresql") == 0;
	if (pg && getenv("LL_TEST_PG") == NULL)
		test_skip("no PostgreSQL test cluster ($LL_TEST_PG is not set; "
		    "make check starts one)");
	snprintf(f0, sizeof(f0), "%s", test_shared_or_skip(
	    "mrt/ripe-bgpdump/bview.20020722.2337.gz"));
	snprintf(f1, sizeof(f1), "%s", test_shared_or_skip(
	    "mrt/ripe-bgpdump/updates.20020722.2238.gz"));
	files[0] = f0;
	files[1] = f1;
	if ((dir = test_tmpdir_make("crash")) == NULL)
		return 1;
	rc = test_main(pg ? "ingest_crash_pg" : "ingest_crash", tests, NULL, NULL);
	if (test_tmpdir_remove() != 0)
		rc = 1;
	return rc;
}
