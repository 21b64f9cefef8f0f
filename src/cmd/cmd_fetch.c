/* Placeholder until the fetch command lands; replaced by its owner. */
#include "cmd/cmd.h"

int
cmd_fetch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("fetch: not built yet");
	return EXIT_FAIL;
}
