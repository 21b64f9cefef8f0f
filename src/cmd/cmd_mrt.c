/* Placeholder until the mrt command lands; replaced by its owner. */
#include "cmd/cmd.h"

int
cmd_mrt(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("mrt: not built yet");
	return EXIT_FAIL;
}
