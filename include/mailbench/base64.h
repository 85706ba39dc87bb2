/*
 * base64.h: RFC 4648 base64 (the alphabet of MIME and of SASL).
 */
#ifndef MAILBENCH_BASE64_H
#define MAILBENCH_BASE64_H

#include <stddef.h>

#include "mailbench/buf.h"

/*
 * Append the encoding of data to out. line_len > 0 breaks lines with CRLF
 * every line_len characters (76 for MIME); 0 gives one line.
 */
void mb_base64_encode(const void *data, size_t len, int line_len, struct mb_buf *out);

/*
 * Append the decoding of text to out. Strict: only the alphabet, with
 * correct padding, no whitespace; returns -1 on anything else (out may hold
 * a prefix). Lenient (strict == 0): whitespace and other characters are
 * skipped, decoding stops at the first '=', a trailing partial group is
 * decoded as far as it goes; never fails.
 */
int mb_b64_decode(const char *text, size_t len, int strict, struct mb_buf *out);

/*
 * The value (0 to 63) of one base64 character, or -1. c63 is the last character of the
 * alphabet: '/' in MIME and SASL, ',' in IMAP's modified UTF-7.
 */
int mb_b64_digit(unsigned char c, unsigned char c63);

#endif
