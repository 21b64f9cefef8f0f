/*
 * Damaged databases, many of them: a real small Lifeline database (an
 * ingest of a RIPE RIS update file) damaged at random places (seeded, so
 * a failure is reproduced by its round), then read and written through
 * the store, and through `lifeline signal` (the read path) and `lifeline
 * ingest bgp` (the write path), all under ASan and UBSan. Nothing may
 * crash; every failure is a non-zero status and one line.
 *
 *   LL_MUTATIONS=N            rounds (default 300)
 *   LL_MUTATIONS_SEED=S       seed (default 1)
 *   LL_MUTATIONS_CLI_EVERY=K  run the CLI on every K-th round (default 23,
 *                             so that make check stays fast); the full run:
 *
 *   LL_MUTATIONS_CLI_EVERY=1 meson test -C build-asan store-mutate \
 *       --timeout-multiplier 20
 */
#include <fcntl.h>
#include <inttypes.h>
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

#include "store/store.h"
#include "testutil.h"
#include "util/err.h"

#define GOOD	"mrt/ripe-bgpdump/updates.20020722.2238.gz"
#define MORE	"mrt/ripe-bgpdump/updates.20100722.2015.gz"

static char tmpdir[256];
static char good[4096], more[4096];
static char err[1 << 16];
static unsigned char *pristine;
static size_t plen;

static const char *
tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static unsigned long
env_num(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoul(v, NULL, 10) : def;
}

/* xorshift64*: the same damage for the same seed everywhere. */
static uint64_t rng;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dull) % n;
}

/* Runs $LIFELINE with the NULL-terminated arguments in tmpdir; stderr in
 * err. Returns the exit status, or 128 + the signal that killed it. */
static int
run(const char *arg, ...)
{
	const char *argv[32];
	const char *exe = getenv("LIFELINE");
	va_list ap;
	size_t n = 0;
	ssize_t got, len = 0;
	pid_t pid;
	int st, fd;

	assert_non_null(exe);
	argv[n++] = exe;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < 31; a = va_arg(ap,
	    const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		int out = open("/dev/null", O_WRONLY);
		int e = open(tpath("err.txt"), O_WRONLY | O_CREAT | O_TRUNC,
		    0644);

		if (out < 0 || e < 0 || chdir(tmpdir) != 0)
			_exit(126);
		dup2(out, 1);
		dup2(e, 2);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	fd = open(tpath("err.txt"), O_RDONLY);
	assert_true(fd >= 0);
	while ((got = read(fd, err + len, sizeof(err) - 1 - (size_t)len)) > 0)
		len += got;
	err[len] = '\0';
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The damaged copy, alone (no log or index of an earlier round). */
static void
place(const unsigned char *buf, size_t len)
{
	unlink(tpath("m.db-wal"));
	unlink(tpath("m.db-shm"));
	spit(tpath("m.db"), buf, len);
}

/* ---- the store's read and write paths ------------------------------ */

static int
scan_fn(void *ctx, const struct store_point *p)
{
	(*(size_t *)ctx) += p->time != 0;
	return 0;
}

static int
series_fn(void *ctx, const struct store_series *ser)
{
	(*(size_t *)ctx) += ser->entity[0] != '\0';
	return 0;
}

static int
archive_fn(void *ctx, const struct store_archive *a)
{
	(*(size_t *)ctx) += a->name[0] != '\0';
	return 0;
}

/* A failure's message: one line, not empty. */
static void
msg_ok(int round, const char *what, const char *msg)
{
	if (*msg == '\0' || strchr(msg, '\n') != NULL)
		fail_msg("round %d: %s: message \"%s\"", round, what, msg);
}

/* Everything a reader does. Returns how many steps failed. */
static int
read_path(int round)
{
	struct store *s = NULL;
	char e[512], buf[64];
	size_t n = 0;
	int bad = 0, rc;

	if ((rc = store_open(tpath("m.db"), STORE_RDONLY, &s, e,
	    sizeof(e))) != 0) {
		msg_ok(round, "open for reading", e);
		return 1;
	}
	if (store_series_list(s, NULL, series_fn, &n) != 0) {
		msg_ok(round, "series", store_errmsg(s));
		bad++;
	}
	if (store_points_scan(s, "bgp", NULL, INT64_MIN, INT64_MAX, scan_fn,
	    &n) != 0) {
		msg_ok(round, "scan", store_errmsg(s));
		bad++;
	}
	if (store_archive_list(s, archive_fn, &n) != 0) {
		msg_ok(round, "archives", store_errmsg(s));
		bad++;
	}
	if ((rc = store_meta_get(s, "bgp.bin", buf, sizeof(buf))) != 0 &&
	    rc != LL_ENOTFOUND) {
		msg_ok(round, "meta", store_errmsg(s));
		bad++;
	}
	store_free(s);
	return bad;
}

/* What an ingest does: points, an archive, a setting, one commit. */
static int
write_path(int round)
{
	struct store_point pts[] = {
		{ "country:CL", 1279829700, 16 }, { "asn:3320", 1279829700, 7 },
		{ "asn:65000", 1279830000, 1 },
	};
	struct store_archive a = {
		.sha256 = "ffeeddccbbaa99887766554433221100"
		    "ffeeddccbbaa99887766554433221100",
		.name = "mutated.gz", .size = 1, .first_time = 1279829700,
		.last_time = 1279830000, .records = 3, .points = 3,
		.status = STORE_ARCHIVE_OK,
	};
	struct store *s = NULL;
	char e[512];
	int rc;

	if ((rc = store_open(tpath("m.db"), 0, &s, e, sizeof(e))) != 0) {
		msg_ok(round, "open for writing", e);
		return 1;
	}
	if (store_tx_begin(s) != 0 || store_points_put(s, "bgp", "mutate",
	    pts, 3) != 0 || store_archive_record(s, &a) != 0 ||
	    store_meta_set(s, "bgp.bin", "300") != 0 ||
	    store_tx_commit(s) != 0) {
		msg_ok(round, "write", store_errmsg(s));
		store_free(s);
		return 1;
	}
	store_free(s);
	return 0;
}

/* ---- damage --------------------------------------------------------- */

/* Damages a copy of the pristine bytes; returns its length. */
static size_t
damage(unsigned char *buf, int round, char *how, size_t howlen)
{
	size_t len = plen, off = 0, n;

	memcpy(buf, pristine, plen);
	switch (round % 5) {
	case 0:		/* a few bits anywhere */
		n = 1 + rnd(4);
		for (size_t i = 0; i < n; i++) {
			off = rnd(len);
			buf[off] ^= (unsigned char)(1 + rnd(255));
		}
		snprintf(how, howlen, "%zu bytes flipped, last at %zu", n,
		    off);
		break;
	case 1:		/* the 100-byte header */
		n = 1 + rnd(3);
		for (size_t i = 0; i < n; i++) {
			off = rnd(100);
			buf[off] = (unsigned char)rnd(256);
		}
		snprintf(how, howlen, "%zu header bytes, last at %zu", n,
		    off);
		break;
	case 2:		/* cut short */
		len = rnd(plen);
		snprintf(how, howlen, "cut to %zu bytes", len);
		break;
	case 3:		/* a run of noise */
		n = 1 + rnd(64);
		off = rnd(len - n);
		for (size_t i = 0; i < n; i++)
			buf[off + i] = (unsigned char)rnd(256);
		snprintf(how, howlen, "%zu noisy bytes at %zu", n, off);
		break;
	default:	/* page 1's b-tree: the schema's root */
		off = 100 + rnd(200);
		buf[off] ^= (unsigned char)(1 + rnd(255));
		snprintf(how, howlen, "schema page byte %zu", off);
		break;
	}
	return len;
}

/* One CLI run: no crash, and a failure is one line. */
static void
cli_ok(int round, const char *how, const char *what, int st, int ok2)
{
	const char *e = err, *nl;

	/* an ingest's notes of bins left without values (coverage gaps)
	 * come before its error; the error itself is one line */
	while (strncmp(e, "lifeline: ingest: no values from ", 33) == 0 &&
	    (nl = strchr(e, '\n')) != NULL)
		e = nl + 1;
	nl = strchr(e, '\n');
	if (st >= 128 || (st != 0 && st != 3 && st != ok2))
		fail_msg("round %d (%s): %s: status %d: %s", round, how, what,
		    st, err);
	if (st == 3 && (strncmp(e, "lifeline: ", 10) != 0 || nl == NULL ||
	    nl[1] != '\0'))
		fail_msg("round %d (%s): %s failed without one line: \"%s\"",
		    round, how, what, err);
}

static void
test_mutations(void **state)
{
	unsigned long rounds = env_num("LL_MUTATIONS", 300);
	unsigned long every = env_num("LL_MUTATIONS_CLI_EVERY", 23);
	unsigned long seed = env_num("LL_MUTATIONS_SEED", 1);
	unsigned char *buf = malloc(plen);
	unsigned long refused[2] = { 0 }, cli = 0, cli_failed[2] = { 0 };

	(void)state;
	assert_non_null(buf);
	rng = 0x9e3779b97f4a7c15ull ^ seed;
	for (unsigned long r = 0; r < rounds; r++) {
		char how[96];
		size_t len = damage(buf, (int)r, how, sizeof(how));
		int st;

		place(buf, len);
		refused[0] += read_path((int)r) != 0;
		place(buf, len);
		refused[1] += write_path((int)r) != 0;
		if (every == 0 || r % every != 0)
			continue;
		cli++;
		place(buf, len);
		st = run("signal", "--db", "m.db", NULL);
		cli_ok((int)r, how, "signal", st, -1);
		cli_failed[0] += st != 0;
		place(buf, len);
		st = run("signal", "--db", "m.db", "--list", NULL);
		cli_ok((int)r, how, "signal --list", st, -1);
		place(buf, len);
		st = run("ingest", "bgp", "--db", "m.db", "--full-feed", "50%",
		    "--warmup", "5m", more, NULL);
		cli_ok((int)r, how, "ingest", st, 1);
		cli_failed[1] += st != 0;
	}
	print_message("%lu damaged copies (seed %lu): %lu refused by the "
	    "reader, %lu by the writer; %lu through the CLI: signal failed "
	    "on %lu, ingest on %lu\n", rounds, seed, refused[0], refused[1],
	    cli, cli_failed[0], cli_failed[1]);
	/* The damage is real: most copies are refused somewhere. */
	assert_true(refused[0] + refused[1] > rounds / 4);
	free(buf);
}

static int
setup(void **state)
{
	FILE *f;
	long n;

	(void)state;
	/* In memory when there is a tmpfs: each round's syncs would
	 * otherwise be most of its time. */
	snprintf(tmpdir, sizeof(tmpdir), "%s/ll-mutate-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* The real database: an ingest of one RIS update file. */
	/* (update files alone: the warm-up gives their collector a table) */
	if (run("ingest", "bgp", "--db", "pristine.db", "--full-feed", "50%",
	    "--warmup", "5m", good, NULL) != 0) {
		fprintf(stderr, "ingest of %s failed: %s", good, err);
		return -1;
	}
	if ((f = fopen(tpath("pristine.db"), "rb")) == NULL ||
	    fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0)
		return -1;
	rewind(f);
	plen = (size_t)n;
	if ((pristine = malloc(plen)) == NULL ||
	    fread(pristine, 1, plen, f) != plen)
		return -1;
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	free(pristine);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutations),
	};

	snprintf(good, sizeof(good), "%s", test_shared_or_skip(GOOD));
	snprintf(more, sizeof(more), "%s", test_shared_or_skip(MORE));
	return test_main("store-mutate", tests, setup,
	    teardown);
}
