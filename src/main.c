/*
 * main.c: argv -> a cli subcommand, or the TUI.
 *
 * Global options may stand anywhere on the command line and are removed
 * before the subcommand sees argv: --config FILE, --cache FILE, --no-color.
 */
#include "config.h"

#include <locale.h>
#if defined(HAVE_MALLOC_H) && defined(HAVE_MALLOPT)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/cli.h"
#include "mailbench/store.h"
#include "mailbench/ui.h"

static void
usage(FILE *f)
{
	const struct mb_cli_cmd *c;

	fprintf(f,
	        "usage: mailbench [--config FILE] [--cache FILE] [--account NAME] [--theme NAME]\n"
	        "       mailbench COMMAND [OPTIONS]   (mailbench COMMAND --help for more)\n"
	        "\n"
	        "A terminal workbench for learning, teaching and debugging SMTP, POP3 and IMAP.\n"
	        "Without a command, opens the full-screen interface.\n"
	        "\n"
	        "Commands:\n");
	for (c = mb_cli_cmds; c->name != NULL; c++)
		fprintf(f, "  %-11s %s\n", c->name, c->summary);
	fprintf(f,
	        "\n"
	        "Options (anywhere on the command line):\n"
	        "  --config FILE  configuration file (default $XDG_CONFIG_HOME/mailbench/config)\n"
	        "  --cache FILE   cache database (default $XDG_DATA_HOME/mailbench/cache.db)\n"
	        "  --no-color     no colour (NO_COLOR in the environment does the same)\n"
	        "  --help         this text\n"
	        "  --version      print the version\n"
	        "\n"
	        "Built-in accounts: 'lab' (mailbench lab start) and 'mailpit' (localhost:1025).\n"
	        "Exit codes: see mailbench(1).\n");
}

/* Remove argv[i] .. argv[i+n-1]. */
static void
drop_args(int *argc, char **argv, int i, int n)
{
	memmove(&argv[i], &argv[i + n], (size_t)(*argc - i - n + 1) * sizeof *argv);
	*argc -= n;
}

/*
 * Take a global option with a value out of argv, in either spelling
 * (--opt VALUE, --opt=VALUE). Returns -1 after a usage error.
 */
static int
take_global(int *argc, char **argv, int i, const char *name, const char **out)
{
	size_t n = strlen(name);

	if (strcmp(argv[i], name) == 0) {
		if (i + 1 >= *argc)
			return mb_cli_usage_error(NULL, "option '%s' needs an argument", name), -1;
		*out = argv[i + 1];
		drop_args(argc, argv, i, 2);
		return 1;
	}
	if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
		*out = argv[i] + n + 1;
		drop_args(argc, argv, i, 1);
		return 1;
	}
	return 0;
}

static int
strip_globals(struct mb_cli *cli, int *argc, char **argv)
{
	int i = 1, r;

	while (i < *argc) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if ((r = take_global(argc, argv, i, "--config", &cli->config_path)) != 0 ||
		    (r = take_global(argc, argv, i, "--cache", &cli->cache_path)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (strcmp(argv[i], "--no-color") == 0 || strcmp(argv[i], "--no-colour") == 0) {
			cli->no_color = true;
			drop_args(argc, argv, i, 1);
			continue;
		}
		i++;
	}
	return 0;
}

/*
 * A sync allocates and frees message buffers of up to a few MiB, on two
 * threads. By default glibc gives each of those its own fresh mapping
 * (faulted in page by page, zeroed, unmapped at free), or trims the heap
 * under it: about 0.2 s of a 10 000-message POP3 fetch. Served from the
 * heap, with up to 16 MiB of free top kept, the same pages are reused; the
 * memory stays bounded, since the pipe queues at most 8 MiB of sources.
 */
static void
tune_malloc(void)
{
#if defined(HAVE_MALLOC_H) && defined(HAVE_MALLOPT)
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
}

int
main(int argc, char **argv)
{
	struct mb_cli cli = {0};
	const struct mb_cli_cmd *cmd;
	const char *nc;

	/* libetpan writes to sockets without MSG_NOSIGNAL: a closed peer must
	 * not kill the process (and lose a draft) */
	signal(SIGPIPE, SIG_IGN);
	setlocale(LC_ALL, "");
	tune_malloc();
	mb_store_process_init();

	if (strip_globals(&cli, &argc, argv) < 0)
		return MB_EXIT_USAGE;
	nc = getenv("NO_COLOR");
	if (nc != NULL && *nc != '\0')
		cli.no_color = true;

	if (argc >= 2 && argv[1][0] != '-') {
		cmd = mb_cli_find(argv[1]);
		if (cmd == NULL)
			return mb_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
		mb_cli_getopt_reset();
		return cmd->run(&cli, argc - 1, argv + 1);
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return MB_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("mailbench %s\n", PACKAGE_VERSION);
		return MB_EXIT_OK;
	}
	return mb_ui_main(&cli, argc, argv);
}
