/*
 * sync.h: retrieving mail into the cache, over IMAP or POP3, for the CLI
 * (`mailbench fetch`) and the TUI (jobs) alike.
 *
 * IMAP: every mailbox (or one) is synchronised by UID: new messages are
 * fetched in batches, flags are compared both ways (CONDSTORE when the
 * server has it), messages expunged on the server leave the cache, and a
 * changed UIDVALIDITY refetches the mailbox. POP3: new messages by UIDL
 * (by size and header hash without UIDL), left on the server unless
 * delete_after, in which case a message is deleted on the server only after
 * its row is committed and made durable.
 *
 * Each batch of messages is one transaction; a crash at any moment leaves
 * a consistent cache, and the next sync finishes the work without
 * duplicates. The session's transcript goes to the cache.
 */
#ifndef MAILBENCH_SYNC_H
#define MAILBENCH_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "mailbench/config.h"
#include "mailbench/error.h"
#include "mailbench/net.h"
#include "mailbench/store.h"
#include "mailbench/transcript.h"

enum mb_sync_proto {
	MB_SYNC_AUTO = 0, /* IMAP when the account has it, else POP3 */
	MB_SYNC_IMAP,
	MB_SYNC_POP3,
};

struct mb_sync_progress {
	const char *mailbox;
	uint64_t done, total; /* messages of this run */
	uint64_t bytes, bytes_total;
};

struct mb_sync_opts {
	const struct mb_account *acct;
	const char *password;
	struct mb_store *st; /* this thread's cache */
	enum mb_sync_proto protocol;
	const char *mailbox; /* IMAP: one mailbox (NULL: INBOX unless all) */
	bool all;            /* IMAP: every mailbox */
	bool delete_after;   /* POP3: delete on the server once safely cached */
	bool show_data;      /* message data in full in the transcript */
	bool full_check;     /* IMAP: compare every UID even with CONDSTORE */
	int timeout;         /* seconds per operation; 0: the account's or 60 */
	int batch;           /* messages per fetch batch and transaction; 0: 200 */
	mb_tsink_fn sink;    /* another transcript sink, or NULL */
	void *sink_ctx;
	void (*progress)(void *ctx, const struct mb_sync_progress *p);
	/* the connection once it exists, NULL when it is gone (for cancel hooks) */
	void (*on_conn)(void *ctx, struct mb_conn *c);
	/* IDLE: called after changes were stored (the TUI reloads) */
	void (*on_change)(void *ctx, int64_t mailbox_id);
	void *ctx;
};

struct mb_sync_stats {
	uint64_t mailboxes;
	uint64_t new_msgs, new_bytes;
	uint64_t flags_changed;  /* on the cache's side */
	uint64_t removed;        /* rows dropped: expunged on the server, UIDVALIDITY */
	uint64_t deleted_server; /* POP3 --delete */
	uint64_t skipped;        /* messages the server would not hand over */
	int64_t session_id;
};

/* One sync run. Returns 0, or -1 with err (what was committed stays). */
int mb_sync(const struct mb_sync_opts *o, struct mb_sync_stats *stats, struct mb_error *err);

/*
 * Set a cached message's flags locally and on the server (IMAP STORE; a
 * POP3 message has no server flags). Used for read/unread.
 */
int mb_sync_set_flags(const struct mb_sync_opts *o, int64_t msg_id, unsigned flags,
                      struct mb_error *err);

/*
 * IMAP IDLE on the account's INBOX (or o->mailbox) until cancelled: a
 * change (new mail, expunge, flags) triggers an incremental sync of that
 * mailbox and o->on_change. Returns when cancelled (0) or on error (-1).
 */
int mb_sync_idle(const struct mb_sync_opts *o, struct mb_error *err);

#endif
