/*
 * cli.c: the subcommand table and the shared helpers of src/cli.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/private.h"
#include "mailbench/buf.h"
#include "mailbench/cli.h"
#include "mailbench/sanitize.h"

const struct mb_cli_cmd mb_cli_cmds[] = {
        {"send", "compose and send a message over SMTP, showing the conversation", mb_cmd_send},
        {"outbox", "list, retry or delete queued and failed messages", mb_cmd_outbox},
        {"fetch", "retrieve mail over IMAP or POP3 into the cache", mb_cmd_fetch},
        {"list", "list or search cached messages", mb_cmd_list},
        {"show", "show a cached message: headers, body, parts, trace, raw", mb_cmd_show},
        {"mark", "mark a cached message read, unread, flagged... (here and on the server)",
         mb_cmd_mark},
        {"transcript", "list, show or export stored protocol transcripts", mb_cmd_transcript},
        {"config", "show the accounts mailbench knows and check the config file", mb_cmd_config},
        {"lab", "start, stop or inspect the local lab of real mail servers", mb_cmd_lab},
        {NULL, NULL, NULL},
};

const struct mb_cli_cmd *
mb_cli_find(const char *name)
{
	const struct mb_cli_cmd *c;

	for (c = mb_cli_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

enum mb_exit
mb_cli_exit_for(enum mb_err kind)
{
	switch (kind) {
	case MB_OK:
		return MB_EXIT_OK;
	case MB_ERR_USAGE:
	case MB_ERR_INPUT:
		return MB_EXIT_USAGE;
	case MB_ERR_CONFIG:
		return MB_EXIT_CONFIG;
	case MB_ERR_CONN:
	case MB_ERR_TIMEOUT:
		return MB_EXIT_CONN;
	case MB_ERR_TLS:
		return MB_EXIT_TLS;
	case MB_ERR_AUTH:
		return MB_EXIT_AUTH;
	case MB_ERR_RESP:
	case MB_ERR_TOOBIG:
		return MB_EXIT_REFUSED;
	case MB_ERR_PROTO:
		return MB_EXIT_PROTO;
	case MB_ERR_NOTFOUND:
		return MB_EXIT_NOTFOUND;
	case MB_ERR_STORE:
	case MB_ERR_BUSY:
		return MB_EXIT_STORE;
	case MB_ERR_CANCEL:
		return MB_EXIT_CANCEL;
	case MB_ERR_INTERNAL:
	case MB_ERR_IO:
		break;
	}
	return MB_EXIT_FAIL;
}

int
mb_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mailbench%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mailbench%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
	return MB_EXIT_USAGE;
}

void
mb_cli_err(const char *cmd, const char *fmt, ...)
{
	struct mb_buf b = MB_BUF_INIT;
	char *safe;
	va_list ap;

	/* messages quote servers and files: nothing in them may act on the terminal */
	va_start(ap, fmt);
	mb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	safe = mb_sanitize(b.data, MB_SANITIZE_LINE);
	fprintf(stderr, "mailbench%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", safe);
	free(safe);
	mb_buf_release(&b);
}

int
mb_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
              const struct option *longopts)
{
	char opts[128];
	int c;

	/* the leading ':' makes a missing argument come back as ':'; options may
	 * follow operands ("show 12 --raw"), so glibc's permutation stays on */
	snprintf(opts, sizeof opts, ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c == '?') {
		if (optopt != 0)
			mb_cli_usage_error(cmd, "unknown option '-%c'", optopt);
		else
			mb_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
	} else if (c == ':') {
		if (optopt != 0 && strchr(shortopts, optopt) != NULL &&
		    strncmp(argv[optind - 1], "--", 2) != 0)
			mb_cli_usage_error(cmd, "option '-%c' needs an argument", optopt);
		else
			mb_cli_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		c = '?';
	}
	return c;
}

void
mb_cli_getopt_reset(void)
{
	optind = 0; /* glibc: 0 reinitialises getopt's internal state */
}

bool
mb_cli_color(FILE *f, bool no_color)
{
	const char *term = getenv("TERM");

	if (no_color || !isatty(fileno(f)))
		return false;
	return term != NULL && strcmp(term, "dumb") != 0;
}
