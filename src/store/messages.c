/*
 * messages.c: retrieved messages in the cache. Storing one message writes
 * its list row (messages), its byte-exact source (message_raw), its trace
 * headers, its body text and its full-text entry, all in one transaction
 * (or savepoint, inside a caller's batch). Also lookups by server id, the
 * UID lists the sync compares against, deletes and flag updates. Reading
 * the raw source is in raw.c, the paged message list in pages.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

void
store_read_msg(sqlite3_stmt *s, struct mb_msg *m)
{
	m->id = sqlite3_column_int64(s, 0);
	m->account_id = sqlite3_column_int64(s, 1);
	m->mailbox_id = sqlite3_column_int64(s, 2);
	m->uid = (uint32_t)sqlite3_column_int64(s, 3);
	m->uidl = store_col_str(s, 4);
	m->size = sqlite3_column_int64(s, 5);
	m->flags = (unsigned)sqlite3_column_int64(s, 6);
	m->modseq = (uint64_t)sqlite3_column_int64(s, 7);
	m->internaldate = sqlite3_column_int64(s, 8);
	m->date = sqlite3_column_int64(s, 9);
	m->fetched_at = sqlite3_column_int64(s, 10);
	m->date_text = store_col_str(s, 11);
	m->from = store_col_str(s, 12);
	m->to = store_col_str(s, 13);
	m->cc = store_col_str(s, 14);
	m->subject = store_col_str(s, 15);
	m->message_id = store_col_str(s, 16);
	m->in_reply_to = store_col_str(s, 17);
	m->references = store_col_str(s, 18);
	m->has_attachments = sqlite3_column_int(s, 19) != 0;
	m->session_id = sqlite3_column_int64(s, 20); /* NULL reads as 0 */
}

int
store_collect_msgs(struct mb_store *st, sqlite3_stmt *s, struct mb_msg_list *out,
                   struct mb_error *err)
{
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 32;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		store_read_msg(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mb_msg_list_release(out);
		return store_fail(st, err, rc, "cannot list messages");
	}
	return 0;
}

/* Explain a duplicate server id: which one, in which mailbox. */
static int
duplicate_error(struct mb_store *st, const struct mb_msg_in *m, bool is_uidl, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT name FROM mailboxes WHERE id = ?", NULL);
	char *name = NULL;

	if (s != NULL) {
		sqlite3_bind_int64(s, 1, m->mailbox_id);
		if (sqlite3_step(s) == SQLITE_ROW)
			name = store_col_str(s, 0);
		sqlite3_reset(s);
	}
	if (is_uidl)
		mb_error_set(err, MB_ERR_STORE,
		             "cannot store message UIDL '%s': mailbox '%s' already has a message "
		             "with that UIDL",
		             m->uidl, name != NULL ? name : "?");
	else
		mb_error_set(
		        err, MB_ERR_STORE,
		        "cannot store message UID %lu: mailbox '%s' already has a message with "
		        "that UID",
		        (unsigned long)m->uid, name != NULL ? name : "?");
	free(name);
	return -1;
}

/* Step a write statement that must finish; report what failed. */
static int
step_done(struct mb_store *st, sqlite3_stmt *s, const char *what, struct mb_error *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, what);
	return 0;
}

/* Insert the messages row; *id gets the new id. */
static int
insert_row(struct mb_store *st, const struct mb_msg_in *m, int64_t *id, struct mb_error *err)
{
	sqlite3_stmt *s;
	bool is_uidl;
	int rc;

	s = store_stmt(
	        st,
	        "INSERT INTO messages(id, account_id, mailbox_id, uid, uidl, size, flags, modseq, "
	        "internaldate, date, date_text, from_text, to_text, cc_text, subject, "
	        "message_id, in_reply_to, references_text, has_attachments, fetched_at, "
	        "session_id) "
	        /* an id never given before, not even to a message deleted since (fts.c) */
	        "SELECT max(coalesce((SELECT max(id) FROM messages), 0), "
	        "coalesce((SELECT value FROM meta WHERE key = 'max_deleted_id'), 0)) + 1, "
	        "account_id, id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	        "?14, ?15, ?16, ?17, ?18, ?19 FROM mailboxes WHERE id = ?1",
	        err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, m->mailbox_id);
	if (m->uid != 0)
		sqlite3_bind_int64(s, 2, m->uid);
	store_bind_text_or_null(s, 3, m->uidl);
	sqlite3_bind_int64(s, 4, m->size <= 0 ? (int64_t)m->raw_len : m->size);
	sqlite3_bind_int64(s, 5, m->flags);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)m->modseq);
	sqlite3_bind_int64(s, 7, m->internaldate);
	sqlite3_bind_int64(s, 8, m->date);
	store_bind_text(s, 9, m->date_text);
	store_bind_text(s, 10, m->from);
	store_bind_text(s, 11, m->to);
	store_bind_text(s, 12, m->cc);
	store_bind_text(s, 13, m->subject);
	store_bind_text(s, 14, m->message_id);
	store_bind_text(s, 15, m->in_reply_to);
	store_bind_text(s, 16, m->references);
	sqlite3_bind_int(s, 17, m->has_attachments ? 1 : 0);
	sqlite3_bind_int64(s, 18, store_now());
	if (m->session_id > 0)
		sqlite3_bind_int64(s, 19, m->session_id);
	else
		sqlite3_bind_null(s, 19);
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		is_uidl = strstr(sqlite3_errmsg(st->db), ".uidl") != NULL;
		sqlite3_reset(s);
		return duplicate_error(st, m, is_uidl, err);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot store a message");
	if (sqlite3_changes(st->db) == 0)
		return mb_error_set(err, MB_ERR_NOTFOUND, "cannot store a message: no mailbox %lld",
		                    (long long)m->mailbox_id);
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* Insert the trace headers of message id, when there are any. */
static int
insert_trace(struct mb_store *st, int64_t id, const struct mb_msg_in *m, struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t i;

	if ((m->return_path != NULL && m->return_path[0] != '\0') ||
	    (m->delivered_to != NULL && m->delivered_to[0] != '\0') ||
	    (m->authentication_results != NULL && m->authentication_results[0] != '\0')) {
		s = store_stmt(st,
		               "INSERT INTO message_trace(message_id, return_path, delivered_to, "
		               "authentication_results) VALUES (?, ?, ?, ?)",
		               err);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		store_bind_text(s, 2, m->return_path);
		store_bind_text(s, 3, m->delivered_to);
		store_bind_text(s, 4, m->authentication_results);
		if (step_done(st, s, "cannot store a message's trace", err) < 0)
			return -1;
	}
	for (i = 0; i < m->nreceived; i++) {
		s = store_stmt(
		        st, "INSERT INTO message_received(message_id, seq, value) VALUES (?, ?, ?)",
		        err);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i + 1);
		store_bind_text(s, 3, m->received[i]);
		if (step_done(st, s, "cannot store a message's trace", err) < 0)
			return -1;
	}
	return 0;
}

/* Insert the body text of message id (indexed later, fts.c) and its raw source,
   appended to the sources file last: nothing that could fail comes after it. */
static int
insert_content(struct mb_store *st, int64_t id, const struct mb_msg_in *m, struct mb_error *err)
{
	sqlite3_stmt *s;
	const char *body = m->body_text != NULL ? m->body_text : "";
	int64_t off;

	if (body[0] != '\0') {
		s = store_stmt(st, "INSERT INTO message_text(message_id, body) VALUES (?, ?)", err);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		store_bind_text(s, 2, body);
		if (step_done(st, s, "cannot store a message's text", err) < 0)
			return -1;
	}
	s = store_stmt(st,
	               "INSERT INTO message_raw(message_id, raw, source_off, source_len) "
	               "VALUES (?, x'', ?, ?)",
	               err);
	if (s == NULL ||
	    store_sources_add(st, id, m->raw != NULL ? m->raw : "", m->raw != NULL ? m->raw_len : 0,
	                      m->raw != NULL && m->raw_summed ? &m->raw_sum : NULL, &off, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, off);
	sqlite3_bind_int64(s, 3, m->raw != NULL ? (int64_t)m->raw_len : 0);
	return step_done(st, s, "cannot store a message's source", err);
}

int
mb_store_msg_add(struct mb_store *st, const struct mb_msg_in *m, int64_t *id, struct mb_error *err)
{
	int64_t newid = 0;
	size_t i;
	bool own;

	if (m->uid == 0 && (m->uidl == NULL || m->uidl[0] == '\0'))
		return mb_error_set(err, MB_ERR_INPUT,
		                    "cannot store a message without a UID or a UIDL");
	for (i = 0; i < m->nreceived; i++)
		if (m->received[i] == NULL)
			return mb_error_set(err, MB_ERR_INPUT,
			                    "cannot store a message: Received value %zu is NULL",
			                    i);
	/* in bulk, an add inside a batch has no savepoint: a failure rolls the batch back */
	own = !st->bulk || st->depth == 0;
	if (own ? mb_store_begin(st, err) < 0 : store_doomed(st, err) < 0)
		return -1;
	if (insert_row(st, m, &newid, err) < 0 || insert_trace(st, newid, m, err) < 0 ||
	    insert_content(st, newid, m, err) < 0) {
		if (own)
			mb_store_rollback(st);
		else if (!st->doomed)
			store_doom(st, err);
		return -1;
	}
	st->fts_added++;
	if (own && mb_store_commit(st, err) < 0)
		return -1;
	if (id != NULL)
		*id = newid;
	return 0;
}

/* Step a lookup of one id; *id = 0 when there is no row. */
static int
lookup_id(struct mb_store *st, sqlite3_stmt *s, int64_t *id, struct mb_error *err)
{
	int rc = sqlite3_step(s);

	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot look up a message");
	return 0;
}

int
mb_store_msg_find_uid(struct mb_store *st, int64_t mailbox_id, uint32_t uid, int64_t *id,
                      struct mb_error *err)
{
	sqlite3_stmt *s =
	        store_stmt(st, "SELECT id FROM messages WHERE mailbox_id = ? AND uid = ?", err);

	*id = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mailbox_id);
	sqlite3_bind_int64(s, 2, uid);
	return lookup_id(st, s, id, err);
}

int
mb_store_msg_find_uidl(struct mb_store *st, int64_t mailbox_id, const char *uidl, int64_t *id,
                       struct mb_error *err)
{
	sqlite3_stmt *s =
	        store_stmt(st, "SELECT id FROM messages WHERE mailbox_id = ? AND uidl = ?", err);

	*id = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mailbox_id);
	store_bind_text(s, 2, uidl);
	return lookup_id(st, s, id, err);
}

int
mb_store_msg_get(struct mb_store *st, int64_t id, struct mb_msg *out, struct mb_error *err)
{
	sqlite3_stmt *s =
	        store_stmt(st, "SELECT " STORE_MSG_COLS " FROM messages m WHERE m.id = ?", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_read_msg(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no message %lld in the cache",
		                    (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read a message");
	return 0;
}

int
mb_store_msg_trace(struct mb_store *st, int64_t id, struct mb_msg_trace *out, struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	s = store_stmt(st,
	               "SELECT t.return_path, t.delivered_to, t.authentication_results, m.id "
	               "FROM messages m LEFT JOIN message_trace t ON t.message_id = m.id "
	               "WHERE m.id = ?",
	               err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->return_path = store_col_str(s, 0);
		out->delivered_to = store_col_str(s, 1);
		out->authentication_results = store_col_str(s, 2);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no message %lld in the cache",
		                    (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read a message's trace");
	s = store_stmt(st, "SELECT value FROM message_received WHERE message_id = ? ORDER BY seq",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->nreceived + 1 >= cap) {
			cap = cap ? cap * 2 : 8;
			out->received = xreallocarray(out->received, cap, sizeof *out->received);
		}
		out->received[out->nreceived++] = store_col_str(s, 0);
		out->received[out->nreceived] = NULL;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot read a message's trace");
		goto fail;
	}
	if (out->received == NULL)
		out->received = xcalloc(1, sizeof *out->received);
	return 0;
fail:
	mb_msg_trace_release(out);
	return -1;
}

int
mb_store_msg_uids(struct mb_store *st, int64_t mailbox_id, uint32_t **uids, size_t *n,
                  struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*uids = NULL;
	*n = 0;
	s = store_stmt(st,
	               "SELECT uid FROM messages WHERE mailbox_id = ? AND uid IS NOT NULL "
	               "ORDER BY uid",
	               err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mailbox_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*uids = xreallocarray(*uids, cap, sizeof **uids);
		}
		(*uids)[(*n)++] = (uint32_t)sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		XFREE(*uids);
		*n = 0;
		return store_fail(st, err, rc, "cannot list UIDs");
	}
	return 0;
}

int
mb_store_msg_uidls(struct mb_store *st, int64_t mailbox_id, char ***uidls, size_t *n,
                   struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 1;
	int rc;

	*n = 0;
	*uidls = xcalloc(cap, sizeof **uidls);
	s = store_stmt(st,
	               "SELECT uidl FROM messages WHERE mailbox_id = ? AND uidl IS NOT NULL "
	               "ORDER BY uidl",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, mailbox_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n + 1 >= cap) {
			cap *= 2;
			*uidls = xreallocarray(*uidls, cap, sizeof **uidls);
		}
		(*uidls)[(*n)++] = store_col_str(s, 0);
		(*uidls)[*n] = NULL;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot list UIDLs");
		goto fail;
	}
	return 0;
fail:
	mb_strv_free(*uidls);
	*uidls = NULL;
	*n = 0;
	return -1;
}

int
mb_store_msg_max_uid(struct mb_store *st, int64_t mailbox_id, uint32_t *uid, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT max(uid) FROM messages WHERE mailbox_id = ?", err);
	int rc;

	*uid = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mailbox_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*uid = (uint32_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read the highest UID");
	return 0;
}

int
mb_store_msg_delete_uids(struct mb_store *st, int64_t mailbox_id, const uint32_t *uids, size_t n,
                         size_t *deleted, struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t i, count = 0;

	if (deleted != NULL)
		*deleted = 0;
	if (mb_store_begin(st, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		s = store_stmt(st, "DELETE FROM messages WHERE mailbox_id = ? AND uid = ?", err);
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, mailbox_id);
		sqlite3_bind_int64(s, 2, uids[i]);
		if (step_done(st, s, "cannot delete messages", err) < 0)
			goto fail;
		count += (size_t)sqlite3_changes(st->db);
	}
	if (mb_store_commit(st, err) < 0)
		return -1;
	if (deleted != NULL)
		*deleted = count;
	return 0;
fail:
	mb_store_rollback(st);
	return -1;
}

/* Run a delete or update that must hit one row, in its own transaction. */
static int
write_one(struct mb_store *st, sqlite3_stmt *s, const char *what, const char *missing,
          struct mb_error *err)
{
	if (step_done(st, s, what, err) < 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return mb_error_set(err, MB_ERR_NOTFOUND, "%s: %s", what, missing);
	return 0;
}

int
mb_store_msg_delete_uidl(struct mb_store *st, int64_t mailbox_id, const char *uidl,
                         struct mb_error *err)
{
	sqlite3_stmt *s;
	char missing[128];

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, "DELETE FROM messages WHERE mailbox_id = ? AND uidl = ?", err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, mailbox_id);
	store_bind_text(s, 2, uidl);
	snprintf(missing, sizeof missing, "UIDL '%.80s' is not in the cache", uidl ? uidl : "");
	if (write_one(st, s, "cannot delete a message", missing, err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_msg_delete(struct mb_store *st, int64_t id, struct mb_error *err)
{
	return store_write_by_id(st, "DELETE FROM messages WHERE id = ?", id,
	                         "cannot delete a message", "message", err);
}

int
mb_store_msg_set_flags(struct mb_store *st, int64_t mailbox_id, uint32_t uid, unsigned flags,
                       uint64_t modseq, struct mb_error *err)
{
	sqlite3_stmt *s;
	char missing[64];

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st,
	               "UPDATE messages SET flags = ?1, modseq = CASE WHEN ?2 = 0 THEN modseq "
	               "ELSE ?2 END WHERE mailbox_id = ?3 AND uid = ?4",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, flags);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)modseq);
	sqlite3_bind_int64(s, 3, mailbox_id);
	sqlite3_bind_int64(s, 4, uid);
	snprintf(missing, sizeof missing, "UID %lu is not in the cache", (unsigned long)uid);
	if (write_one(st, s, "cannot set flags", missing, err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_msg_set_flags_id(struct mb_store *st, int64_t id, unsigned flags, struct mb_error *err)
{
	sqlite3_stmt *s;
	char missing[64];

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, "UPDATE messages SET flags = ? WHERE id = ?", err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, flags);
	sqlite3_bind_int64(s, 2, id);
	snprintf(missing, sizeof missing, "no message %lld in the cache", (long long)id);
	if (write_one(st, s, "cannot set flags", missing, err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

void
mb_msg_release(struct mb_msg *m)
{
	free(m->uidl);
	free(m->date_text);
	free(m->from);
	free(m->to);
	free(m->cc);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	memset(m, 0, sizeof *m);
}

void
mb_msg_list_release(struct mb_msg_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		mb_msg_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
mb_msg_trace_release(struct mb_msg_trace *t)
{
	size_t i;

	free(t->return_path);
	free(t->delivered_to);
	free(t->authentication_results);
	for (i = 0; i < t->nreceived; i++)
		free(t->received[i]);
	free(t->received);
	memset(t, 0, sizeof *t);
}
