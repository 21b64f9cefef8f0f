/*
 * lifeline db copy FROM TO: moves a store between backends (a SQLite file
 * and a PostgreSQL database, either way) and checks the copy.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "util/err.h"

static void
db_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline db copy FROM TO\n"
	    "\n"
	    "Copies the store FROM into the new store TO, in one transaction,\n"
	    "then reads both through and compares them (settings, archives,\n"
	    "gaps, series, every point). FROM and TO are database URLs: a\n"
	    "SQLite file (PATH or sqlite:PATH) or postgresql://... (the\n"
	    "database must exist; TO must hold no store yet).\n"
	    "The source each point was written with is not carried.\n"
	    "\n"
	    "exit status: 0 copied and verified, 2 usage, 3 failure (a\n"
	    "database could not be used, TO is not empty, or the copy differs)\n");
}

static int
db_copy(const char *from_url, const char *to_url)
{
	struct store *from = NULL, *to = NULL;
	struct store_copy_stats st, vs;
	char err[600];
	int rc = EXIT_FAIL;

	if (store_open(from_url, STORE_RDONLY, &from, err, sizeof(err)) != 0) {
		cli_err("db copy: %s", err);
		return EXIT_FAIL;
	}
	if (store_open(to_url, STORE_CREATE, &to, err, sizeof(err)) != 0) {
		cli_err("db copy: %s", err);
		goto out;
	}
	if (store_copy(from, to, &st, err, sizeof(err)) != 0) {
		cli_err("db copy: %s", err);
		goto out;
	}
	if (store_verify(from, to, &vs, err, sizeof(err)) != 0) {
		cli_err("db copy: verify: %s", err);
		goto out;
	}
	printf("copied %s to %s and verified: %llu settings, %llu archives, "
	    "%llu gaps, %llu series, %llu points, %llu kinds, %llu detection "
	    "rows, %llu events, %llu evidence records\n", store_backend(from),
	    store_backend(to), (unsigned long long)vs.meta,
	    (unsigned long long)vs.archives, (unsigned long long)vs.gaps,
	    (unsigned long long)vs.series, (unsigned long long)vs.points,
	    (unsigned long long)vs.kinds, (unsigned long long)vs.detection,
	    (unsigned long long)vs.events, (unsigned long long)vs.evidence);
	rc = 0;
out:
	store_free(from);
	store_free(to);
	return rc;
}

int
cmd_db_copy(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		db_usage(stdout);
		return 0;
	}
	if (argc < 2) {
		db_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "copy") == 0) {
		for (int i = 2; i < argc; i++)
			if (argv[i][0] == '-' && argv[i][1] != '\0') {
				cli_err("db copy: unknown option '%s' (see "
				    "lifeline db --help)", argv[i]);
				return EXIT_USAGE;
			}
		if (argc != 4) {
			cli_err("db copy: give FROM and TO (see lifeline db "
			    "--help)");
			return EXIT_USAGE;
		}
		return db_copy(argv[2], argv[3]);
	}
	cli_err("db: unknown subcommand '%s' (see lifeline db --help)",
	    argv[1]);
	return EXIT_USAGE;
}
