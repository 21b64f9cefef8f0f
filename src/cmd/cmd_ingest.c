/* Placeholder until the ingest command lands; replaced by its owner. */
#include "cmd/cmd.h"

int
cmd_ingest(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("ingest: not built yet");
	return EXIT_FAIL;
}
