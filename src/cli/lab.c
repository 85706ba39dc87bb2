/*
 * lab.c: `mailbench lab start|stop|status|env`, a front door to the lab
 * script (tests/lab/lab.sh, installed as $(pkglibexecdir)/lab.sh) that runs
 * real mail servers on loopback for the demo and the tests.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailbench/cli.h"

static const char *
lab_script(void)
{
	static const char *const candidates[] = {
	        MB_LIBEXECDIR "/lab.sh",
	        MB_SRCDIR "/tests/lab/lab.sh",
	};
	const char *env = getenv("MAILBENCH_LAB_SCRIPT");
	size_t i;

	if (env != NULL && *env != '\0')
		return env;
	/* a build tree's own script wins over an older installed one */
	for (i = sizeof candidates / sizeof candidates[0]; i-- > 0;)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

int
mb_cmd_lab(struct mb_cli *cli, int argc, char **argv)
{
	const char *script;
	char **args;
	int i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *f = argc < 2 ? stderr : stdout;

		fprintf(f,
		        "usage: mailbench lab start|stop|restart|status|env|seed [--force]\n"
		        "\n"
		        "Runs real mail servers on loopback in a private directory:\n"
		        "Dovecot (IMAP, IMAPS, POP3, POP3S) and an SMTP server (plain, submission\n"
		        "with STARTTLS and AUTH, implicit TLS), with a throwaway CA.\n"
		        "The built-in account 'lab' is configured for it.\n"
		        "\n"
		        "  start   start the servers (does nothing if they already run)\n"
		        "  stop    stop them\n"
		        "  status  say what runs, on which ports\n"
		        "  restart stop, then start\n"
		        "  env     print the lab's settings as shell variables\n"
		        "  seed    deliver sample messages to alice (when her mailbox is empty)\n"
		        "\n"
		        "MAILBENCH_LAB_DIR sets the state directory (default\n"
		        "$XDG_STATE_HOME/mailbench/lab); MAILBENCH_LAB_BASE the port base "
		        "(10000).\n");
		return argc < 2 ? MB_EXIT_USAGE : MB_EXIT_OK;
	}
	if ((script = lab_script()) == NULL) {
		mb_cli_err("lab", "cannot find the lab script (set MAILBENCH_LAB_SCRIPT)");
		return MB_EXIT_FAIL;
	}
	args = calloc((size_t)argc + 1, sizeof *args);
	if (args == NULL)
		return MB_EXIT_FAIL;
	args[0] = (char *)script;
	for (i = 1; i < argc; i++)
		args[i] = argv[i];
	fflush(NULL);
	execv(script, args);
	mb_cli_err("lab", "cannot run '%s'", script);
	free(args);
	return MB_EXIT_FAIL;
}
