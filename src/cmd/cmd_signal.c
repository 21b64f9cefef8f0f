/* Placeholder until the signal command lands; replaced by its owner. */
#include "cmd/cmd.h"

int
cmd_signal(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("signal: not built yet");
	return EXIT_FAIL;
}
