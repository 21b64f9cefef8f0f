/*
 * Opening databases that are not what they should be: damaged headers
 * (negative, huge and future versions, another program's application id,
 * missing tables), files that are not SQLite, empty and truncated files;
 * readers that must not write (an empty file stays empty, a missing one
 * is not created, a database in a read-only directory is still read);
 * paths that name no file ('', ':memory:'); and many processes creating
 * one new database at the same moment.
 *
 * Each case goes through the store (store_open) and through the CLI
 * (`lifeline signal`, the reader, and `lifeline ingest bgp`, a writer):
 * a refusal is one line naming the file, exit status 3, and the file is
 * left byte for byte as it was.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "testutil.h"
#include "util/err.h"

static char tmpdir[256];
static char err[8192];

static const char *
tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* Runs sql on a raw SQLite connection to path. */
static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s: %s", path, sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The whole file, malloc'ed, and its length (-1 when missing). */
static char *
slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	*len = -1;
	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	*len = ftell(f);
	rewind(f);
	assert_non_null(buf = malloc((size_t)*len + 1));
	assert_int_equal(fread(buf, 1, (size_t)*len, f), (size_t)*len);
	fclose(f);
	return buf;
}

static void
spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* A small database of the current schema: two series, an archive. */
static void
make_db(const char *path)
{
	struct store_point pts[] = {
		{ "asn:3320", 1609477200, 10 }, { "asn:3320", 1609477500, 11 },
		{ "country:DE", 1609477200, 5000.5 },
	};
	struct store_archive a = {
		.sha256 = "00112233445566778899aabbccddeeff"
		    "00112233445566778899aabbccddeeff",
		.name = "updates.20210101.0500.gz", .size = 1000,
		.first_time = 1609477200, .last_time = 1609477500,
		.records = 5, .points = 3, .status = STORE_ARCHIVE_OK,
	};
	struct store *s = NULL;
	char e[512];

	unlink(path);
	if (store_open(path, STORE_CREATE, &s, e, sizeof(e)) != 0)
		fail_msg("%s: %s", path, e);
	assert_int_equal(store_tx_begin(s), 0);
	assert_int_equal(store_points_put(s, "bgp", "test", pts, 3), 0);
	assert_int_equal(store_archive_record(s, &a), 0);
	assert_int_equal(store_meta_set(s, "bgp.bin", "300"), 0);
	assert_int_equal(store_tx_commit(s), 0);
	store_free(s);
}

/* Runs "cd tmpdir && $LIFELINE ARGS" with stderr in err; stdout is
 * dropped. Returns the exit status, 128 + signal when killed. */
static int
run(const char *fmt, ...)
{
	char args[2048], cmd[4096];
	const char *exe = getenv("LIFELINE");
	long len;
	char *e;
	va_list ap;
	int st;

	assert_non_null(exe);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && env -u LIFELINE_DB '%s' %s "
	    ">/dev/null 2>err.txt", tmpdir, exe, args);
	st = system(cmd);
	err[0] = '\0';
	if ((e = slurp(tpath("err.txt"), &len)) != NULL) {
		snprintf(err, sizeof(err), "%.*s", (int)len, e);
		free(e);
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* err is one line, "lifeline: ...", with want in it. */
static void
one_line(const char *what, const char *want)
{
	const char *nl = strchr(err, '\n');

	if (strncmp(err, "lifeline: ", 10) != 0 || nl == NULL ||
	    nl[1] != '\0' || strstr(err, want) == NULL)
		fail_msg("%s: want one line with \"%s\", got \"%s\"", what,
		    want, err);
}

/* store_open(path, flags) fails with rc and a one-line message holding
 * want and the path; path is left as it was. */
static void
refused(const char *path, unsigned flags, int rc, const char *want)
{
	struct store *s = (struct store *)&s;
	char e[1024];
	long n0, n1;
	char *b0 = slurp(path, &n0), *b1;

	e[0] = '\0';
	if (store_open(path, flags, &s, e, sizeof(e)) != rc)
		fail_msg("%s (flags %u, %ld bytes): want %s, got \"%s\"",
		    path, flags, n0, ll_strerror(rc), e);
	assert_null(s);
	if (strstr(e, want) == NULL || strstr(e, path) == NULL ||
	    strchr(e, '\n') != NULL)
		fail_msg("%s: want \"%s\" and the path, got \"%s\"", path,
		    want, e);
	b1 = slurp(path, &n1);
	assert_int_equal(n0, n1);
	if (n0 > 0)
		assert_memory_equal(b0, b1, (size_t)n0);
	free(b0);
	free(b1);
}

/* ---- damaged headers ------------------------------------------------- */

struct hcase {
	const char	*name;
	const char	*sql;		/* applied to a sound database */
	int		 rc;		/* store_open()'s, writer and reader */
	const char	*want;
};

static const struct hcase hcases[] = {
	{ "v-1.db", "PRAGMA user_version = -1", LL_EDB, "damaged database "
	    "header: schema version -1" },
	{ "v-2.db", "PRAGMA user_version = -2", LL_EDB, "schema version -2" },
	{ "v-3.db", "PRAGMA user_version = -3", LL_EDB, "schema version -3" },
	{ "v-7.db", "PRAGMA user_version = -7", LL_EDB, "schema version -7" },
	{ "vmin.db", "PRAGMA user_version = -2147483648", LL_EDB,
	    "damaged database header: schema version -2147483648" },
	{ "vmax.db", "PRAGMA user_version = 2147483647", LL_EDB,
	    "damaged database header: schema version 2147483647" },
	{ "v999.db", "PRAGMA user_version = 999", LL_EUNSUP,
	    "schema version 999 is newer than this Lifeline knows" },
	{ "app.db", "PRAGMA application_id = 7", LL_EUNSUP,
	    "not a Lifeline database (application id 0x00000007)" },
	{ "app0.db", "PRAGMA application_id = 0", LL_EUNSUP,
	    "not a Lifeline database" },
	{ "appneg.db", "PRAGMA application_id = -1", LL_EUNSUP,
	    "not a Lifeline database (application id 0xffffffff)" },
	{ "v0.db", "PRAGMA user_version = 0", LL_EDB,
	    "schema version 0, yet it holds tables" },
	{ "notables.db", "DROP TABLE chunk; DROP TABLE archive", LL_EDB,
	    "2 of its 5 tables are missing" },
};

/* A sound database given a damaged header, then a file that is not
 * SQLite, and truncated copies: store_open() refuses each, reader and
 * writer, without crashing or changing the file. */
static void
test_header_store(void **state)
{
	long len;
	char *b;

	(void)state;
	for (size_t i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		const char *p = tpath(hcases[i].name);

		make_db(p);
		raw_exec(p, hcases[i].sql);
		refused(p, 0, hcases[i].rc, hcases[i].want);
		refused(p, STORE_CREATE, hcases[i].rc, hcases[i].want);
		refused(p, STORE_RDONLY, hcases[i].rc, hcases[i].want);
	}

	/* Not SQLite at all. */
	spit(tpath("text.db"), "time,entity,value\n2021-01-01T00:00:00Z,"
	    "asn:1,5\nand more text than SQLite's 100-byte header holds......"
	    "........\n", 107);
	refused(tpath("text.db"), 0, LL_EDB, "file is not a database");
	refused(tpath("text.db"), STORE_RDONLY, LL_EDB,
	    "file is not a database");

	/* Truncated: inside the header, after the first page, halfway. */
	make_db(tpath("whole.db"));
	b = slurp(tpath("whole.db"), &len);
	assert_true(len > 3 * 16384);
	{
		const long cut[] = { 1, 60, 99, 100, 4096, 16384, 16385,
		    len / 2, len - 1 };

		for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
			spit(tpath("cut.db"), b, (size_t)cut[i]);
			refused(tpath("cut.db"), STORE_RDONLY, LL_EDB,
			    "cut.db: ");
			refused(tpath("cut.db"), 0, LL_EDB, "cut.db: ");
		}
	}
	free(b);
}

/* The same through the CLI: `signal` (reader) and `ingest bgp` (writer;
 * it opens the store before it reads a file) exit 3 with one line. */
static void
test_header_cli(void **state)
{
	const char *mrt = test_data("hostile/empty.mrt");
	long len;
	char *b;

	(void)state;
	for (size_t i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		const char *p = tpath(hcases[i].name);
		char *b0;
		long n0, n1;

		make_db(p);
		raw_exec(p, hcases[i].sql);
		b0 = slurp(p, &n0);
		assert_int_equal(run("signal --db %s --list", hcases[i].name),
		    3);
		one_line(hcases[i].name, hcases[i].want);
		assert_int_equal(run("ingest bgp --db %s '%s'",
		    hcases[i].name, mrt), 3);
		one_line(hcases[i].name, hcases[i].want);
		b = slurp(p, &n1);
		assert_int_equal(n0, n1);
		assert_memory_equal(b0, b, (size_t)n0);
		free(b0);
		free(b);
	}
	spit(tpath("text.db"), "not SQLite\n", 11);
	assert_int_equal(run("signal --db text.db --list"), 3);
	one_line("text.db", "text.db: file is not a database");
	assert_int_equal(run("ingest bgp --db text.db '%s'", mrt), 3);
	one_line("text.db", "text.db: file is not a database");

	make_db(tpath("whole.db"));
	b = slurp(tpath("whole.db"), &len);
	spit(tpath("cut.db"), b, (size_t)len / 2);
	free(b);
	assert_int_equal(run("signal --db cut.db --list"), 3);
	one_line("cut.db", "cut.db: ");
	assert_int_equal(run("ingest bgp --db cut.db '%s'", mrt), 3);
	one_line("cut.db", "cut.db: ");
}

/* ---- readers never write -------------------------------------------- */

static void
test_reader_writes_nothing(void **state)
{
	char *b0, *b1;
	long n0, n1;

	(void)state;
	/* An empty file stays empty (it once became a 180 KB store). */
	spit(tpath("empty.db"), "", 0);
	refused(tpath("empty.db"), STORE_RDONLY, LL_EUNSUP,
	    "empty, not a Lifeline database");
	assert_int_equal(run("signal --db empty.db --list"), 3);
	one_line("empty.db", "empty.db: empty, not a Lifeline database");
	b0 = slurp(tpath("empty.db"), &n0);
	assert_int_equal(n0, 0);
	free(b0);
	assert_false(exists(tpath("empty.db-wal")));

	/* A missing one is not created. */
	refused(tpath("missing.db"), STORE_RDONLY, LL_ENOTFOUND,
	    "no such database");
	assert_int_equal(run("signal --db missing.db"), 3);
	one_line("missing.db", "missing.db: no such database");
	assert_false(exists(tpath("missing.db")));

	/* An old schema is not upgraded by a reader. */
	make_db(tpath("old.db"));
	raw_exec(tpath("old.db"), "PRAGMA user_version = 2");
	b0 = slurp(tpath("old.db"), &n0);
	assert_int_equal(run("signal --db old.db --list"), 3);
	one_line("old.db", "needs an upgrade");
	b1 = slurp(tpath("old.db"), &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(b0, b1, (size_t)n0);
	free(b0);
	free(b1);

	/* A sound one is read, and its bytes stay. */
	make_db(tpath("sound.db"));
	b0 = slurp(tpath("sound.db"), &n0);
	assert_int_equal(run("signal --db sound.db --entity asn:3320"), 0);
	assert_string_equal(err, "");
	b1 = slurp(tpath("sound.db"), &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(b0, b1, (size_t)n0);
	free(b0);
	free(b1);

	/* A writer may take an empty file (mktemp's) as a new store. */
	spit(tpath("new.db"), "", 0);
	{
		struct store *s = NULL;
		char e[256];

		assert_int_equal(store_open(tpath("new.db"), STORE_CREATE, &s,
		    e, sizeof(e)), 0);
		assert_int_equal(store_schema_version(s),
		    store_schema_latest());
		store_free(s);
	}
}

static int
count_one(void *ctx, const struct store_point *p)
{
	(void)p;
	(*(size_t *)ctx)++;
	return 0;
}

/* Reads dir/name with the store, read-only; returns the points of
 * asn:3320, or -1 with the message in err. */
static int
read_points(const char *path)
{
	struct store *s = NULL;
	size_t n = 0;

	err[0] = '\0';
	if (store_open(path, STORE_RDONLY, &s, err, sizeof(err)) != 0)
		return -1;
	if (store_points_scan(s, "bgp", "asn:3320", INT64_MIN, INT64_MAX,
	    count_one, &n) != 0) {
		snprintf(err, sizeof(err), "%s", store_errmsg(s));
		n = (size_t)-1;
	}
	store_free(s);
	return (int)n;
}

/*
 * Runs read_points(path) in a child that cannot write dir: as root, whom
 * chmod does not stop, the child drops to nobody first. Returns its
 * result; sets *skip when that cannot be arranged.
 */
static int
read_as_other(const char *path, bool *skip)
{
	int fd[2], got = -2;
	pid_t pid;

	*skip = false;
	assert_int_equal(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		int r, probe;
		char tmp[600];

		close(fd[0]);
		if (geteuid() == 0 && (setgid(65534) != 0 ||
		    setuid(65534) != 0))
			_exit(77);
		if (access(path, R_OK) != 0)	/* e.g. a private $TMPDIR */
			_exit(77);
		/* Honest only if the directory now stops us. */
		snprintf(tmp, sizeof(tmp), "%s.probe", path);
		if ((probe = open(tmp, O_CREAT | O_WRONLY, 0600)) >= 0) {
			close(probe);
			unlink(tmp);
			_exit(77);
		}
		r = read_points(path);
		if (write(fd[1], &r, sizeof(r)) != sizeof(r) ||
		    write(fd[1], err, strlen(err) + 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	{
		int st;
		ssize_t n;

		if (read(fd[0], &got, sizeof(got)) != sizeof(got))
			got = -2;
		n = read(fd[0], err, sizeof(err) - 1);
		err[n > 0 ? n : 0] = '\0';
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		*skip = WEXITSTATUS(st) == 77;
	}
	close(fd[0]);
	return got;
}

/*
 * A WAL database in a directory the reader cannot write: SQLite cannot
 * make the WAL index beside it. Read as immutable when no log holds
 * commits; refused in one line when one does.
 */
static void
test_readonly_dir(void **state)
{
	char dir[300], db[400], cmd[800];
	bool skip;
	int n;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/ro", tmpdir);
	snprintf(db, sizeof(db), "%s/ro/x.db", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	make_db(db);
	{
		long len;
		char *b = slurp(db, &len);

		/* header bytes 18 and 19: 2 is WAL */
		assert_true(len > 100 && b[18] == 2 && b[19] == 2);
		free(b);
	}
	assert_false(exists(tpath("ro/x.db-wal")));
	assert_int_equal(chmod(tmpdir, 0755), 0);
	assert_int_equal(chmod(db, 0644), 0);
	assert_int_equal(chmod(dir, 0555), 0);
	n = read_as_other(db, &skip);
	if (skip) {
		chmod(dir, 0755);
		test_skip("cannot make a user the directory stops");
	}
	if (n != 2)
		fail_msg("read-only directory: %d points, \"%s\"", n, err);
	assert_false(exists(tpath("ro/x.db-wal")));
	assert_false(exists(tpath("ro/x.db-shm")));

	/* A log with commits in it, its index gone: not read as if the
	 * file were all there is. */
	assert_int_equal(chmod(dir, 0755), 0);
	if (fork() == 0) {
		sqlite3 *db3;

		if (sqlite3_open(db, &db3) != SQLITE_OK ||
		    sqlite3_exec(db3, "PRAGMA wal_autocheckpoint = 0; "
		    "INSERT INTO meta VALUES ('k', 'v')", NULL, NULL, NULL) !=
		    SQLITE_OK)
			_exit(1);
		_exit(0);	/* no close: the log stays */
	}
	{
		int st;

		assert_true(wait(&st) > 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_true(exists(tpath("ro/x.db-wal")));
	snprintf(cmd, sizeof(cmd), "%s-shm", db);
	assert_int_equal(unlink(cmd), 0);
	assert_int_equal(chmod(dir, 0555), 0);
	n = read_as_other(db, &skip);
	assert_false(skip);
	assert_int_equal(n, -1);
	assert_non_null(strstr(err, "x.db-wal holds commits"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(chmod(dir, 0755), 0);
	/* where it can be written, it is read whole */
	assert_int_equal(read_points(db), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM meta"), 2);
}

/* ---- paths that name no file ---------------------------------------- */

static void
test_no_file_paths(void **state)
{
	const char *mrt = test_data("hostile/empty.mrt");
	const char *bad[] = { "", "sqlite:", ":memory:", "sqlite::memory:" };
	struct store *s = NULL;
	char e[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(store_open(bad[i], STORE_CREATE, &s, e,
		    sizeof(e)), LL_EINVAL);
		assert_null(s);
		assert_int_equal(store_open(bad[i], STORE_RDONLY, &s, e,
		    sizeof(e)), LL_EINVAL);
	}
	/* Every command that takes --db. */
	assert_int_equal(run("signal --db ''"), 3);
	one_line("signal --db ''", "empty database path");
	assert_int_equal(run("signal --db :memory: --list"), 3);
	one_line("signal --db :memory:", "':memory:' is not a database file");
	assert_int_equal(run("ingest bgp --db '' '%s'", mrt), 3);
	one_line("ingest --db ''", "empty database path");
	assert_int_equal(run("ingest bgp --db :memory: '%s'", mrt), 3);
	one_line("ingest --db :memory:", "':memory:' is not a database file");
	assert_int_equal(run("ingest bgp --db sqlite::memory: '%s'", mrt), 3);
	one_line("ingest --db sqlite::memory:", "':memory:'");
	assert_false(exists(tpath("lifeline.db")));

	/* "file:" is a path here, not a URI that SQLite would read as
	 * "?mode=memory". */
	assert_int_equal(store_open(tpath("file:u.db?mode=memory"),
	    STORE_RDONLY, &s, e, sizeof(e)), LL_ENOTFOUND);
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(store_open("file:u.db?mode=memory", STORE_CREATE, &s,
	    e, sizeof(e)), 0);
	store_free(s);
	assert_true(exists(tpath("file:u.db?mode=memory")));
	assert_int_equal(store_open("file:u.db?mode=memory", STORE_RDONLY, &s,
	    e, sizeof(e)), 0);
	store_free(s);

	/* A directory is said to be one. */
	assert_int_equal(run("signal --db . --list"), 3);
	one_line("signal --db .", ".: is a directory");
}

/* ---- many creators at once ------------------------------------------ */

#define CREATORS	8
#define ROUNDS		10

/* One creator: opens (creating), writes its point and a setting in one
 * transaction. Exit 0, or 1 after printing why. */
static void
creator(const char *path, int k, int go)
{
	struct store_point pt = { NULL, 1609459200 + 300 * k, k };
	struct store *s = NULL;
	char e[512], ent[32];
	int rc;

	if (read(go, e, 1) != 1)	/* all start together */
		_exit(2);
	snprintf(ent, sizeof(ent), "asn:%d", k + 1);
	pt.entity = ent;
	if ((rc = store_open(path, STORE_CREATE, &s, e, sizeof(e))) != 0) {
		fprintf(stderr, "creator %d: %s\n", k, e);
		_exit(1);
	}
	if (store_tx_begin(s) != 0 || store_points_put(s, "bgp", "c", &pt,
	    1) != 0 || store_meta_set(s, "bgp.bin", "300") != 0 ||
	    store_tx_commit(s) != 0) {
		fprintf(stderr, "creator %d: %s\n", k, store_errmsg(s));
		_exit(1);
	}
	store_free(s);
	_exit(0);
}

static int
count_all(void *ctx, const struct store_series *ser)
{
	*(uint64_t *)ctx += ser->points;
	return 0;
}

/* CREATORS processes create one new file at the same moment, ROUNDS
 * times: every one succeeds, and the file is one sound database holding
 * every point. */
static void
test_concurrent_create(void **state)
{
	int failed = 0;

	(void)state;
	for (int r = 0; r < ROUNDS; r++) {
		const char *p = tpath("race.db");
		char side[600];
		int go[2];
		pid_t pid[CREATORS];
		struct store *s = NULL;
		sqlite3 *hold = NULL;
		uint64_t n = 0;
		char e[512];

		unlink(p);
		snprintf(side, sizeof(side), "%s-wal", p);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", p);
		unlink(side);
		assert_int_equal(pipe(go), 0);
		for (int k = 0; k < CREATORS; k++) {
			if ((pid[k] = fork()) == 0) {
				close(go[1]);
				creator(p, k, go[0]);
			}
			assert_true(pid[k] > 0);
		}
		close(go[0]);
		/* Every other round, the new file is an empty SQLite file
		 * of one page (as a creator that has just begun leaves
		 * it), and another connection holds its write lock while
		 * the creators start, as one of them does while it
		 * migrates: they meet it at the switch to WAL, where SQLite
		 * refuses at once (no busy wait) a connection that holds a
		 * read lock. It lets go once a creator has given up, or
		 * after a while. */
		if (r % 2 == 1) {
			raw_exec(p, "PRAGMA page_size = 16384; "
			    "PRAGMA user_version = 0");
			assert_int_equal(sqlite3_open(p, &hold), SQLITE_OK);
			assert_int_equal(sqlite3_exec(hold, "BEGIN IMMEDIATE",
			    NULL, NULL, NULL), SQLITE_OK);
		}
		for (int k = 0; k < CREATORS; k++)
			assert_int_equal(write(go[1], "x", 1), 1);
		close(go[1]);
		for (int t = 0; hold != NULL && t < 60; t++) {
			siginfo_t si = { 0 };

			if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG |
			    WNOWAIT) == 0 && si.si_pid != 0)
				break;
			usleep(5000);
		}
		if (hold != NULL) {
			assert_int_equal(sqlite3_exec(hold, "COMMIT", NULL,
			    NULL, NULL), SQLITE_OK);
			sqlite3_close(hold);
			hold = NULL;
		}
		for (int k = 0; k < CREATORS; k++) {
			int st;

			assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
		}
		if (failed > 0)
			fail_msg("round %d: %d of %d creators failed", r,
			    failed, CREATORS);
		assert_int_equal(raw_int(p, "SELECT count(*) FROM "
		    "pragma_integrity_check WHERE integrity_check != 'ok'"),
		    0);
		assert_int_equal(raw_int(p, "PRAGMA page_size"), 16384);
		assert_int_equal(store_open(p, STORE_RDONLY, &s, e, sizeof(e)),
		    0);
		assert_int_equal(store_series_list(s, "bgp", count_all, &n),
		    0);
		assert_int_equal(n, CREATORS);
		store_free(s);
	}
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/ll-open-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[700];

	(void)state;
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", tmpdir,
	    tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_store),
		cmocka_unit_test(test_header_cli),
		cmocka_unit_test(test_reader_writes_nothing),
		cmocka_unit_test(test_readonly_dir),
		cmocka_unit_test(test_no_file_paths),
		cmocka_unit_test(test_concurrent_create),
	};

	if (getenv("LL_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("LL_TEST_FILTER"));
	return test_main("store-open", tests, setup,
	    teardown);
}
