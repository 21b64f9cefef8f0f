/* Placeholder until the geo command lands; replaced by its owner. */
#include "cmd/cmd.h"

int
cmd_geo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("geo: not built yet");
	return EXIT_FAIL;
}
