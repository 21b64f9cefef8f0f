/*
 * lifeline: git-style dispatch to the commands in cmd_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"

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
	{ "bus", cmd_bus, "the NATS streams' state (bus status), publish a "
	    "message" },
	{ "signal", cmd_signal, "read a signal back from the store" },
	{ "db", cmd_db, "what a database holds: archives, series, settings, "
	    "gaps" },
	{ "export", cmd_export, "the store's points as CSV, streamed" },
	{ "import", cmd_import, "import series from other observatories "
	    "(import series|monash|ndt|ooni)" },
	{ "fetch", cmd_fetch, "download RIS / RouteViews archives" },
	{ "simulate", cmd_simulate, "write synthetic MRT archives with an "
	    "outage" },
	{ "rpki", cmd_rpki, "route origin validation against VRPs, VRP "
	    "snapshot changes (rpki validate|diff)" },
	{ "evidence", cmd_evidence, "the signed, chained evidence log "
	    "(evidence record|list|verify|export|check)" },
	{ "keygen", cmd_evidence, "make the Ed25519 key pair that signs "
	    "evidence" },
	{ "agent", cmd_agent, "live feeds: a BMP collector (agent bmp), "
	    "the active prober (agent probe); archives' signal to NATS with "
	    "agent bgp" },
	{ "routing", cmd_routing, "routing monitors over archives against a "
	    "watchlist (routing check)" },
	{ "watch", cmd_watch, "write a watchlist from archives (watch "
	    "generate)" },
	{ "geo", cmd_geo, "look up where addresses are (geo lookup)" },
	{ "registry", cmd_registry, "compare RIR delegation snapshots "
	    "(registry diff)" },
	{ "resilience", cmd_resilience, "a country's upstreams, gateways, "
	    "chokepoints, AS hegemony" },
	{ "detect", cmd_detect, "detect outages in the stored signals" },
	{ "incidents", cmd_incidents, "list, show, verify and close "
	    "incidents" },
	{ "baseline", cmd_baseline, "pin an entity's pre-crisis baseline "
	    "(baseline pin)" },
	{ "impact", cmd_impact, "an incident's impact: space, users, "
	    "duration, restoration, cost" },
	{ "index", cmd_index, "the access index of an entity per day" },
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
