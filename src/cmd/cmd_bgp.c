/* Placeholder until the bgp command lands; replaced by its owner. */
#include "cmd/cmd.h"

int
cmd_bgp(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("bgp: not built yet");
	return EXIT_FAIL;
}
