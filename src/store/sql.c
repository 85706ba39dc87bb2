/*
 * sql.c: the SQL plumbing every file of src/store uses: the mapping of
 * SQLite failures to mailbench errors (busy, full, damaged), the cache of
 * prepared statements, binding and reading helpers, '\n'-joined lists,
 * and transactions: counted batches over BEGIN IMMEDIATE (outermost) and
 * savepoints (inner levels), with the whole batch rolled back and "doomed"
 * when a failure leaves the database in doubt.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h"
#include "store/private.h"

static bool
fatal_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_NOMEM:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
	case SQLITE_PERM:
		return true;
	default:
		return false;
	}
}

/* Roll the whole batch back after a failure that leaves the database in doubt. */
void
store_doom(struct mb_store *st, const struct mb_error *why)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->doomed = true;
	if (why != NULL)
		st->doom = *why;
	else
		mb_error_set(&st->doom, MB_ERR_STORE, "the batch was rolled back after a failure");
}

int
store_fail(struct mb_store *st, struct mb_error *err, int rc, const char *what)
{
	struct mb_error local = MB_ERROR_INIT;
	int prim = rc & 0xff;
	int sys = sqlite3_system_errno(st->db);

	if (err == NULL)
		err = &local;
	if (prim == SQLITE_BUSY)
		mb_error_set(err, MB_ERR_BUSY,
		             "the cache '%s' is busy: another mailbench is writing to it",
		             st->path);
	else if (prim == SQLITE_FULL || (prim == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT)))
		mb_error_set(err, MB_ERR_STORE, "cache '%s' is full: no space left on device",
		             st->path);
	else if (prim == SQLITE_NOTADB)
		mb_error_set(err, MB_ERR_STORE,
		             "cache '%s' is not a database: it is only a cache, move it aside "
		             "and mailbench starts a new one",
		             st->path);
	else if (prim == SQLITE_CORRUPT)
		mb_error_set(err, MB_ERR_STORE,
		             "cache '%s' is damaged (%s): it is only a cache, move it aside and "
		             "mailbench starts a new one",
		             st->path, sqlite3_errmsg(st->db));
	else if (prim == SQLITE_TOOBIG)
		mb_error_set(err, MB_ERR_TOOBIG, "%s: too big for cache '%s'", what, st->path);
	else if (prim == SQLITE_READONLY)
		mb_error_set(err, MB_ERR_STORE, "%s: cache '%s' is read-only", what, st->path);
	else if (prim == SQLITE_IOERR)
		mb_error_set(err, MB_ERR_STORE, "%s: cannot read or write cache '%s': %s", what,
		             st->path, sys != 0 ? strerror(sys) : sqlite3_errmsg(st->db));
	else
		mb_error_set(err, MB_ERR_STORE, "%s in cache '%s': %s", what, st->path,
		             sqlite3_errmsg(st->db));
	/* a batch SQLite gave up on, or one we cannot trust any more, is over */
	if (st->depth > 0 && !st->doomed && (fatal_rc(rc) || sqlite3_get_autocommit(st->db)))
		store_doom(st, err);
	return -1;
}

sqlite3_stmt *
store_stmt(struct mb_store *st, const char *sql, struct mb_error *err)
{
	struct store_cached_stmt tmp;
	sqlite3_stmt *s;
	int i, rc;

	for (i = 0; i < st->ncache; i++) {
		if (strcmp(st->cache[i].sql, sql) != 0)
			continue;
		s = st->cache[i].stmt;
		/* most recently used first, so the least used is evicted */
		if (i > 0) {
			tmp = st->cache[i];
			memmove(&st->cache[1], &st->cache[0], (size_t)i * sizeof st->cache[0]);
			st->cache[0] = tmp;
		}
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, err, rc, "cannot prepare a query");
		return NULL;
	}
	if (st->ncache == STORE_STMT_CACHE) {
		st->ncache--;
		sqlite3_finalize(st->cache[st->ncache].stmt);
		free(st->cache[st->ncache].sql);
	}
	memmove(&st->cache[1], &st->cache[0], (size_t)st->ncache * sizeof st->cache[0]);
	st->cache[0].sql = xstrdup(sql);
	st->cache[0].stmt = s;
	st->ncache++;
	return s;
}

int
store_exec(struct mb_store *st, const char *sql, struct mb_error *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, err, rc, "cannot run a statement");
	return 0;
}

void
store_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	sqlite3_bind_text(s, i, text != NULL ? text : "", -1, SQLITE_STATIC);
}

void
store_bind_text_or_null(sqlite3_stmt *s, int i, const char *text)
{
	if (text == NULL || text[0] == '\0')
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
}

char *
store_col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);

	if (t == NULL)
		return xstrdup("");
	return xmemdup0(t, (size_t)n);
}

int64_t
store_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
store_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
store_list_join(const char *const *v, size_t n, const char *what, char **out, struct mb_error *err)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == NULL || v[i][0] == '\0' || strpbrk(v[i], "\r\n") != NULL) {
			mb_buf_release(&b);
			return mb_error_set(err, MB_ERR_INPUT, "cannot store %s: %s", what,
			                    v[i] == NULL || v[i][0] == '\0'
			                            ? "an element is empty"
			                            : "an element holds a line break");
		}
		if (i > 0)
			mb_buf_addch(&b, '\n');
		mb_buf_addstr(&b, v[i]);
	}
	*out = mb_buf_detach(&b, NULL);
	return 0;
}

char **
store_list_split(const char *text, size_t *n)
{
	char **v;
	const char *p, *nl;
	size_t count = 0, i = 0;

	if (text != NULL && text[0] != '\0')
		for (count = 1, p = text; (p = strchr(p, '\n')) != NULL; p++)
			count++;
	v = xcalloc(count + 1, sizeof *v);
	for (p = text; i < count; i++) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			v[i] = xstrdup(p);
		} else {
			v[i] = xstrndup(p, (size_t)(nl - p));
			p = nl + 1;
		}
	}
	if (n != NULL)
		*n = count;
	return v;
}

int
mb_store_depth(const struct mb_store *st)
{
	return st->depth;
}

int
store_doomed(const struct mb_store *st, struct mb_error *err)
{
	if (!st->doomed)
		return 0;
	if (err != NULL)
		*err = st->doom;
	return -1;
}

int
mb_store_begin(struct mb_store *st, struct mb_error *err)
{
	int rc;

	if (store_doomed(st, err) < 0)
		return -1;
	rc = sqlite3_exec(st->db, st->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT mb", NULL, NULL,
	                  NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, err, rc, "cannot start a transaction");
	st->depth++;
	return 0;
}

/* The outermost transaction is over (committed, rolled back, or given up): forget its
   state. */
static void
txn_over(struct mb_store *st)
{
	st->depth = 0;
	st->doomed = false;
	st->fts_added = 0;
	store_sources_txn_end(st);
}

/* Leave one level of a doomed batch. */
static void
unwind_doomed(struct mb_store *st)
{
	if (--st->depth == 0)
		txn_over(st);
}

int
mb_store_commit(struct mb_store *st, struct mb_error *err)
{
	size_t added;
	int rc;

	if (st->depth <= 0)
		return mb_error_set(err, MB_ERR_INTERNAL, "commit without a transaction");
	if (store_doomed(st, err) < 0) {
		unwind_doomed(st);
		return -1;
	}
	if (st->depth > 1) {
		rc = sqlite3_exec(st->db, "RELEASE mb", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			store_fail(st, err, rc, "cannot commit");
			if (st->doomed) {
				unwind_doomed(st);
			} else {
				sqlite3_exec(st->db, "ROLLBACK TO mb; RELEASE mb", NULL, NULL,
				             NULL);
				st->depth--;
			}
			return -1;
		}
		st->depth--;
		return 0;
	}
	if (store_sources_precommit(st, err) < 0)
		goto abort;
	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, err, rc, "cannot commit");
		goto abort;
	}
	added = st->fts_added;
	txn_over(st);
	store_fts_thread_kick(st, added);
	return 0;
abort:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	txn_over(st);
	return -1;
}

void
mb_store_rollback(struct mb_store *st)
{
	if (st->depth <= 0)
		return;
	if (st->doomed) {
		unwind_doomed(st);
		return;
	}
	if (st->depth > 1)
		sqlite3_exec(st->db, "ROLLBACK TO mb; RELEASE mb", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	if (--st->depth == 0)
		txn_over(st);
}

int
store_write_by_id(struct mb_store *st, const char *sql, int64_t id, const char *what,
                  const char *noun, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, sql, err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, what);
		goto fail;
	}
	if (noun != NULL && sqlite3_changes(st->db) == 0) {
		mb_error_set(err, MB_ERR_NOTFOUND, "%s: no %s %lld", what, noun, (long long)id);
		goto fail;
	}
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}
