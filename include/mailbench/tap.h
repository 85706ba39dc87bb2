/*
 * tap.h: the transcript tap. Bytes in, transcript lines out.
 *
 * A tap knows just enough of its protocol's framing to cut the byte
 * streams into lines, to recognise secrets (SMTP and POP3 AUTH, POP3 PASS
 * and APOP, IMAP LOGIN and AUTHENTICATE) and mask them, to summarise
 * message data (SMTP DATA, POP3 RETR/TOP, IMAP literals), to pair replies
 * with the commands they answer (round-trip times), and to enforce the
 * limits on what a server may send (line length, literal size). It does no
 * I/O: src/net/conn.c feeds it every byte in both directions, and it is
 * fuzzed on its own.
 *
 * Masking does not rely on the caller: whatever writes "AUTH PLAIN xyz"
 * or "a1 LOGIN alice secret" (mailbench's sessions, libetpan, or a user at
 * the raw console), the secret never reaches a sink.
 */
#ifndef MAILBENCH_TAP_H
#define MAILBENCH_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/error.h"
#include "mailbench/net.h"
#include "mailbench/transcript.h"

#define MB_TAP_SINKS 4

struct mb_tap *mb_tap_new(enum mb_proto proto);
void mb_tap_free(struct mb_tap *tap);

void mb_tap_add_sink(struct mb_tap *tap, mb_tsink_fn fn, void *ctx);
void mb_tap_set_annotator(struct mb_tap *tap, mb_annotate_fn fn);
void mb_tap_set_session(struct mb_tap *tap, uint64_t id);
/* Shown in masked lines when the secret itself does not name the user. */
void mb_tap_set_user(struct mb_tap *tap, const char *user);
/* Show message data and literals line by line instead of summaries. */
void mb_tap_set_show_data(struct mb_tap *tap, bool on);

/* Bytes the client sent; private marks bytes a library flagged as secret. */
void mb_tap_client(struct mb_tap *tap, const void *data, size_t len, bool private);
/*
 * Bytes the server sent. Returns -1 (err set, MB_ERR_TOOBIG) when they
 * break a limit; the connection must then be dropped.
 */
int mb_tap_server(struct mb_tap *tap, const void *data, size_t len, struct mb_error *err);
/* The connection ended: flush partial lines (flagged MB_TL_PARTIAL). */
void mb_tap_eof(struct mb_tap *tap);

/* A line of mailbench's own (MB_TDIR_INFO or MB_TDIR_TLS). */
void mb_tap_note(struct mb_tap *tap, enum mb_tdir dir, int flags, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void mb_tap_vnote(struct mb_tap *tap, enum mb_tdir dir, int flags, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));

/* True while the server side is inside literal or message data. */
bool mb_tap_in_data(const struct mb_tap *tap);

#endif
