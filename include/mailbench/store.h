/*
 * store.h: the SQLite cache of mailbench.
 *
 * One file (default $XDG_DATA_HOME/mailbench/cache.db, else
 * ~/.local/share/mailbench/cache.db) holds everything mailbench keeps:
 * accounts and mailboxes with their sync state, retrieved messages (parsed
 * header fields, flags, server ids, the byte-exact raw source, the trace
 * headers and a full-text index), the outbox, drafts, protocol sessions with
 * their transcripts, and accepted certificate pins. store/ is the only code
 * that talks to SQLite; no SQLite type appears here.
 *
 * Threads: a struct mb_store belongs to one thread. Each thread (the UI, each
 * worker job) opens its own with mb_store_open() and closes it when done;
 * SQLite's own locking then serialises them like separate processes, and
 * the handle needs no mutex.
 *
 * Transactions: every write is transactional. A single call (say
 * mb_store_msg_add()) is one transaction of its own, unless the caller has
 * opened a batch with mb_store_begin(); then it joins the batch:
 *
 *     if (mb_store_begin(st, &err) < 0) goto fail;
 *     for (each fetched message)
 *             if (mb_store_msg_add(st, &m, &id, &err) < 0) {
 *                     mb_store_rollback(st);
 *                     goto fail;
 *             }
 *     if (mb_store_commit(st, &err) < 0) goto fail;
 *     if (mb_store_make_durable(st, &err) < 0) goto fail;
 *     ... only now may POP3 send DELE for these messages
 *
 * Nesting is counted: begin/commit/rollback pairs may nest to any depth; the
 * outermost begin opens the SQLite transaction (BEGIN IMMEDIATE, so waiting
 * for another writer happens there), inner levels are savepoints. A failed
 * call rolls back only its own work (a duplicate message does not undo the
 * rest of the batch), except for failures that leave the database in doubt:
 * busy, disk full, I/O error, corruption. Those roll back the whole batch at
 * once; from then on every call inside the batch fails with the same error
 * until the caller has unwound its levels with mb_store_rollback() (or
 * mb_store_commit(), which then fails). Every begin must be matched by
 * exactly one commit or rollback.
 *
 * Errors: MB_ERR_BUSY "the cache 'PATH' is busy: another mailbench is
 * writing to it" once the busy timeout (default 10 s) has passed;
 * MB_ERR_STORE for everything else, among them "cache 'PATH' is full: no
 * space left on device", a file that is not a database, or a cache written
 * by a newer mailbench; MB_ERR_NOTFOUND when a row asked for by id does not
 * exist; MB_ERR_INPUT for values the cache refuses to store (a line break
 * inside a list element); MB_ERR_TOOBIG for a value over SQLite's limit
 * (1 GB). Functions below note other kinds where they use them.
 *
 * Ownership: input structs (*_in) and their strings are borrowed for the
 * call. Rows handed out (struct mb_msg, mb_outbox, ...) own their strings;
 * text fields are never NULL (missing values read as ""), except where
 * noted. Free them with the matching *_release(); a *_list is released with
 * its *_list_release(), which releases every row.
 */
#ifndef MAILBENCH_STORE_H
#define MAILBENCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"

struct mb_store;

/* ---- opening, paths, durability ------------------------------------------ */

/* The newest schema version this build knows (PRAGMA user_version). */
#define MB_STORE_SCHEMA_VERSION 8

/* How long a writer waits for another one before MB_ERR_BUSY, in ms. */
#define MB_STORE_BUSY_TIMEOUT_DEFAULT 10000

/*
 * The default cache file: $XDG_DATA_HOME/mailbench/cache.db (only when
 * XDG_DATA_HOME is an absolute path), else $HOME/.local/share/mailbench/cache.db.
 * The caller frees it.
 */
char *mb_store_default_path(void);

/*
 * Open (creating when missing) the cache at path, or at the default path
 * when path is NULL. Missing parent directories are created with mode 0700,
 * a new file with mode 0600. The schema is brought up to date; a cache
 * written by a newer mailbench is refused, and so is a file that is not a
 * mailbench cache. On a network file system (NFS, SMB/CIFS, FUSE such as
 * sshfs, AFS, Coda, 9P, Ceph, Lustre) or when MAILBENCH_CACHE_ASSUME_NFS=1 is
 * set in the environment, the journal is a rollback journal
 * (journal_mode=DELETE, synchronous=FULL) because WAL needs shared memory
 * on one host; elsewhere it is WAL with synchronous=NORMAL. Any number of
 * processes may open (and create) the same cache at once.
 */
int mb_store_open(struct mb_store **out, const char *path, struct mb_error *err);

/* Close the cache; a batch still open is rolled back. NULL is a no-op. */
void mb_store_close(struct mb_store *st);

/* The file name in use. */
const char *mb_store_path(const struct mb_store *st);

/* The journal mode in effect, "wal" or "delete", for a status line. */
const char *mb_store_journal_mode(const struct mb_store *st);

/* True when the cache was found on a network file system (or assumed to be). */
bool mb_store_on_network_fs(const struct mb_store *st);

/* Change the busy timeout (milliseconds; 0 fails at once when busy). */
void mb_store_set_busy_timeout(struct mb_store *st, int ms);

/*
 * Make every committed transaction durable against power loss, not only
 * against a crash of mailbench (which every commit survives anyway). In WAL
 * mode it commits a tiny transaction with synchronous=FULL, which syncs the
 * whole WAL; with a rollback journal every commit is already synced. Call
 * it outside any batch, before a destructive server command (POP3 DELE,
 * IMAP EXPUNGE) that relies on the committed rows.
 */
int mb_store_make_durable(struct mb_store *st, struct mb_error *err);

/*
 * Check the file: quick (PRAGMA quick_check) or full (integrity_check, plus
 * foreign keys and the full-text index against its content). Returns 0 when
 * all is well; -1 with MB_ERR_STORE "cache 'PATH' is damaged: ..." naming
 * the first problems, or another error when the check could not run.
 */
int mb_store_check(struct mb_store *st, bool quick, struct mb_error *err);

/* ---- transactions (see the top of this file) ------------------------------ */

int mb_store_begin(struct mb_store *st, struct mb_error *err);
int mb_store_commit(struct mb_store *st, struct mb_error *err);
void mb_store_rollback(struct mb_store *st);
/* How many levels of batch are open (0: none). */
int mb_store_depth(const struct mb_store *st);

/*
 * Bulk storing, for a sync that adds many messages in batches, until mb_store_bulk_end():
 *  - a larger page cache (16 MiB), so that SQLite does not spill half-written pages;
 *  - mb_store_msg_add() inside a batch takes no savepoint of its own: a failed add rolls
 *    the whole batch back (SQLite would otherwise copy every page an add touches into a
 *    statement journal, once per message);
 *  - in WAL mode, checkpoints are made by a thread of the store's own on a connection of
 *    its own, so that the writer never waits for the disk (a checkpoint fsyncs twice). The
 *    log is still bounded: past 8 checkpoints' worth of pages, the writer waits for the
 *    one running to finish, and the next batch starts the log over.
 * Nothing is less safe: every commit is as durable as without (synchronous is unchanged,
 * and mb_store_make_durable() works as ever). Calls do not nest; end does nothing when
 * bulk was not begun.
 */
void mb_store_bulk_begin(struct mb_store *st);
void mb_store_bulk_end(struct mb_store *st);

/* Process-wide SQLite settings: call once at start-up, before any other thread runs. */
void mb_store_process_init(void);

/* ---- accounts and mailboxes ----------------------------------------------- */

enum mb_store_proto {
	MB_STORE_SMTP = 1,
	MB_STORE_IMAP,
	MB_STORE_POP3,
};

/* "smtp", "imap", "pop3" (or "?"). */
const char *mb_store_proto_name(enum mb_store_proto p);

struct mb_store_account {
	int64_t id;
	char *name;
	int64_t total, unread; /* over all its mailboxes */
};

struct mb_store_account_list {
	struct mb_store_account *v;
	size_t n;
};

/* The id of account name, creating the row when missing. */
int mb_store_account_ensure(struct mb_store *st, const char *name, int64_t *id,
                            struct mb_error *err);
/* The id of account name, or 0 in *id when there is none (not an error). */
int mb_store_account_find(struct mb_store *st, const char *name, int64_t *id, struct mb_error *err);
/* Every account, by name, with message counts. */
int mb_store_account_list(struct mb_store *st, struct mb_store_account_list *out,
                          struct mb_error *err);
/* Delete an account and everything cached for it (mailboxes, messages). */
int mb_store_account_delete(struct mb_store *st, int64_t id, struct mb_error *err);
void mb_store_account_list_release(struct mb_store_account_list *l);

struct mb_mailbox {
	int64_t id, account_id;
	char *name;                   /* as on the server (IMAP modified UTF-7); POP3: "INBOX" */
	char *delimiter;              /* hierarchy delimiter, "" when flat */
	enum mb_store_proto protocol; /* MB_STORE_IMAP or MB_STORE_POP3 */
	uint32_t uidvalidity, uidnext;
	uint64_t highestmodseq;
	int64_t last_full_check; /* unix time of the last full UID comparison, 0: never */
	int64_t total, unread;   /* maintained on every insert, delete and flag change */
};

struct mb_mailbox_list {
	struct mb_mailbox *v;
	size_t n;
};

/*
 * The id of the mailbox (account, protocol, name), creating it when missing
 * (with delimiter, NULL meaning "").
 */
int mb_store_mailbox_ensure(struct mb_store *st, int64_t account_id, enum mb_store_proto proto,
                            const char *name, const char *delimiter, int64_t *id,
                            struct mb_error *err);
/* Read one mailbox. MB_ERR_NOTFOUND when there is none. */
int mb_store_mailbox_get(struct mb_store *st, int64_t id, struct mb_mailbox *out,
                         struct mb_error *err);
/*
 * Save the sync state of mailbox mb->id: uidvalidity, uidnext,
 * highestmodseq, last_full_check (the other fields are ignored).
 */
int mb_store_mailbox_set_state(struct mb_store *st, const struct mb_mailbox *mb,
                               struct mb_error *err);
/* An account's mailboxes (account_id 0: all), by account then name, with counts. */
int mb_store_mailbox_list(struct mb_store *st, int64_t account_id, struct mb_mailbox_list *out,
                          struct mb_error *err);
/*
 * Delete every message of a mailbox (its UIDVALIDITY changed) and reset its
 * sync state to zero; the mailbox row stays.
 */
int mb_store_mailbox_clear(struct mb_store *st, int64_t id, struct mb_error *err);
/* Delete a mailbox and its messages. */
int mb_store_mailbox_delete(struct mb_store *st, int64_t id, struct mb_error *err);
void mb_mailbox_release(struct mb_mailbox *mb);
void mb_mailbox_list_release(struct mb_mailbox_list *l);

/* ---- messages ------------------------------------------------------------- */

enum {
	MB_FLAG_SEEN = 1 << 0,
	MB_FLAG_ANSWERED = 1 << 1,
	MB_FLAG_FLAGGED = 1 << 2,
	MB_FLAG_DELETED = 1 << 3,
	MB_FLAG_DRAFT = 1 << 4,
	MB_FLAG_RECENT = 1 << 5,
};

/* A message to store: everything borrowed for the call. NULL text is "". */
struct mb_msg_in {
	int64_t mailbox_id; /* the account is the mailbox's */
	uint32_t uid;       /* IMAP UID, 0 for none (POP3) */
	const char *uidl;   /* POP3 UIDL, NULL for none (IMAP) */
	int64_t size;       /* the server's size; 0 (or less): raw_len */
	unsigned flags;     /* MB_FLAG_* */
	uint64_t modseq;
	int64_t internaldate; /* unix time, 0: unknown */
	int64_t date;         /* unix time parsed from Date:, 0: unknown */
	const char *date_text, *from, *to, *cc;
	const char *subject; /* decoded, UTF-8 */
	const char *message_id, *in_reply_to, *references;
	bool has_attachments;
	const void *raw; /* the byte-exact source, NULs and 8-bit included */
	size_t raw_len;
	/* raw's checksum from mb_store_source_sum(), when raw_summed: taken where the bytes are
	   still in the CPU's cache (the thread that received them), not where they are stored */
	bool raw_summed;
	uint64_t raw_sum;
	int64_t session_id;    /* the session that fetched it, 0: none */
	const char *body_text; /* decoded text for the full-text index, NULL: none */
	/* trace headers */
	const char *return_path, *delivered_to, *authentication_results;
	const char *const *received; /* Received: values, top (newest) first */
	size_t nreceived;
};

/* A stored message (list rows and single reads alike; no raw source). */
struct mb_msg {
	int64_t id, account_id, mailbox_id;
	uint32_t uid; /* 0: none */
	char *uidl;   /* "": none */
	int64_t size;
	unsigned flags;
	uint64_t modseq;
	int64_t internaldate, date, fetched_at;
	char *date_text, *from, *to, *cc, *subject;
	char *message_id, *in_reply_to, *references;
	bool has_attachments;
	int64_t session_id; /* the session that fetched it, 0: unknown */
};

struct mb_msg_list {
	struct mb_msg *v;
	size_t n;
};

struct mb_msg_trace {
	char *return_path, *delivered_to, *authentication_results;
	char **received; /* in the order given at insertion */
	size_t nreceived;
};

/*
 * Store one message with its raw source, trace and full-text entry; *id (if
 * not NULL) gets its id. A message whose UID (or UIDL) is already in the
 * mailbox is refused with MB_ERR_STORE naming it, never overwritten; inside
 * a batch only this message is undone.
 */
int mb_store_msg_add(struct mb_store *st, const struct mb_msg_in *m, int64_t *id,
                     struct mb_error *err);
/* The checksum a source is stored with (see mb_msg_in.raw_sum). */
uint64_t mb_store_source_sum(const void *raw, size_t len);
/* The id of (mailbox, uid) / (mailbox, uidl), or 0 in *id when absent (not an error). */
int mb_store_msg_find_uid(struct mb_store *st, int64_t mailbox_id, uint32_t uid, int64_t *id,
                          struct mb_error *err);
int mb_store_msg_find_uidl(struct mb_store *st, int64_t mailbox_id, const char *uidl, int64_t *id,
                           struct mb_error *err);
/* Read a message's fields. MB_ERR_NOTFOUND when there is none. */
int mb_store_msg_get(struct mb_store *st, int64_t id, struct mb_msg *out, struct mb_error *err);
int mb_store_msg_trace(struct mb_store *st, int64_t id, struct mb_msg_trace *out,
                       struct mb_error *err);
/* All UIDs of a mailbox, ascending (for the expunge comparison); free(*uids). */
int mb_store_msg_uids(struct mb_store *st, int64_t mailbox_id, uint32_t **uids, size_t *n,
                      struct mb_error *err);
/* All UIDLs of a mailbox, sorted; NULL-terminated, free with mb_strv_free(). */
int mb_store_msg_uidls(struct mb_store *st, int64_t mailbox_id, char ***uidls, size_t *n,
                       struct mb_error *err);
/* The highest UID in a mailbox, 0 when it has none. */
int mb_store_msg_max_uid(struct mb_store *st, int64_t mailbox_id, uint32_t *uid,
                         struct mb_error *err);
/*
 * How many messages of a mailbox match filter (case-insensitive substring
 * of From or Subject; NULL or "": all).
 */
int mb_store_msg_count(struct mb_store *st, int64_t mailbox_id, const char *filter, int64_t *count,
                       struct mb_error *err);
/* Delete messages of a mailbox by UID (in one transaction); *deleted may be NULL. */
int mb_store_msg_delete_uids(struct mb_store *st, int64_t mailbox_id, const uint32_t *uids,
                             size_t n, size_t *deleted, struct mb_error *err);
/* Delete a message by UIDL or by id. MB_ERR_NOTFOUND when absent. */
int mb_store_msg_delete_uidl(struct mb_store *st, int64_t mailbox_id, const char *uidl,
                             struct mb_error *err);
int mb_store_msg_delete(struct mb_store *st, int64_t id, struct mb_error *err);
/*
 * Set the flags of (mailbox, uid), and its modseq unless modseq is 0.
 * MB_ERR_NOTFOUND when the UID is not cached.
 */
int mb_store_msg_set_flags(struct mb_store *st, int64_t mailbox_id, uint32_t uid, unsigned flags,
                           uint64_t modseq, struct mb_error *err);
/* Set the flags of a message by id (a local change). */
int mb_store_msg_set_flags_id(struct mb_store *st, int64_t id, unsigned flags,
                              struct mb_error *err);

/* The raw source: all of it appended to out. */
int mb_store_msg_raw(struct mb_store *st, int64_t id, struct mb_buf *out, struct mb_error *err);
/* The raw source's length in bytes. */
int mb_store_msg_raw_size(struct mb_store *st, int64_t id, int64_t *len, struct mb_error *err);
/*
 * Stream the raw source to cb in chunks (64 KiB at most) without holding it
 * all in memory. cb returns 0 to go on; anything else stops the read, and
 * the call fails with MB_ERR_CANCEL. cb must not write to the cache.
 */
int mb_store_msg_raw_stream(struct mb_store *st, int64_t id,
                            int (*cb)(const void *chunk, size_t len, void *arg), void *arg,
                            struct mb_error *err);

enum mb_sort {
	MB_SORT_DATE = 0, /* Date: header */
	MB_SORT_FROM,     /* From: text, case-insensitive (ASCII) */
	MB_SORT_SUBJECT,  /* Subject, case-insensitive (ASCII) */
	MB_SORT_SIZE,
};

/*
 * One page of a mailbox's message list. Ties are broken by id (arrival
 * order), in the same direction, so the order is total. Two ways to page:
 *  - offset/limit: rows offset .. offset+limit-1 of the sorted list (jumps,
 *    the End key);
 *  - after: rows strictly after that row (a previous page's last row, with
 *    the same sort and desc), ignoring offset; the cheapest way to scroll.
 */
struct mb_msg_query {
	int64_t mailbox_id;
	enum mb_sort sort;
	bool desc;
	const char *filter; /* substring of From or Subject, ASCII case-insensitive; NULL: none
	                       (a filter reads every row of the mailbox: ~0.1 s per 100 000) */
	int64_t offset;
	size_t limit; /* 0: all */
	const struct mb_msg *after;
};

int mb_store_msg_page(struct mb_store *st, const struct mb_msg_query *q, struct mb_msg_list *out,
                      struct mb_error *err);

/*
 * Full-text search over From, To, Cc, Subject and body text. The query is
 * words; a word may carry a prefix from:, to:, cc:, subject: or body: to
 * search one field, and "double quotes" group words into a phrase. Every
 * word must match (AND), each as a word prefix ("alic" finds "alice"). No
 * other syntax exists: quotes, stars, parentheses, colons, NEAR, AND, OR,
 * NOT are taken as plain text, so no input is a syntax error. A query with
 * no searchable word gives no rows. mailbox_id 0 searches every mailbox.
 * Results come newest first (by Date:), at most limit (0: all).
 */
int mb_store_search(struct mb_store *st, int64_t mailbox_id, const char *query, size_t limit,
                    struct mb_msg_list *out, struct mb_error *err);

void mb_msg_release(struct mb_msg *m);
void mb_msg_list_release(struct mb_msg_list *l);
void mb_msg_trace_release(struct mb_msg_trace *t);
/* Free a NULL-terminated string vector and its strings. */
void mb_strv_free(char **v);

/* ---- outbox --------------------------------------------------------------- */

/*
 * The sending rule: a message is added (queued) before any connection
 * opens; mb_store_outbox_start() claims it (sending) right before the
 * session, atomically, so two senders never send one message; it is marked
 * sent only after the final 250 after DATA, failed otherwise. A message
 * left in 'sending' by a mailbench that died is found by
 * mb_store_outbox_recover() at the next start and turned into a failure of
 * kind "unknown" (interrupted): it may or may not have been delivered, so
 * it is never sent again without mb_store_outbox_start(..., true).
 */
enum mb_outbox_status {
	MB_OUTBOX_QUEUED = 0,
	MB_OUTBOX_SENDING,
	MB_OUTBOX_SENT,
	MB_OUTBOX_FAILED,
};

/* "queued", "sending", "sent", "failed" (or "?"). */
const char *mb_outbox_status_name(enum mb_outbox_status s);

/* The text stored for an interrupted send. */
#define MB_OUTBOX_INTERRUPTED_MSG                                                           \
	"unknown: the previous attempt was interrupted \xe2\x80\x94 check the recipient's " \
	"mailbox before retrying"

struct mb_outbox_in {
	const char *account;
	const char *envelope_from; /* MAIL FROM (may be "" for a null sender) */
	const char *const *rcpts;  /* RCPT TO addresses, at least one */
	size_t nrcpts;
	const void *raw; /* the exact bytes to send */
	size_t raw_len;
	const char *from, *to, *cc, *subject; /* header summary for listing */
};

struct mb_outbox {
	int64_t id;
	char *account;
	int64_t created, updated; /* unix time */
	enum mb_outbox_status status;
	char *envelope_from;
	char **rcpts; /* NULL-terminated */
	size_t nrcpts;
	char *from, *to, *cc, *subject;
	int64_t raw_len;
	int attempts;
	char *last_error, *last_error_kind; /* "" when none */
	int64_t sent_at;                    /* 0 unless sent */
	char *rcpt_results;                 /* per-recipient results text, "" when none */
	bool interrupted;                   /* the last attempt died in 'sending' */
};

struct mb_outbox_list {
	struct mb_outbox *v;
	size_t n;
};

/* Queue a message; *id gets its id. Addresses must not hold CR, LF or NUL. */
int mb_store_outbox_add(struct mb_store *st, const struct mb_outbox_in *in, int64_t *id,
                        struct mb_error *err);
/*
 * Claim a queued or failed message for a send: status 'sending', attempts
 * + 1, this process recorded as the sender. Refused with MB_ERR_BUSY while
 * another attempt is sending it, with MB_ERR_INPUT when it is already sent
 * or when its last attempt was interrupted and confirmed is false (the user
 * must check the recipient's mailbox and retry explicitly).
 */
int mb_store_outbox_start(struct mb_store *st, int64_t id, bool confirmed, struct mb_error *err);
/* sending -> sent (after the final 250); rcpt_results may be NULL. */
int mb_store_outbox_sent(struct mb_store *st, int64_t id, const char *rcpt_results,
                         struct mb_error *err);
/*
 * sending -> failed, with the error text and kind (mb_err_name()). The kind
 * "unknown" means the server may have the message (the connection broke
 * after the final dot, before the reply): like an interrupted send, it is
 * sent again only when confirmed.
 */
int mb_store_outbox_failed(struct mb_store *st, int64_t id, const char *error,
                           const char *error_kind, const char *rcpt_results, struct mb_error *err);
/*
 * Turn every 'sending' row whose sender is gone (a process on this host
 * that no longer runs) into an interrupted failure; *n (may be NULL) gets
 * how many. Rows being sent by a live process are left alone.
 */
int mb_store_outbox_recover(struct mb_store *st, size_t *n, struct mb_error *err);
int mb_store_outbox_get(struct mb_store *st, int64_t id, struct mb_outbox *out,
                        struct mb_error *err);
/* The exact bytes to send, appended to out. */
int mb_store_outbox_raw(struct mb_store *st, int64_t id, struct mb_buf *out, struct mb_error *err);
/* Rows of an account (NULL: all), newest first; all statuses when all is true, else unsent. */
int mb_store_outbox_list(struct mb_store *st, const char *account, bool all,
                         struct mb_outbox_list *out, struct mb_error *err);
/* Delete a row that is not being sent. */
int mb_store_outbox_delete(struct mb_store *st, int64_t id, struct mb_error *err);
void mb_outbox_release(struct mb_outbox *o);
void mb_outbox_list_release(struct mb_outbox_list *l);

/* ---- drafts --------------------------------------------------------------- */

struct mb_draft_row {
	int64_t id; /* 0: not saved yet */
	char *account;
	int64_t updated; /* unix time, set by save */
	char *to, *cc, *bcc, *subject, *body;
	bool html;
	char **attachments; /* paths, NULL-terminated (or NULL when none) */
	size_t nattachments;
	char *envelope_from;   /* override; NULL (or ""): from the From: header */
	char **envelope_rcpts; /* override; none: from To/Cc/Bcc */
	size_t nenvelope_rcpts;
};

struct mb_draft_row_list {
	struct mb_draft_row *v;
	size_t n;
};

/*
 * Save d (borrowed): insert when d->id is 0 (d->id gets the new id), else
 * update that draft. d->updated is set. NULL strings are stored as "".
 */
int mb_store_draft_save(struct mb_store *st, struct mb_draft_row *d, struct mb_error *err);
int mb_store_draft_get(struct mb_store *st, int64_t id, struct mb_draft_row *out,
                       struct mb_error *err);
/* Drafts of an account (NULL: all), most recently updated first. */
int mb_store_draft_list(struct mb_store *st, const char *account, struct mb_draft_row_list *out,
                        struct mb_error *err);
int mb_store_draft_delete(struct mb_store *st, int64_t id, struct mb_error *err);
void mb_draft_row_release(struct mb_draft_row *d);
void mb_draft_row_list_release(struct mb_draft_row_list *l);

/* ---- sessions and transcripts --------------------------------------------- */

enum mb_tline_dir {
	MB_TLINE_CLIENT = 0,
	MB_TLINE_SERVER,
	MB_TLINE_INFO,
	MB_TLINE_TLS,
};

/* "client", "server", "info", "tls" (or "?"). */
const char *mb_tline_dir_name(enum mb_tline_dir d);

enum mb_session_result {
	MB_SESSION_RUNNING = 0, /* not ended: running, or its process died */
	MB_SESSION_OK,
	MB_SESSION_ERROR,
};

struct mb_session_in {
	const char *account;
	enum mb_store_proto protocol;
	const char *host;
	int port;
	const char *security; /* "none", "starttls", "tls" */
	int64_t outbox_id;    /* the outbox row this session sends, 0: none */
};

struct mb_session {
	int64_t id;
	char *account;
	enum mb_store_proto protocol;
	char *host;
	int port;
	char *security;
	int64_t started_us, ended_us; /* microseconds since the epoch; ended 0: not ended */
	enum mb_session_result result;
	char *error; /* "" when none */
	int64_t outbox_id;
	int64_t nlines;
};

struct mb_session_list {
	struct mb_session *v;
	size_t n;
};

/* One transcript line to append (borrowed). */
struct mb_tline_in {
	enum mb_tline_dir dir;
	int64_t ts_us;    /* microseconds since the epoch; 0: now */
	const void *text; /* one line without CRLF: any bytes, NULs included */
	size_t len;
	int code;            /* reply code, 0 if none */
	const char *meaning; /* short meaning of the reply, NULL: none */
	unsigned flags;      /* the tap's flags, stored as given */
	int rtt_ms;          /* round-trip time of a reply, -1: none */
};

/* A stored transcript line. */
struct mb_tline_rec {
	int64_t seq; /* 1, 2, ... within the session */
	enum mb_tline_dir dir;
	int64_t ts_us;
	char *text; /* len bytes, plus a NUL after them */
	size_t len;
	int code;
	char *meaning;
	unsigned flags;
	int rtt_ms; /* -1: none */
};

struct mb_tline_list {
	struct mb_tline_rec *v;
	size_t n;
};

/* Start a session record (started now); *id gets its id. */
int mb_store_session_begin(struct mb_store *st, const struct mb_session_in *in, int64_t *id,
                           struct mb_error *err);
/*
 * Link outbox row outbox_id to session id as well (a session that sends
 * several messages); mb_store_session_list() then finds it for either.
 */
int mb_store_session_link_outbox(struct mb_store *st, int64_t id, int64_t outbox_id,
                                 struct mb_error *err);
/* Append n lines in one transaction (sequence numbers follow on). */
int mb_store_session_add_lines(struct mb_store *st, int64_t id, const struct mb_tline_in *lines,
                               size_t n, struct mb_error *err);
/* End a session (ended now) with its result and error text (NULL: none). */
int mb_store_session_end(struct mb_store *st, int64_t id, enum mb_session_result result,
                         const char *error, struct mb_error *err);
int mb_store_session_get(struct mb_store *st, int64_t id, struct mb_session *out,
                         struct mb_error *err);
/*
 * Sessions, newest first, at most limit (0: all); only those of outbox row
 * outbox_id when it is not 0.
 */
int mb_store_session_list(struct mb_store *st, int64_t outbox_id, size_t limit,
                          struct mb_session_list *out, struct mb_error *err);
/* Lines of a session with seq > after_seq, in order, at most limit (0: all). */
int mb_store_session_lines(struct mb_store *st, int64_t id, int64_t after_seq, size_t limit,
                           struct mb_tline_list *out, struct mb_error *err);
/* Delete a session and its lines. */
int mb_store_session_delete(struct mb_store *st, int64_t id, struct mb_error *err);
void mb_session_release(struct mb_session *s);
void mb_session_list_release(struct mb_session_list *l);
void mb_tline_list_release(struct mb_tline_list *l);

/* ---- certificate pins ----------------------------------------------------- */

/*
 * Remember that the user accepted the certificate with fingerprint sha256
 * for host:port. Fingerprints are 64 hex digits, any case, colons between
 * pairs allowed; they are stored and listed as lower-case hex.
 */
int mb_store_pin_add(struct mb_store *st, const char *host, int port, const char *sha256,
                     struct mb_error *err);
/* *found: whether sha256 is pinned for host:port. */
int mb_store_pin_find(struct mb_store *st, const char *host, int port, const char *sha256,
                      bool *found, struct mb_error *err);
/* Every fingerprint pinned for host:port, oldest first; free with mb_strv_free(). */
int mb_store_pin_list(struct mb_store *st, const char *host, int port, char ***sha256s, size_t *n,
                      struct mb_error *err);
int mb_store_pin_remove(struct mb_store *st, const char *host, int port, const char *sha256,
                        struct mb_error *err);

#endif
