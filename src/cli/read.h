/*
 * read.h: what the reading commands of src/cli share (list, show,
 * transcript, outbox): argument parsing, the terminal's width, table cells,
 * times and sizes, and the escapers of the machine formats (JSON, TSV,
 * Markdown).
 *
 * The escapers take any bytes (invalid UTF-8 included) and always produce
 * valid UTF-8 in which no control character survives unescaped, so their
 * output is safe both for a parser and for a terminal.
 */
#ifndef MAILBENCH_CLI_READ_H
#define MAILBENCH_CLI_READ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mailbench/buf.h"

/*
 * Parse an id (a decimal number from 1 to 2^63-1). Returns 0, or reports
 * "WHAT needs a positive number, not 'S'" as a usage error of cmd and
 * returns MB_EXIT_USAGE.
 */
int mb_cli_parse_id(const char *cmd, const char *what, const char *s, int64_t *id);

/* Parse a count from 0 to max (--limit, --timeout); as mb_cli_parse_id(). */
int mb_cli_parse_count(const char *cmd, const char *what, const char *s, long max, long *out);

/*
 * Columns available on f: the terminal's width when f is one, else
 * $COLUMNS when it is a number, else 80. At least 20.
 */
size_t mb_cli_term_width(FILE *f);

/* Append s sanitised (MB_SANITIZE_LINE) and made exactly cols columns wide. */
void mb_cli_cell(struct mb_buf *out, const char *s, size_t cols);
/* The same for a table's last column: cut with "…" when too wide, never padded. */
void mb_cli_cell_last(struct mb_buf *out, const char *s, size_t cols);
/* The same, right-aligned (numbers). */
void mb_cli_cell_right(struct mb_buf *out, const char *s, size_t cols);

/*
 * Append s sanitised and word-wrapped: every line starts with indent blanks
 * and ends before column width (a word longer than a line is cut).
 */
void mb_cli_wrap(struct mb_buf *out, const char *s, size_t indent, size_t width);

/* Local time "2024-05-01 10:31" (with_seconds: "...:02"); "-" for 0. */
void mb_cli_time(char *buf, size_t len, int64_t t, int with_seconds);
/* UTC ISO 8601 "2024-05-01T10:31:02Z". */
void mb_cli_time_iso(char *buf, size_t len, int64_t t);
/* A short size: "512", "1.2K", "34K", "5.0M", "1.1G". */
void mb_cli_size(char *buf, size_t len, int64_t bytes);

/*
 * A JSON string with its quotes: '"' and '\' escaped; control characters
 * (C0, DEL, C1), U+2028/U+2029 and the invisible characters mb_sanitize()
 * reveals (bidi controls, zero-width, tags: mb_cp_hidden()) as \uXXXX
 * (\b \f \n \r \t for those; a surrogate pair beyond U+FFFF); invalid UTF-8
 * as \ufffd; other characters as UTF-8. s may be NULL ("").
 */
void mb_cli_json_str(struct mb_buf *out, const char *s, size_t len);

/*
 * A TSV field: '\' as \\, TAB \t, LF \n, CR \r, other C0 controls and DEL
 * as \xHH, C1 controls and invisible characters (mb_cp_hidden()) as \uXXXX
 * or \UXXXXXXXX, invalid UTF-8 as U+FFFD.
 */
void mb_cli_tsv_field(struct mb_buf *out, const char *s, size_t len);

/*
 * A Markdown table cell: sanitised (one line), with \ | ` * _ < > [ ] escaped by a
 * backslash (CommonMark); NULL or "" gives an em dash.
 */
void mb_cli_md_cell(struct mb_buf *out, const char *s);

/* --- show, split by view (show_parts.c, show_trace.c) --- */

struct mb_mime_part;

/*
 * The number of part p as IMAP gives it (RFC 3501 section 6.4.5): "1" for
 * the body of a single-part message, "N.1" for the body of an attached
 * single-part message, "" for a multipart root. Malloc'd.
 */
char *mb_show_part_number(const struct mb_mime_part *p);
/* Append the MIME tree of raw as a table fitted to width columns. */
void mb_show_parts(struct mb_buf *b, const struct mb_buf *raw, size_t width);
/* Save part number part of message id (raw) under path; returns an exit code. */
int mb_show_save(const struct mb_buf *raw, int64_t id, const char *part, const char *path);
/* Append the delivery trace of raw and its envelope against the headers. */
void mb_show_trace(struct mb_buf *b, const struct mb_buf *raw, size_t width);

/* Write b to f; 0, or -1 with errno (EPIPE when the reader went away). */
int mb_cli_write(FILE *f, const struct mb_buf *b);

#endif
