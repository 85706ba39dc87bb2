/*
 * fts.c: the full-text index, in a database file of its own, PATH-fts.
 *
 * Why a file of its own: indexing is the largest part of storing a message
 * (a third of the store thread's time in a POP3 fetch of 10 000 messages),
 * and SQLite lets one connection at a time write a database. In a file of
 * its own the index has its own writer: during a sync a thread of its own
 * indexes what the store thread committed, on the other core, while the
 * store thread goes on storing.
 *
 * The index is derived data, rebuilt from the cache whenever it cannot be
 * trusted. message_fts is contentless (the text is in the cache's
 * message_text, not stored twice) and holds every message up to the
 * highest id indexed (state 'hw'): catching up indexes the cache's
 * messages above it, in id order, in one transaction with the new mark.
 * That suffices because the cache never gives an id twice (insert_row takes
 * one above every id it ever gave, see meta's max_deleted_id) and a
 * transaction that commits later gives higher ids than all committed ones.
 *
 * A deleted message stays in the index (a contentless index needs the old
 * text to take it out): a search joins the messages by id, so it is never
 * found, and once such entries outnumber the messages the index is rebuilt.
 * Rebuilt too: an index of another cache (state 'token' is not the cache's
 * meta fts_token), or one ahead of its cache (a cache put back from a copy,
 * or that lost commits: its highest id ever is below the mark).
 *
 * Connection: main is the index file, the cache is attached as "c" and only
 * read. Transactions on it are deferred (BEGIN IMMEDIATE would take the
 * cache's write lock too) and write first, so that the index's lock is
 * taken before the cache's snapshot is.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

#define FTS_CHUNK   2000 /* messages indexed per transaction at most */
#define FTS_CHUNK_S "2000"

static const char fts_schema[] =
        "CREATE TABLE IF NOT EXISTS state(k TEXT PRIMARY KEY, v) WITHOUT ROWID;\n"
        "CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5(\n"
        "  from_text, to_text, cc_text, subject, body, content = '',\n"
        "  tokenize = 'unicode61 remove_diacritics 2'\n"
        ");\n"
        "INSERT OR IGNORE INTO state(k, v) VALUES ('hw', 0), ('token', 0), ('docs', 0);\n";

struct store_fts_thr {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mb_store *st;
	size_t waiting; /* messages committed since the thread last indexed */
	bool stop;
};

static int
fts_fail(struct mb_store *st, struct mb_error *err, int rc, const char *what)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_BUSY)
		return mb_error_set(err, MB_ERR_BUSY,
		                    "the search index of cache '%s' is busy: another mailbench is "
		                    "writing to it",
		                    st->path);
	if (prim == SQLITE_FULL)
		return mb_error_set(err, MB_ERR_STORE,
		                    "cache '%s' is full: no space left on device", st->path);
	return mb_error_set(err, MB_ERR_STORE, "%s in the search index of cache '%s': %s", what,
	                    st->path,
	                    st->fts != NULL ? sqlite3_errmsg(st->fts) : sqlite3_errstr(rc));
}

static int
fts_exec(struct mb_store *st, const char *sql, const char *what, struct mb_error *err)
{
	int rc = sqlite3_exec(st->fts, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fts_fail(st, err, rc, what);
}

/* One integer from sql (with up to one bound integer), on the index's connection. */
static int
fts_int(struct mb_store *st, const char *sql, int64_t arg, int64_t *v, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->fts, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fts_fail(st, err, rc, "cannot read");
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fts_fail(st, err, rc, "cannot read");
	if (rc == SQLITE_DONE)
		*v = 0;
	return 0;
}

static int
fts_set(struct mb_store *st, const char *key, int64_t v, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->fts, "UPDATE state SET v = ?2 WHERE k = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fts_fail(st, err, rc, "cannot write");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, v);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : fts_fail(st, err, rc, "cannot write");
}

int
store_fts_open(struct mb_store *st, struct mb_error *err)
{
	struct mb_buf path = MB_BUF_INIT;
	sqlite3_stmt *s;
	bool made;
	int fd, rc;

	if (st->fts != NULL)
		return 0;
	mb_buf_addf(&path, "%s-fts", st->path);
	/* made by us, for the owner only, as the cache is */
	fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		mb_error_set(err, MB_ERR_STORE, "cannot open the search index '%s': %s", path.data,
		             strerror(errno));
		mb_buf_release(&path);
		return -1;
	}
	close(fd);
	rc = sqlite3_open_v2(path.data, &st->fts, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	                     NULL);
	mb_buf_release(&path);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_extended_result_codes(st->fts, 1);
	sqlite3_busy_timeout(st->fts, st->busy_ms);
	/* as the cache: a commit that a power failure takes back takes its entries and its mark
	   with it, and the messages are indexed again */
	if (st->wal && fts_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
	                        "cannot set up", err) < 0)
		goto out;
	rc = sqlite3_prepare_v2(st->fts, "ATTACH ?1 AS c", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, st->path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	/* made once (a write, and a sync to disk) */
	rc = sqlite3_prepare_v2(st->fts,
	                        "SELECT count(*) FROM sqlite_schema WHERE name IN ('state', "
	                        "'message_fts')",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(s);
	made = rc == SQLITE_ROW && sqlite3_column_int(s, 0) == 2;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		goto fail;
	if (!made && fts_exec(st, fts_schema, "cannot set up", err) < 0)
		goto out;
	return 0;
fail:
	fts_fail(st, err, rc, "cannot open");
out:
	store_fts_close(st);
	return -1;
}

void
store_fts_close(struct mb_store *st)
{
	if (st->fts != NULL)
		sqlite3_close_v2(st->fts);
	st->fts = NULL;
}

/* Whether the index is this cache's and not ahead of it (*hw: its mark, *token: the
   cache's). */
static int
fts_is_trusted(struct mb_store *st, bool *trusted, int64_t *hw, int64_t *token,
               struct mb_error *err)
{
	int64_t mine, maxid;

	if (fts_int(st, "SELECT v FROM state WHERE k = 'hw'", 0, hw, err) < 0 ||
	    fts_int(st, "SELECT v FROM state WHERE k = 'token'", 0, &mine, err) < 0 ||
	    fts_int(st, "SELECT value FROM c.meta WHERE key = 'fts_token'", 0, token, err) < 0 ||
	    fts_int(st,
	            "SELECT max(coalesce((SELECT max(id) FROM c.messages), 0), "
	            "coalesce((SELECT value FROM c.meta WHERE key = 'max_deleted_id'), 0))",
	            0, &maxid, err) < 0)
		return -1;
	*trusted = mine == *token && *hw <= maxid;
	return 0;
}

/* In the open transaction: start over when the index cannot be trusted; *hw gets the mark
   to go on from. */
static int
fts_trusted(struct mb_store *st, int64_t *hw, struct mb_error *err)
{
	int64_t token;
	bool trusted;

	if (fts_is_trusted(st, &trusted, hw, &token, err) < 0)
		return -1;
	if (trusted)
		return 0;
	*hw = 0;
	/* FTS5 gathers 8 MiB of terms before it writes a segment (1 by default), and merges 16
	   segments at a time (4): both measured, a sixth less time to index 10 000 messages */
	if (fts_exec(st,
	             "INSERT INTO message_fts(message_fts) VALUES ('delete-all');"
	             "INSERT INTO message_fts(message_fts, rank) VALUES ('hashsize', 8388608);"
	             "INSERT INTO message_fts(message_fts, rank) VALUES ('automerge', 16)",
	             "cannot rebuild", err) < 0 ||
	    fts_set(st, "token", token, err) < 0 || fts_set(st, "hw", 0, err) < 0 ||
	    fts_set(st, "docs", 0, err) < 0)
		return -1;
	return 0;
}

/* One transaction: index up to FTS_CHUNK messages above the mark; *more when there may be
   more. */
static int
fts_chunk(struct mb_store *st, bool *more, struct mb_error *err)
{
	sqlite3_stmt *s = NULL;
	int64_t hw, newhw, n, docs;
	int rc;

	*more = false;
	/* the index's lock first (waiting for another writer), then the cache's snapshot */
	if (fts_exec(st, "BEGIN; UPDATE state SET v = v WHERE k = 'hw'", "cannot index", err) < 0)
		goto fail;
	if (fts_trusted(st, &hw, err) < 0 ||
	    fts_int(st,
	            "SELECT count(*) FROM (SELECT id FROM c.messages WHERE id > ?1 "
	            "ORDER BY id LIMIT " FTS_CHUNK_S ")",
	            hw, &n, err) < 0)
		goto fail;
	if (n == 0) {
		if (fts_exec(st, "COMMIT", "cannot index", err) < 0)
			goto fail;
		return 0;
	}
	if (fts_int(st,
	            "SELECT max(id) FROM (SELECT id FROM c.messages WHERE id > ?1 ORDER BY id "
	            "LIMIT " FTS_CHUNK_S ")",
	            hw, &newhw, err) < 0 ||
	    fts_int(st, "SELECT v FROM state WHERE k = 'docs'", 0, &docs, err) < 0)
		goto fail;
	rc = sqlite3_prepare_v2(
	        st->fts,
	        "INSERT INTO message_fts(rowid, from_text, to_text, cc_text, subject, body) "
	        "SELECT m.id, m.from_text, m.to_text, m.cc_text, m.subject, coalesce(t.body, '') "
	        "FROM c.messages m LEFT JOIN c.message_text t ON t.message_id = m.id "
	        "WHERE m.id > ?1 AND m.id <= ?2",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, hw);
		sqlite3_bind_int64(s, 2, newhw);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		fts_fail(st, err, rc, "cannot index messages for search");
		goto fail;
	}
	if (fts_set(st, "hw", newhw, err) < 0 || fts_set(st, "docs", docs + n, err) < 0 ||
	    fts_exec(st, "COMMIT", "cannot index", err) < 0)
		goto fail;
	*more = n == FTS_CHUNK;
	return 0;
fail:
	if (!sqlite3_get_autocommit(st->fts))
		sqlite3_exec(st->fts, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_fts_catch_up(struct mb_store *st, struct mb_error *err)
{
	int64_t hw, token, newer;
	bool more = true, trusted;

	if (store_fts_open(st, err) < 0)
		return -1;
	/* nothing to do, as after a sync that brought nothing: no write, no sync to disk */
	if (fts_is_trusted(st, &trusted, &hw, &token, err) < 0 ||
	    fts_int(st, "SELECT EXISTS (SELECT 1 FROM c.messages WHERE id > ?1)", hw, &newer, err) <
	            0)
		return -1;
	if (trusted && newer == 0)
		return 0;
	while (more)
		if (fts_chunk(st, &more, err) < 0)
			return -1;
	return 0;
}

/* Rebuild an index that holds more deleted messages than messages (a sync that expunged
   most of a mailbox): the next catch-up starts over. */
static int
fts_prune(struct mb_store *st, struct mb_error *err)
{
	int64_t docs, n;

	if (fts_int(st, "SELECT v FROM state WHERE k = 'docs'", 0, &docs, err) < 0)
		return -1;
	if (docs < 1000 ||
	    fts_int(st, "SELECT coalesce(sum(total), 0) FROM c.mailboxes", 0, &n, err) < 0 ||
	    docs <= 2 * n)
		return 0;
	if (fts_exec(st, "BEGIN; INSERT INTO message_fts(message_fts) VALUES ('delete-all')",
	             "cannot rebuild", err) < 0 ||
	    fts_set(st, "hw", 0, err) < 0 || fts_set(st, "docs", 0, err) < 0 ||
	    fts_exec(st, "COMMIT", "cannot rebuild", err) < 0) {
		if (!sqlite3_get_autocommit(st->fts))
			sqlite3_exec(st->fts, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int
store_fts_check(struct mb_store *st, struct mb_buf *problems, int *n, struct mb_error *err)
{
	int64_t missing;
	int rc;

	if (store_fts_catch_up(st, err) < 0)
		return -1;
	rc = sqlite3_exec(st->fts,
	                  "INSERT INTO message_fts(message_fts, rank) "
	                  "VALUES ('integrity-check', 0)",
	                  NULL, NULL, NULL);
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		if ((*n)++ < 3)
			mb_buf_addf(problems, "%sthe full-text index is damaged",
			            problems->len > 0 ? "; " : "");
	} else if (rc != SQLITE_OK) {
		return fts_fail(st, err, rc, "cannot check");
	}
	if (fts_int(st,
	            "SELECT count(*) FROM c.messages WHERE id NOT IN "
	            "(SELECT id FROM message_fts_docsize)",
	            0, &missing, err) < 0)
		return -1;
	if (missing > 0 && (*n)++ < 3)
		mb_buf_addf(problems, "%s%lld messages are not in the full-text index",
		            problems->len > 0 ? "; " : "", (long long)missing);
	return 0;
}

/* ---- the indexing thread of a bulk store ------------------------------------------------ */

static void *
thr_main(void *arg)
{
	struct store_fts_thr *t = arg;
	bool stop;

	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (!t->stop && t->waiting < STORE_FTS_BATCH)
			pthread_cond_wait(&t->cv, &t->mu);
		stop = t->stop;
		t->waiting = 0;
		pthread_mutex_unlock(&t->mu);
		/* a failure (a full disk, say) leaves the messages to the next catch-up: they
		   are stored, and found once indexed */
		store_fts_catch_up(t->st, NULL);
		if (stop) {
			fts_prune(t->st, NULL);
			store_fts_catch_up(t->st, NULL);
			return NULL;
		}
		pthread_mutex_lock(&t->mu);
	}
}

/* Start the thread (at the first commit that stores a message: a sync that brings nothing
   opens no index). */
static void
thr_start(struct mb_store *st)
{
	struct store_fts_thr *t;

	if (store_fts_open(st, NULL) < 0)
		return; /* without the thread, the first search indexes */
	t = xcalloc(1, sizeof *t);
	t->st = st;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->thread, NULL, thr_main, t) != 0) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		free(t);
		return;
	}
	pthread_setname_np(t->thread, "mb-index");
	st->fts_thr = t;
}

void
store_fts_thread_kick(struct mb_store *st, size_t added)
{
	struct store_fts_thr *t;

	if (!st->bulk || added == 0)
		return;
	if (st->fts_thr == NULL && !st->fts_thr_failed) {
		thr_start(st);
		st->fts_thr_failed = st->fts_thr == NULL;
	}
	if ((t = st->fts_thr) == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->waiting += added;
	if (t->waiting >= STORE_FTS_BATCH)
		pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

void
store_fts_thread_stop(struct mb_store *st)
{
	struct store_fts_thr *t = st->fts_thr;

	st->fts_thr_failed = false;
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
	st->fts_thr = NULL;
}
