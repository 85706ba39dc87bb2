/*
 * stubs.c: subcommands that are not built yet. Each says so plainly and
 * fails, so that nobody mistakes a stub for a feature.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mailbench/cli.h"

static int
not_yet(const char *cmd, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: mailbench %s ... (not implemented yet)\n", cmd);
		return MB_EXIT_OK;
	}
	mb_cli_err(cmd, "not implemented yet");
	return MB_EXIT_FAIL;
}

int mb_cmd_fetch(struct mb_cli *cli, int argc, char **argv) { return not_yet("fetch", argc, argv); }
