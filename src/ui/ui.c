/* ui.c: placeholder until the first screen lands. */
#include "config.h"

#include <stddef.h>

#include "mailbench/ui.h"

int
mb_ui_main(struct mb_cli *cli, int argc, char **argv)
{
	mb_cli_err(NULL, "the full-screen interface is not built yet");
	return MB_EXIT_FAIL;
}
