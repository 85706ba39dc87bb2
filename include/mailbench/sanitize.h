/*
 * sanitize.h: make network text safe to show on a terminal.
 *
 * Every place that shows text that came from the network (subjects,
 * addresses, file names, bodies, the protocol transcript), in the TUI or on
 * the command line, passes it through mb_sanitize() first. The output is
 * valid UTF-8 in which nothing can act on a terminal or on ncurses: no
 * control character, no escape sequence, nothing that reorders or hides
 * text. What was removed stays visible:
 *
 *     C0 controls, e.g. ESC CR BS BEL NUL   ^[ ^M ^H ^G ^@   (caret notation, like cat -v)
 *     DEL                                   ^?
 *     C1 controls U+0080..U+009F            <U+009B>         (the UTF-8 form C2 9B of CSI)
 *     bytes that are not UTF-8              \xNN
 *     bidi controls U+061C U+200E U+200F U+202A..U+202E U+2066..U+2069,
 *     zero-width and invisible U+200B..U+200D U+2060..U+2064 U+206A..U+206F
 *     U+FEFF U+180E, blank fillers U+115F U+1160 U+3164 U+FFA0,
 *     separators U+2028 U+2029,
 *     interlinear annotation U+FFF9..U+FFFB, tag characters U+E0000..U+E007F,
 *     noncharacters U+FFFE U+FFFF                       <U+202E>
 *     more than 8 combining marks in a row  the first 8, then <+N>
 *
 * so `SAFE\rEVIL` shows as `SAFE^MEVIL`, `boss@corp\b\b\b\bevil` as
 * `boss@corp^H^H^H^Hevil`, and OSC 52 / OSC 8 / CSI title sequences as
 * inert `^[]52;...` text. The output is for eyes, not for parsing back: a
 * literal "^M" in the input looks the same as a CR.
 *
 * Two modes:
 *  - MB_SANITIZE_LINE (single-line fields: subject, names, list columns):
 *    LF and TAB are controls like the others and show as ^J and ^I, so one
 *    field can never take two rows or jump columns.
 *  - MB_SANITIZE_TEXT (message bodies, transcripts): LF is kept, CR LF
 *    becomes LF (a lone CR still shows as ^M), TAB is expanded with spaces
 *    to the next multiple of 8 columns (counted from the start of each
 *    call's input, so pass whole lines or whole texts).
 *
 * Display width: mb_display_width() and mb_width_truncate() measure with
 * wcwidth() in a private C.UTF-8 locale (the caller's locale does not
 * matter): combining marks take 0 columns, East Asian wide characters 2.
 * Meant for sanitized text; a control or an invalid byte counts 1.
 *
 * Pure C: no ncurses, no global state; thread-safe.
 */
#ifndef MAILBENCH_SANITIZE_H
#define MAILBENCH_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#include "mailbench/buf.h"

enum mb_sanitize_mode {
	MB_SANITIZE_LINE = 0,
	MB_SANITIZE_TEXT = 1,
};

/* Append the sanitized form of in[0..len) to out. in may be NULL when len is 0. */
void mb_sanitize_add(struct mb_buf *out, const char *in, size_t len, enum mb_sanitize_mode mode);

/* The sanitized form of a NUL-terminated string (NULL gives ""), malloc'd. */
char *mb_sanitize(const char *s, enum mb_sanitize_mode mode);

/* Columns taken by s[0..len) on a terminal. */
size_t mb_display_width(const char *s, size_t len);

/*
 * The length in bytes of the longest prefix of s[0..len) that fits in cols
 * columns without splitting a character (zero-width characters after the
 * last one that fits are kept with it). *width, when not NULL, gets the
 * columns that prefix takes (less than cols when a wide character did not
 * fit).
 */
size_t mb_width_truncate(const char *s, size_t len, size_t cols, size_t *width);

/*
 * s made exactly cols columns wide for a table cell: cut with "…" at the
 * end when it is wider, padded with spaces when narrower. Returns a
 * malloc'd string. s should already be sanitized (LINE mode).
 */
char *mb_width_fit(const char *s, size_t cols);

/* ---- UTF-8 helpers (used by the MIME decoders too) ---- */

#define MB_UTF8_INVALID 0xFFFFFFFFu

/*
 * Decode one character at s[0..len) (len > 0). Returns the bytes it takes
 * (at least 1) and its code point in *cp, or MB_UTF8_INVALID for an
 * invalid sequence (overlong, surrogate, > U+10FFFF, truncated, stray
 * continuation byte); then the return value is the length of the maximal
 * invalid subpart (the bytes one U+FFFD stands for).
 */
size_t mb_utf8_next(const char *s, size_t len, uint32_t *cp);

/* Is s[0..len) valid UTF-8? */
int mb_utf8_valid(const char *s, size_t len);

/* Append code point cp as UTF-8 (U+FFFD when cp is not a scalar value). */
void mb_utf8_add(struct mb_buf *out, uint32_t cp);

/* Append s[0..len) with every invalid sequence replaced by U+FFFD. */
void mb_utf8_repair_add(struct mb_buf *out, const char *s, size_t len);

/*
 * Is cp one of the code points mb_sanitize() shows as <U+XXXX> (C1
 * controls, bidi controls, zero-width and other invisible characters)?
 */
int mb_cp_hidden(uint32_t cp);

#endif
