/*
 * sessions.c: protocol sessions and their transcripts. A session row is
 * written when a connection starts; its lines are appended in batches (one
 * transaction per batch) while it runs, byte-exact (a line may hold any
 * bytes, NULs included: the text column is a BLOB); the row is closed with
 * its result. A session never ended was cut off (its process died).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

static const char *const dir_names[] = {
        [MB_TLINE_CLIENT] = "client",
        [MB_TLINE_SERVER] = "server",
        [MB_TLINE_INFO] = "info",
        [MB_TLINE_TLS] = "tls",
};

const char *
mb_tline_dir_name(enum mb_tline_dir d)
{
	if ((unsigned)d >= sizeof dir_names / sizeof dir_names[0])
		return "?";
	return dir_names[d];
}

static enum mb_tline_dir
dir_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof dir_names / sizeof dir_names[0]; i++)
		if (name != NULL && strcmp(name, dir_names[i]) == 0)
			return (enum mb_tline_dir)i;
	return MB_TLINE_INFO;
}

int
mb_store_session_begin(struct mb_store *st, const struct mb_session_in *in, int64_t *id,
                       struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (in->protocol != MB_STORE_SMTP && in->protocol != MB_STORE_IMAP &&
	    in->protocol != MB_STORE_POP3)
		return mb_error_set(err, MB_ERR_INTERNAL, "a session is smtp, imap or pop3");
	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st,
	               "INSERT INTO sessions(account, protocol, host, port, security, started_us, "
	               "outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
	               err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, in->account);
	store_bind_text(s, 2, mb_store_proto_name(in->protocol));
	store_bind_text(s, 3, in->host);
	sqlite3_bind_int(s, 4, in->port);
	store_bind_text(s, 5, in->security);
	sqlite3_bind_int64(s, 6, store_now_us());
	if (in->outbox_id != 0)
		sqlite3_bind_int64(s, 7, in->outbox_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			mb_error_set(err, MB_ERR_NOTFOUND,
			             "cannot record a session: no outbox message %lld",
			             (long long)in->outbox_id);
		else
			store_fail(st, err, rc, "cannot record a session");
		goto fail;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_session_add_lines(struct mb_store *st, int64_t id, const struct mb_tline_in *lines,
                           size_t n, struct mb_error *err)
{
	sqlite3_stmt *s;
	int64_t seq;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	if (mb_store_begin(st, err) < 0)
		return -1;
	/* the session row counts its lines: that is also the next sequence number */
	s = store_stmt(st,
	               "UPDATE sessions SET nlines = nlines + ?1 WHERE id = ?2 "
	               "RETURNING nlines - ?1",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)n);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot record transcript lines");
		goto fail;
	}
	if (sqlite3_changes(st->db) == 0) {
		mb_error_set(err, MB_ERR_NOTFOUND,
		             "cannot record transcript lines: no session %lld", (long long)id);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		const struct mb_tline_in *l = &lines[i];

		s = store_stmt(
		        st,
		        "INSERT INTO transcript_lines(session_id, seq, direction, ts_us, text, "
		        "code, meaning, flags, rtt_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		        err);
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, seq + (int64_t)i + 1);
		store_bind_text(s, 3, mb_tline_dir_name(l->dir));
		sqlite3_bind_int64(s, 4, l->ts_us != 0 ? l->ts_us : store_now_us());
		sqlite3_bind_blob64(s, 5, l->text != NULL ? l->text : "",
		                    l->text != NULL ? l->len : 0, SQLITE_STATIC);
		sqlite3_bind_int(s, 6, l->code);
		store_bind_text(s, 7, l->meaning);
		sqlite3_bind_int64(s, 8, l->flags);
		sqlite3_bind_int(s, 9, l->rtt_ms);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			store_fail(st, err, rc, "cannot record transcript lines");
			goto fail;
		}
	}
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_session_link_outbox(struct mb_store *st, int64_t id, int64_t outbox_id,
                             struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(st,
	               "INSERT OR IGNORE INTO session_outbox(session_id, outbox_id) VALUES (?, ?)",
	               err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, outbox_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot link a session to an outbox message");
	return 0;
}

int
mb_store_session_end(struct mb_store *st, int64_t id, enum mb_session_result result,
                     const char *error, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (result != MB_SESSION_OK && result != MB_SESSION_ERROR)
		return mb_error_set(err, MB_ERR_INTERNAL, "a session ends with ok or error");
	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, "UPDATE sessions SET ended_us = ?, result = ?, error = ? WHERE id = ?",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, store_now_us());
	store_bind_text(s, 2, result == MB_SESSION_OK ? "ok" : "error");
	store_bind_text(s, 3, error);
	sqlite3_bind_int64(s, 4, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot end a session");
		goto fail;
	}
	if (sqlite3_changes(st->db) == 0) {
		mb_error_set(err, MB_ERR_NOTFOUND, "cannot end a session: no session %lld",
		             (long long)id);
		goto fail;
	}
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

#define SESSION_COLS                                                                  \
	"id, account, protocol, host, port, security, started_us, ended_us, result, " \
	"error, coalesce(outbox_id, 0), nlines"

/* Fill out from a row of SESSION_COLS. */
static void
read_session(sqlite3_stmt *s, struct mb_session *out)
{
	const char *result = (const char *)sqlite3_column_text(s, 8);

	out->id = sqlite3_column_int64(s, 0);
	out->account = store_col_str(s, 1);
	out->protocol = store_proto_from_name((const char *)sqlite3_column_text(s, 2));
	out->host = store_col_str(s, 3);
	out->port = sqlite3_column_int(s, 4);
	out->security = store_col_str(s, 5);
	out->started_us = sqlite3_column_int64(s, 6);
	out->ended_us = sqlite3_column_int64(s, 7);
	out->result = result == NULL              ? MB_SESSION_RUNNING
	              : strcmp(result, "ok") == 0 ? MB_SESSION_OK
	                                          : MB_SESSION_ERROR;
	out->error = store_col_str(s, 9);
	out->outbox_id = sqlite3_column_int64(s, 10);
	out->nlines = sqlite3_column_int64(s, 11);
}

int
mb_store_session_get(struct mb_store *st, int64_t id, struct mb_session *out, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " SESSION_COLS " FROM sessions WHERE id = ?", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_session(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no session %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read a session");
	return 0;
}

int
mb_store_session_list(struct mb_store *st, int64_t outbox_id, size_t limit,
                      struct mb_session_list *out, struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	s = store_stmt(st,
	               outbox_id != 0 ? "SELECT " SESSION_COLS
	                                " FROM sessions WHERE outbox_id = ?1 OR id IN "
	                                "(SELECT session_id FROM session_outbox "
	                                "WHERE outbox_id = ?1) "
	                                "ORDER BY started_us DESC, id DESC LIMIT ?2"
	                              : "SELECT " SESSION_COLS " FROM sessions "
	                                "ORDER BY started_us DESC, id DESC LIMIT ?2",
	               err);
	if (s == NULL)
		return -1;
	if (outbox_id != 0)
		sqlite3_bind_int64(s, 1, outbox_id);
	sqlite3_bind_int64(s, 2, limit == 0 ? -1 : (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		read_session(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mb_session_list_release(out);
		return store_fail(st, err, rc, "cannot list sessions");
	}
	return 0;
}

int
mb_store_session_lines(struct mb_store *st, int64_t id, int64_t after_seq, size_t limit,
                       struct mb_tline_list *out, struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	s = store_stmt(
	        st,
	        "SELECT seq, direction, ts_us, text, code, meaning, flags, rtt_ms "
	        "FROM transcript_lines WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
	        err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, after_seq);
	sqlite3_bind_int64(s, 3, limit == 0 ? -1 : (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mb_tline_rec *r;
		const void *text;
		int len;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		r = &out->v[out->n++];
		r->seq = sqlite3_column_int64(s, 0);
		r->dir = dir_from_name((const char *)sqlite3_column_text(s, 1));
		r->ts_us = sqlite3_column_int64(s, 2);
		text = sqlite3_column_blob(s, 3);
		len = sqlite3_column_bytes(s, 3);
		r->text = xmemdup0(text != NULL ? text : "", (size_t)len);
		r->len = (size_t)len;
		r->code = sqlite3_column_int(s, 4);
		r->meaning = store_col_str(s, 5);
		r->flags = (unsigned)sqlite3_column_int64(s, 6);
		r->rtt_ms = sqlite3_column_int(s, 7);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mb_tline_list_release(out);
		return store_fail(st, err, rc, "cannot read a transcript");
	}
	return 0;
}

int
mb_store_session_delete(struct mb_store *st, int64_t id, struct mb_error *err)
{
	return store_write_by_id(st, "DELETE FROM sessions WHERE id = ?", id,
	                         "cannot delete a session", "session", err);
}

void
mb_session_release(struct mb_session *s)
{
	free(s->account);
	free(s->host);
	free(s->security);
	free(s->error);
	memset(s, 0, sizeof *s);
}

void
mb_session_list_release(struct mb_session_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		mb_session_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
mb_tline_list_release(struct mb_tline_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].text);
		free(l->v[i].meaning);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
