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

/* `mailbench send --eml FILE...` (send_eml.c). Returns an exit code. */
struct mb_cli;
int mb_cli_send_eml(struct mb_cli *cli, const char *account, const char *const *files, size_t n,
		    const char *env_from, const char *const *env_to, size_t nenv_to, bool quiet,
		    bool show_data, int timeout, const char *auth, bool no_auth);

#endif
