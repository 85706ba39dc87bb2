/*
 * private.h: internals shared by the files of src/store (never included
 * outside it, except by its unit tests). This is the only header that
 * names SQLite.
 */
#ifndef MAILBENCH_STORE_PRIVATE_H
#define MAILBENCH_STORE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"
#include "mailbench/store.h"

/* How many prepared statements one handle keeps for reuse. */
#define STORE_STMT_CACHE 128

/* In bulk (bulk.c), a checkpoint is asked for every so many pages of log (SQLite's own
   default), and the writer waits for one past 8 times that many. */
#define STORE_CKPT_PAGES 1000

/* The application_id written into every mailbench cache ("MBCK"). */
#define STORE_APPLICATION_ID 0x4D42434B

struct store_cached_stmt {
	char *sql;
	sqlite3_stmt *stmt;
};

struct mb_store {
	sqlite3 *db;
	char *path;
	bool wal;   /* journal_mode=WAL is in effect */
	bool netfs; /* found (or assumed) on a network file system */
	int busy_ms;
	int depth;            /* open batch levels */
	bool doomed;          /* the batch was rolled back by a failure */
	struct mb_error doom; /* ... and this was the failure */
	struct store_cached_stmt cache[STORE_STMT_CACHE];
	int ncache;
	/* the full-text index (fts.c): its connection, opened at the first use, and the thread
	   that indexes during a bulk store (it alone uses the connection meanwhile) */
	sqlite3 *fts;
	struct store_fts_thr *fts_thr;
	size_t fts_added;        /* messages stored in the open transaction, for that thread */
	bool fts_thr_failed;     /* it could not start in this bulk: the first search indexes */
	bool bulk;               /* mb_store_bulk_begin() is in effect */
	struct store_ckpt *ckpt; /* bulk's checkpointer thread (bulk.c), or NULL */
	int ckpt_pages;          /* STORE_CKPT_PAGES, unless a unit test sets fewer */
	/* message sources, in PATH-sources (sources.c) */
	int src_fd;              /* opened at the first use, else -1 */
	int64_t src_gen;         /* the generation (file) src_fd is */
	int64_t src_compact_min; /* STORE_SOURCES_COMPACT_MIN, unless a unit test sets less */
	int64_t src_end; /* where the next record goes in the open transaction; -1: not read yet */
	bool src_dirty;  /* records appended in it: sources_end is recorded at its commit */
};

/*
 * Open path (which must exist) and apply the connection settings (busy
 * timeout, foreign keys) without reading the file or touching the schema.
 * For mb_store_open() and the unit tests.
 */
int store_open_raw(struct mb_store **out, const char *path, struct mb_error *err);

/* Choose the journal mode for the file system (WAL or DELETE) and synchronous to match. */
int store_set_journal(struct mb_store *st, struct mb_error *err);

/* One forward migration: applied in its own transaction, then user_version = index + 1. */
struct store_migration {
	const char *what; /* for error messages */
	const char *sql;
};

extern const struct store_migration store_migrations[];
extern const int store_nmigrations;

/*
 * Bring the database from its user_version up to nsteps, one transaction
 * per step. A version above nsteps is refused.
 */
int store_migrate(struct mb_store *st, const struct store_migration *steps, int nsteps,
                  struct mb_error *err);

/*
 * Report a failed SQLite call rc: fills err (busy, full, damaged, or
 * "WHAT in cache 'PATH': sqlite message"), and when the failure leaves the
 * database in doubt, rolls back the whole batch and marks it doomed.
 * Returns -1.
 */
int store_fail(struct mb_store *st, struct mb_error *err, int rc, const char *what);
/* Roll the whole open batch back and mark it doomed with the failure why. */
void store_doom(struct mb_store *st, const struct mb_error *why);
/* -1 with the doom's error in err when the open batch is doomed, else 0. */
int store_doomed(const struct mb_store *st, struct mb_error *err);
/*
 * Run a one-statement write whose one parameter is an id, in its own
 * transaction; with noun, hitting no row is MB_ERR_NOTFOUND "WHAT: no NOUN ID".
 */
int store_write_by_id(struct mb_store *st, const char *sql, int64_t id, const char *what,
                      const char *noun, struct mb_error *err);

/* A prepared statement for sql (cached by its text), reset and unbound; NULL on error. */
sqlite3_stmt *store_stmt(struct mb_store *st, const char *sql, struct mb_error *err);

/* Run SQL without results (several statements allowed). */
int store_exec(struct mb_store *st, const char *sql, struct mb_error *err);

/* The generation of the sources file bulk's checkpointer syncs next (-1: none runs); for the
   unit tests. */
int64_t store_ckpt_sources_gen(struct mb_store *st);

/*
 * The full-text index, in PATH-fts (fts.c). Open opens its connection (the cache attached as
 * "c"); catch_up indexes the committed messages it does not hold yet, rebuilding an index
 * it cannot trust; check appends what is wrong with it to problems. In bulk a thread,
 * started by the first commit that stores messages (kick, after each commit), indexes once
 * STORE_FTS_BATCH are committed, and at its stop (the bulk's end) indexes the rest.
 */
#define STORE_FTS_BATCH 1000
int store_fts_open(struct mb_store *st, struct mb_error *err);
void store_fts_close(struct mb_store *st);
int store_fts_catch_up(struct mb_store *st, struct mb_error *err);
int store_fts_check(struct mb_store *st, struct mb_buf *problems, int *n, struct mb_error *err);
void store_fts_thread_kick(struct mb_store *st, size_t added);
void store_fts_thread_stop(struct mb_store *st);

/*
 * Message sources (sources.c). Open opens the current generation's file; add appends a
 * record inside the open write transaction and gives its offset; precommit records the new
 * end in meta (before COMMIT), txn_end forgets the end when a transaction is over; sync makes
 * the file durable; read streams a record of generation gen, checking it; check reads every
 * record the cache points to.
 */
int store_sources_open(struct mb_store *st, struct mb_error *err);
void store_sources_close(struct mb_store *st);
int store_sources_add(struct mb_store *st, int64_t id, const void *raw, size_t len,
                      const uint64_t *sum, int64_t *off, struct mb_error *err);
int store_sources_precommit(struct mb_store *st, struct mb_error *err);
void store_sources_txn_end(struct mb_store *st);
int store_sources_sync(struct mb_store *st, struct mb_error *err);
int store_sources_read(struct mb_store *st, int64_t id, int64_t gen, int64_t off, int64_t len,
                       int (*cb)(const void *chunk, size_t n, void *arg), void *arg,
                       struct mb_error *err);
/* Copy the live records to the next generation's file when the holes deleted messages left
   pass both min_holes and the live bytes; *done says whether it did. */
#define STORE_SOURCES_COMPACT_MIN ((int64_t)64 << 20)
int store_sources_compact(struct mb_store *st, int64_t min_holes, bool *done, struct mb_error *err);
int store_sources_check(struct mb_store *st, struct mb_buf *out, int *n, struct mb_error *err);

/* Bind helpers: NULL text binds "" (strings are borrowed until the step). */
void store_bind_text(sqlite3_stmt *s, int i, const char *text);
/* NULL or "" binds SQL NULL. */
void store_bind_text_or_null(sqlite3_stmt *s, int i, const char *text);

/* A copy of column i as a string, "" for NULL. */
char *store_col_str(sqlite3_stmt *s, int i);

/* Unix time now, in seconds and in microseconds. */
int64_t store_now(void);
int64_t store_now_us(void);

/*
 * Join list elements with '\n' into a new string. Fails with MB_ERR_INPUT
 * when an element is empty or holds CR or LF (what names the list).
 */
int store_list_join(const char *const *v, size_t n, const char *what, char **out,
                    struct mb_error *err);
/* Split a '\n'-joined list: a NULL-terminated vector, *n elements (n may be NULL). */
char **store_list_split(const char *text, size_t *n);

/* The enum for a stored protocol name ("smtp", "imap", "pop3"). */
enum mb_store_proto store_proto_from_name(const char *name);

/* Turn a user's search text into a safe FTS5 query; "" when nothing is searchable. */
char *store_fts_query(const char *user);

/* Shared message-row reading (messages.c): the column list and the reader. */
#define STORE_MSG_COLS                                                                 \
	"m.id, m.account_id, m.mailbox_id, m.uid, m.uidl, m.size, m.flags, m.modseq, " \
	"m.internaldate, m.date, m.fetched_at, m.date_text, m.from_text, m.to_text, "  \
	"m.cc_text, m.subject, m.message_id, m.in_reply_to, m.references_text, "       \
	"m.has_attachments, m.session_id"
void store_read_msg(sqlite3_stmt *s, struct mb_msg *m);
/* Step s to its end, collecting message rows into out. */
int store_collect_msgs(struct mb_store *st, sqlite3_stmt *s, struct mb_msg_list *out,
                       struct mb_error *err);

#endif
