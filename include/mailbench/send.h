/*
 * send.h: sending queued messages, for the CLI and the TUI alike.
 *
 * The rule of the outbox (store.h) holds here: every message is in the
 * outbox before this runs; each is claimed right before its transaction,
 * marked sent only after the server's final 250, failed with the error and
 * the per-recipient results otherwise, and one whose fate is unknown (the
 * connection broke after the final dot) is marked so that it is never sent
 * again without the user's say. The session's transcript goes to the cache,
 * linked to every message it carried.
 */
#ifndef MAILBENCH_SEND_H
#define MAILBENCH_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/config.h"
#include "mailbench/error.h"
#include "mailbench/smtp.h"
#include "mailbench/store.h"
#include "mailbench/transcript.h"

struct mb_send_opts {
	const struct mb_account *acct;
	const char *password; /* NULL: no AUTH */
	struct mb_store *st;  /* this thread's cache */
	bool show_data;       /* bodies in full in the transcript */
	bool confirmed;       /* retry messages whose last attempt's fate is unknown */
	int timeout;          /* > 0: overrides the account's and RFC 5321's */
	const char *auth_mech;
	mb_tsink_fn sink; /* another transcript sink (a printer, a job), or NULL */
	void *sink_ctx;
	/* called with the session once it exists, and with NULL when it is gone (cancel hooks) */
	void (*on_session)(void *ctx, struct mb_smtp *s);
	void *ctx;
};

struct mb_send_item {
	int64_t outbox_id;
	struct mb_smtp_result res; /* what the server said */
	struct mb_error err;       /* why it was not sent (kind MB_OK when it was) */
	bool sent;
};

/*
 * Send the outbox rows items[i].outbox_id over one connection. Returns 0
 * when the session itself went well (each item says how its message
 * fared), -1 when it failed (err; items not sent carry the error too).
 * *session_id (may be NULL) gets the transcript's id.
 */
int mb_send_outbox(const struct mb_send_opts *o, struct mb_send_item *items, size_t n,
                   int64_t *session_id, enum mb_smtp_phase *phase, struct mb_error *err);
void mb_send_item_release(struct mb_send_item *it);

/* "bob@x 250 2.1.5 Ok\n..." for the outbox's rcpt_results. */
char *mb_send_rcpt_results(const struct mb_smtp_result *r);

#endif
