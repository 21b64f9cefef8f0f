/*
 * What the CLI says about files: a name with a newline or a terminal
 * escape sequence in it is printed escaped (\n, \x1b), so that a message
 * stays one line and cannot drive the terminal; and a directory given as
 * an archive is named as one, not blamed on the file after it.
 *
 * The commands run through fork and exec with argv, so the names reach
 * lifeline as they are.
 */
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

#include "testutil.h"

#define NAME	"bad\nname\x1b[31m"	/* as made on disk */
#define SHOWN	"bad\\nname\\x1b[31m"	/* as printed */

static char tmpdir[256];
static char err[1 << 16];

static const char *
tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void
copy(const char *from, const char *to)
{
	char buf[4096];
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	size_t n;

	assert_non_null(a);
	assert_non_null(b);
	while ((n = fread(buf, 1, sizeof(buf), a)) > 0)
		assert_int_equal(fwrite(buf, 1, n, b), n);
	fclose(a);
	assert_int_equal(fclose(b), 0);
}

/* Runs $LIFELINE with the NULL-terminated arguments, in tmpdir; stderr
 * in err, stdout dropped. Returns the exit status. */
static int
run(const char *arg, ...)
{
	const char *argv[32];
	const char *exe = getenv("LIFELINE");
	va_list ap;
	size_t n = 0;
	pid_t pid;
	int st, fd;
	ssize_t got, len = 0;

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
	assert_true(WIFEXITED(st));
	fd = open(tpath("err.txt"), O_RDONLY);
	assert_true(fd >= 0);
	while ((got = read(fd, err + len, sizeof(err) - 1 - (size_t)len)) > 0)
		len += got;
	err[len] = '\0';
	close(fd);
	return WEXITSTATUS(st);
}

/* Every line of err: printable, begins with one of the prefixes, shows
 * the name escaped when it names the file; returns the number of lines. */
static int
lines_clean(const char *pre1, const char *pre2)
{
	int n = 0;

	for (const char *l = err; *l != '\0'; n++) {
		const char *nl = strchr(l, '\n');

		if (nl == NULL)
			fail_msg("last line has no end: \"%s\"", l);
		for (const char *c = l; c < nl; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				fail_msg("control byte 0x%02x in \"%.*s\"",
				    (unsigned char)*c, (int)(nl - l), l);
		if (strncmp(l, pre1, strlen(pre1)) != 0 &&
		    (pre2 == NULL || strncmp(l, pre2, strlen(pre2)) != 0))
			fail_msg("line \"%.*s\" begins with neither \"%s\" "
			    "nor \"%s\"", (int)(nl - l), l, pre1,
			    pre2 != NULL ? pre2 : "");
		l = nl + 1;
	}
	return n;
}

static void
test_names_escaped(void **state)
{
	const char *garbage = test_data("hostile/garbage_between.mrt");
	char shown[600];

	(void)state;
	copy(garbage, tpath(NAME ".mrt"));

	/* A damaged archive: the reader's report and the summary. */
	assert_int_equal(run("mrt", "dump", NAME ".mrt", NULL), 1);
	assert_int_equal(lines_clean(SHOWN ".mrt: ", "lifeline: " SHOWN
	    ".mrt: "), 2);
	assert_non_null(strstr(err, SHOWN ".mrt: offset 79: "));

	/* A missing one, through cli_err: one line. */
	assert_int_equal(run("mrt", "dump", NAME ".gone", NULL), 3);
	assert_int_equal(lines_clean("lifeline: " SHOWN ".gone: ", NULL), 1);
	assert_int_equal(run("bgp", "visibility", NAME ".gone", NULL), 3);
	assert_int_equal(lines_clean("lifeline: " SHOWN ".gone: ", NULL), 1);

	/* Databases: the store's messages carry the path. */
	assert_int_equal(run("signal", "--db", NAME ".db", NULL), 3);
	assert_int_equal(lines_clean("lifeline: signal: " SHOWN ".db: no "
	    "such database", NULL), 1);
	assert_int_equal(run("signal", "--db", NAME ".mrt", NULL), 3);
	assert_int_equal(lines_clean("lifeline: signal: " SHOWN ".mrt: file "
	    "is not a database", NULL), 1);
	assert_int_equal(run("ingest", "bgp", "--db", NAME ".mrt", garbage,
	    NULL), 3);
	assert_int_equal(lines_clean("lifeline: ingest: " SHOWN ".mrt: file "
	    "is not a database", NULL), 1);

	/* A backslash is escaped too, so that "\n" in a name is not taken
	 * for a newline. */
	copy(garbage, tpath("back\\slash.mrt"));
	assert_int_equal(run("mrt", "dump", "back\\slash.mrt", NULL), 1);
	assert_int_equal(lines_clean("back\\\\slash.mrt: ",
	    "lifeline: back\\\\slash.mrt: "), 2);

	/* Messages of the library naming a time given on the command
	 * line are escaped as well. */
	assert_int_equal(run("signal", "--from", "2011-02-30\x1b[2J", NULL),
	    2);
	snprintf(shown, sizeof(shown), "lifeline: signal: --from "
	    "2011-02-30\\x1b[2J: ");
	assert_int_equal(lines_clean(shown, NULL), 1);
}

/* What a command said about DIR: one line or more, each naming DIR,
 * saying it is a directory (a failure, or refused as usage), and nothing
 * about the good file given with it. */
static void
about_dir(int st)
{
	assert_true(st == 2 || st == 3);
	assert_true(lines_clean("lifeline: DIR: ", NULL) >= 1);
	assert_non_null(strstr(err, "s a directory"));
	assert_null(strstr(err, "empty.mrt"));
}

/* A directory among the archives: the message names it and says it is
 * one; the archive after it is not blamed. */
static void
test_directory_as_archive(void **state)
{
	const char *good = test_data("hostile/empty.mrt");

	(void)state;
	assert_int_equal(mkdir(tpath("DIR"), 0755), 0);
	about_dir(run("bgp", "visibility", "DIR", good, NULL));
	assert_int_equal(lines_clean("lifeline: DIR: ", NULL), 1);
	about_dir(run("bgp", "visibility", good, "DIR", NULL));
	assert_int_equal(lines_clean("lifeline: DIR: ", NULL), 1);
	about_dir(run("mrt", "dump", "DIR", NULL));
	assert_int_equal(lines_clean("lifeline: DIR: ", NULL), 1);
	about_dir(run("ingest", "bgp", "--db", "x.db", "DIR", good, NULL));
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/ll-msg-XXXXXX",
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
		cmocka_unit_test(test_names_escaped),
		cmocka_unit_test(test_directory_as_archive),
	};

	return test_main("cli-messages", tests, setup,
	    teardown);
}
