/* Placeholder until the simulate command lands; replaced by its owner. */
#include "cmd/cmd.h"

int
cmd_simulate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("simulate: not built yet");
	return EXIT_FAIL;
}
