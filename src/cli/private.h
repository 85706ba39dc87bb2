/*
 * private.h: what the files of src/cli share.
 */
#ifndef MAILBENCH_CLI_PRIVATE_H
#define MAILBENCH_CLI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mailbench/buf.h"
#include "mailbench/transcript.h"

/* A transcript line, from the tap or from the cache. */
struct mb_tprint_line {
	enum mb_tdir dir;
	int64_t ts_us;
	const char *text;
	size_t len;
	int code;
	const char *meaning;
	int rtt_ms;
	int flags;
};

/* Append one line as the CLI shows it ("10:31:02.114 S:  220 ...  <- meaning"). */
void mb_tprint_format(struct mb_buf *out, const struct mb_tprint_line *l, bool color);
/* Append one line as a Markdown table row. */
void mb_tprint_markdown_row(struct mb_buf *out, const struct mb_tprint_line *l);

/* A live printer: a transcript sink (mb_tsink_fn) writing to f. */
struct mb_tprinter {
	FILE *f;
	bool color;
	bool quiet; /* only warnings and errors */
};
void mb_tprint_sink(void *ctx, const struct mb_tline *tl);

/* Colour on f: a terminal, and neither NO_COLOR nor --no-color. */
bool mb_cli_color(FILE *f, bool no_color);

struct mb_cli;

/* Shared by send.c and send_eml.c. */
struct mb_env_hdr;
struct mb_smtp_result;
struct mb_send_item;
struct mb_store;
struct mb_account;
struct mb_error;
enum mb_smtp_phase;

/* The last client line and server reply, for the failure card; also prints live. */
struct mb_last_exchange {
	struct mb_buf client, server;
	struct mb_tprinter *printer;
	bool failed;   /* server holds a failing reply */
	size_t nlines; /* lines of that reply (not all kept) */
};
void mb_cli_last_sink(void *ctx, const struct mb_tline *tl);
void mb_cli_print_envelope(FILE *f, const char *env_from, const char *const *rcpts, size_t nrcpts,
                           const struct mb_smtp_result *res, const struct mb_env_hdr *from,
                           const struct mb_env_hdr *hdrs, size_t nhdrs);
void mb_cli_print_results(FILE *f, const struct mb_send_item *it);
void mb_cli_failure_card(FILE *f, enum mb_smtp_phase ph, const struct mb_error *err,
                         const struct mb_last_exchange *le, int64_t outbox_id);
int mb_cli_send_exit(const struct mb_send_item *it);
int mb_cli_smtp_password(const struct mb_account *acct, bool no_auth, char **pw,
                         struct mb_error *err);
/* Open the cache and recover interrupted sends; returns 0 or an exit code. */
int mb_cli_open_store(struct mb_cli *cli, const char *cmd, struct mb_store **st);
/* A whole file ("-": standard input), at most 64 MiB. */
int mb_cli_slurp(const char *path, struct mb_buf *out, struct mb_error *err);

/* `mailbench send --eml FILE...` (send_eml.c). Returns an exit code. */
int mb_cli_send_eml(struct mb_cli *cli, const char *account, const char *const *files, size_t n,
                    const char *env_from, const char *const *env_to, size_t nenv_to, bool quiet,
                    bool show_data, int timeout, const char *auth, bool no_auth);

#endif
