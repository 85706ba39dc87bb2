/*
 * cli.h: the command-line front end.
 *
 * main() strips the global options (--config, --cache, --no-color) from
 * argv wherever they stand, then hands the rest to a subcommand, one file
 * per subcommand in src/cli/. Subcommands return an exit code from
 * enum mb_exit; the codes are documented in mailbench(1) and stable, so
 * scripts and tests can rely on them.
 */
#ifndef MAILBENCH_CLI_H
#define MAILBENCH_CLI_H

#include <stdbool.h>

#include "mailbench/error.h"

enum mb_exit {
	MB_EXIT_OK = 0,
	MB_EXIT_FAIL = 1,      /* anything not listed below */
	MB_EXIT_USAGE = 2,     /* bad command line */
	MB_EXIT_CONFIG = 3,    /* bad configuration */
	MB_EXIT_CONN = 4,      /* cannot connect, connection lost, timeout */
	MB_EXIT_TLS = 5,       /* TLS handshake or certificate verification failed */
	MB_EXIT_AUTH = 6,      /* authentication refused */
	MB_EXIT_REFUSED = 7,   /* the server refused the message or every recipient */
	MB_EXIT_PARTIAL = 8,   /* some recipients accepted, some refused */
	MB_EXIT_PROTO = 9,     /* the server broke the protocol */
	MB_EXIT_NOTFOUND = 10, /* no such message, transcript or account */
	MB_EXIT_STORE = 11,    /* the cache cannot be opened or written, or is busy */
	MB_EXIT_CANCEL = 12,   /* cancelled by the user */
};

struct mb_cli {
	const char *config_path; /* --config FILE, or NULL for the default */
	const char *cache_path;  /* --cache FILE, or NULL for the default */
	bool no_color;           /* --no-color or NO_COLOR set */
};

struct mb_cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(struct mb_cli *cli, int argc, char **argv);
};

/* The table of subcommands, NULL-terminated by name. */
extern const struct mb_cli_cmd mb_cli_cmds[];

const struct mb_cli_cmd *mb_cli_find(const char *name);

/* Map an error kind to an exit code. */
enum mb_exit mb_cli_exit_for(enum mb_err kind);

/*
 * Report a usage error the house way (one line, then a hint) and return
 * MB_EXIT_USAGE:  "mailbench send: unknown option '--x'" /
 * "Try 'mailbench send --help'."
 */
int mb_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long() for a subcommand: errors are reported with
 * mb_cli_usage_error() and come back as '?'. Call mb_cli_getopt_reset()
 * before the first call of a subcommand.
 */
struct option;
int mb_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
                  const struct option *longopts);
void mb_cli_getopt_reset(void);

/* Print "mailbench[ CMD]: message" on stderr. */
void mb_cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Subcommands (src/cli/<name>.c). */
int mb_cmd_send(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_outbox(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_fetch(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_list(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_show(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_mark(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_transcript(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_lab(struct mb_cli *cli, int argc, char **argv);
int mb_cmd_config(struct mb_cli *cli, int argc, char **argv);

#endif
