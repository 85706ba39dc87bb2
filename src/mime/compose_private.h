/*
 * compose_private.h: what the files of the message builder share.
 */
#ifndef MAILBENCH_MIME_COMPOSE_PRIVATE_H
#define MAILBENCH_MIME_COMPOSE_PRIVATE_H

#include <stdbool.h>

#include "mailbench/buf.h"

/* True when text needs RFC 2047 encoding in a header (non-ASCII, controls, "=?"). */
bool mb_compose_needs_encoding(const char *s);
/* Append text as RFC 2047 encoded words (UTF-8), folded; *col tracks the column. */
void mb_rfc2047_encode(struct mb_buf *out, const char *text, int *col);
/* Append ASCII text folded at white space near 78 columns. */
void mb_compose_fold_ascii(struct mb_buf *out, const char *text, int *col);
/* Append ";\r\n\tattr=value", with RFC 2231 encoding and continuations when needed. */
void mb_compose_param(struct mb_buf *out, const char *attr, const char *value);

#endif
