/*
 * lifeline: git-style dispatch to the commands in cmd_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cmd/cmd.h"

struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
};

static const struct command commands[] = {
	{ "mrt", cmd_mrt, "decode MRT archives (mrt dump)" },
	{ "bgp", cmd_bgp, "compute BGP signals from archives, no store "
	    "(bgp visibility)" },
	{ "ingest", cmd_ingest, "replay archives into the store (ingest bgp)" },
	{ "signal", cmd_signal, "read a signal back from the store" },
	{ "fetch", cmd_fetch, "download RIS / RouteViews archives" },
	{ "simulate", cmd_simulate, "write synthetic MRT archives with an "
	    "outage" },
	{ "rpki", cmd_rpki, "route origin validation against VRPs (rpki "
	    "validate)" },
	{ "db", cmd_db, "move a store between backends (db copy)" },
	{ "geo", cmd_geo, "look up where addresses are (geo lookup)" },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline <command> [options]\n"
	    "\n"
	    "Watches Internet access: decodes BGP archives, computes the\n"
	    "visibility signal per country, region and AS, and keeps it.\n"
	    "\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f,
	    "\n"
	    "global:\n"
	    "  --help       this text; `lifeline <command> --help` for one\n"
	    "  --version    print the version\n"
	    "\n"
	    "exit status: 0 ok, 1 data errors in the input, 2 usage,\n"
	    "3 failure (file, network, database). See docs/lifeline.md.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("lifeline %s\n", LIFELINE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_err("'%s' is not a command; see 'lifeline --help'", argv[1]);
	return EXIT_USAGE;
}
