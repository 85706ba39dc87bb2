/*
 * outbox.c: messages waiting to be sent, being sent, sent or failed.
 *
 * The outbox is what makes a send safe to interrupt: the exact bytes are
 * stored before any connection opens; a send claims its row atomically
 * (queued/failed -> sending, with this process's host and pid) so two
 * senders never send the same message; the row becomes 'sent' only after
 * the final 250. A row still 'sending' whose process is gone was cut off
 * somewhere between connect and the final reply: nobody can know whether the
 * server took it, so recovery marks it as an interrupted failure that needs
 * the user's confirmation before another attempt.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

#define OUTBOX_COLS                                                                         \
	"id, account, created, updated, status, envelope_from, envelope_rcpts, hdr_from, "  \
	"hdr_to, hdr_cc, hdr_subject, length(raw), attempts, last_error, last_error_kind, " \
	"sent_at, rcpt_results, interrupted, sender_host, sender_pid"

static const char *const status_names[] = {
        [MB_OUTBOX_QUEUED] = "queued",
        [MB_OUTBOX_SENDING] = "sending",
        [MB_OUTBOX_SENT] = "sent",
        [MB_OUTBOX_FAILED] = "failed",
};

const char *
mb_outbox_status_name(enum mb_outbox_status s)
{
	if ((unsigned)s >= sizeof status_names / sizeof status_names[0])
		return "?";
	return status_names[s];
}

static enum mb_outbox_status
status_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (name != NULL && strcmp(name, status_names[i]) == 0)
			return (enum mb_outbox_status)i;
	return MB_OUTBOX_FAILED;
}

/* This machine's name, for telling our own senders from other hosts'. */
static void
host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) < 0)
		snprintf(buf, len, "?");
	buf[len - 1] = '\0';
}

/* Fill o from a row of OUTBOX_COLS. */
static void
read_outbox(sqlite3_stmt *s, struct mb_outbox *o)
{
	char *rcpts;

	o->id = sqlite3_column_int64(s, 0);
	o->account = store_col_str(s, 1);
	o->created = sqlite3_column_int64(s, 2);
	o->updated = sqlite3_column_int64(s, 3);
	o->status = status_from_name((const char *)sqlite3_column_text(s, 4));
	o->envelope_from = store_col_str(s, 5);
	rcpts = store_col_str(s, 6);
	o->rcpts = store_list_split(rcpts, &o->nrcpts);
	free(rcpts);
	o->from = store_col_str(s, 7);
	o->to = store_col_str(s, 8);
	o->cc = store_col_str(s, 9);
	o->subject = store_col_str(s, 10);
	o->raw_len = sqlite3_column_int64(s, 11);
	o->attempts = sqlite3_column_int(s, 12);
	o->last_error = store_col_str(s, 13);
	o->last_error_kind = store_col_str(s, 14);
	o->sent_at = sqlite3_column_int64(s, 15);
	o->rcpt_results = store_col_str(s, 16);
	o->interrupted = sqlite3_column_int(s, 17) != 0;
}

int
mb_store_outbox_add(struct mb_store *st, const struct mb_outbox_in *in, int64_t *id,
                    struct mb_error *err)
{
	sqlite3_stmt *s;
	char *rcpts = NULL;
	int64_t now = store_now();
	int rc;

	if (in->account == NULL || in->account[0] == '\0')
		return mb_error_set(err, MB_ERR_INPUT, "cannot queue a message without an account");
	if (in->nrcpts == 0)
		return mb_error_set(err, MB_ERR_INPUT, "cannot queue a message without recipients");
	if (in->envelope_from != NULL && strpbrk(in->envelope_from, "\r\n") != NULL)
		return mb_error_set(
		        err, MB_ERR_INPUT,
		        "cannot queue a message: the envelope sender holds a line break");
	if (store_list_join(in->rcpts, in->nrcpts, "the envelope recipients", &rcpts, err) < 0)
		return -1;
	if (mb_store_begin(st, err) < 0)
		goto fail_nobatch;
	s = store_stmt(st,
	               "INSERT INTO outbox(account, created, updated, status, envelope_from, "
	               "envelope_rcpts, raw, hdr_from, hdr_to, hdr_cc, hdr_subject) "
	               "VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
	               err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, in->account);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, now);
	store_bind_text(s, 4, in->envelope_from);
	store_bind_text(s, 5, rcpts);
	sqlite3_bind_blob64(s, 6, in->raw != NULL ? in->raw : "", in->raw != NULL ? in->raw_len : 0,
	                    SQLITE_STATIC);
	store_bind_text(s, 7, in->from);
	store_bind_text(s, 8, in->to);
	store_bind_text(s, 9, in->cc);
	store_bind_text(s, 10, in->subject);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot queue a message");
		goto fail;
	}
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	free(rcpts);
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
fail_nobatch:
	free(rcpts);
	return -1;
}

/* Say why row id could not change state (it is not in the state wanted). */
static int
explain_state(struct mb_store *st, int64_t id, const char *doing, struct mb_error *err)
{
	struct mb_outbox o;
	sqlite3_stmt *s;
	char host[256] = "";
	long long pid = 0;
	int rc;

	s = store_stmt(st, "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return mb_error_set(err, MB_ERR_NOTFOUND,
			                    "cannot %s: no outbox message %lld", doing,
			                    (long long)id);
		return store_fail(st, err, rc, "cannot read the outbox");
	}
	memset(&o, 0, sizeof o);
	read_outbox(s, &o);
	snprintf(host, sizeof host, "%s", (const char *)sqlite3_column_text(s, 18));
	pid = sqlite3_column_int64(s, 19);
	sqlite3_reset(s);
	if (o.status == MB_OUTBOX_SENT)
		mb_error_set(err, MB_ERR_INPUT, "cannot %s: outbox message %lld is already sent",
		             doing, (long long)id);
	else if (o.status == MB_OUTBOX_SENDING)
		mb_error_set(err, MB_ERR_BUSY,
		             "cannot %s: outbox message %lld is being sent (process %lld on '%s')",
		             doing, (long long)id, pid, host);
	else if (o.status == MB_OUTBOX_FAILED && o.interrupted)
		mb_error_set(err, MB_ERR_INPUT,
		             "cannot %s: outbox message %lld may already have been delivered (%s)",
		             doing, (long long)id, MB_OUTBOX_INTERRUPTED_MSG);
	else
		mb_error_set(err, MB_ERR_INTERNAL, "cannot %s: outbox message %lld is %s", doing,
		             (long long)id, mb_outbox_status_name(o.status));
	mb_outbox_release(&o);
	return -1;
}

/* Run a state-changing UPDATE that must hit row id; explain_state() when it does not. */
static int
change_state(struct mb_store *st, sqlite3_stmt *s, int64_t id, const char *doing,
             struct mb_error *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot update the outbox");
	if (sqlite3_changes(st->db) == 0)
		return explain_state(st, id, doing, err);
	return 0;
}

int
mb_store_outbox_start(struct mb_store *st, int64_t id, bool confirmed, struct mb_error *err)
{
	char host[256];
	sqlite3_stmt *s;

	host_name(host, sizeof host);
	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(
	        st,
	        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated = ?1, "
	        "sender_host = ?2, sender_pid = ?3, interrupted = 0 "
	        "WHERE id = ?4 AND (status = 'queued' OR (status = 'failed' AND "
	        "(interrupted = 0 OR ?5)))",
	        err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, store_now());
	store_bind_text(s, 2, host);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)getpid());
	sqlite3_bind_int64(s, 4, id);
	sqlite3_bind_int(s, 5, confirmed ? 1 : 0);
	if (change_state(st, s, id, "send", err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_outbox_sent(struct mb_store *st, int64_t id, const char *rcpt_results,
                     struct mb_error *err)
{
	sqlite3_stmt *s;
	int64_t now = store_now();

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st,
	               "UPDATE outbox SET status = 'sent', sent_at = ?1, updated = ?1, "
	               "rcpt_results = ?2, last_error = '', last_error_kind = '', sender_pid = 0 "
	               "WHERE id = ?3 AND status = 'sending'",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, now);
	store_bind_text(s, 2, rcpt_results);
	sqlite3_bind_int64(s, 3, id);
	if (change_state(st, s, id, "mark a message sent", err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_outbox_failed(struct mb_store *st, int64_t id, const char *error, const char *error_kind,
                       const char *rcpt_results, struct mb_error *err)
{
	sqlite3_stmt *s;

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st,
	               "UPDATE outbox SET status = 'failed', updated = ?1, last_error = ?2, "
	               "last_error_kind = ?3, rcpt_results = ?4, sender_pid = 0, "
	               "interrupted = (?3 = 'unknown') "
	               "WHERE id = ?5 AND status = 'sending'",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, store_now());
	store_bind_text(s, 2, error);
	store_bind_text(s, 3, error_kind);
	store_bind_text(s, 4, rcpt_results);
	sqlite3_bind_int64(s, 5, id);
	if (change_state(st, s, id, "mark a message failed", err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

/* Whether the sender host/pid of a 'sending' row is known to be gone. */
static bool
sender_gone(const char *ourhost, const char *host, long long pid)
{
	if (host[0] == '\0' || pid <= 0 || pid > INT_MAX)
		return true;
	if (strcmp(host, ourhost) != 0)
		return false; /* another machine's: we cannot tell */
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int
mb_store_outbox_recover(struct mb_store *st, size_t *n, struct mb_error *err)
{
	char ourhost[256];
	sqlite3_stmt *s;
	int64_t *ids = NULL, *pids = NULL;
	size_t nids = 0, cap = 0, i, count = 0;
	int rc;

	if (n != NULL)
		*n = 0;
	host_name(ourhost, sizeof ourhost);
	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(
	        st, "SELECT id, sender_host, sender_pid FROM outbox WHERE status = 'sending'", err);
	if (s == NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(s, 1);

		if (!sender_gone(ourhost, host != NULL ? host : "", sqlite3_column_int64(s, 2)))
			continue;
		if (nids == cap) {
			cap = cap ? cap * 2 : 8;
			ids = xreallocarray(ids, cap, sizeof *ids);
			pids = xreallocarray(pids, cap, sizeof *pids);
		}
		ids[nids] = sqlite3_column_int64(s, 0);
		pids[nids++] = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot read the outbox");
		goto fail;
	}
	for (i = 0; i < nids; i++) {
		s = store_stmt(
		        st,
		        "UPDATE outbox SET status = 'failed', interrupted = 1, updated = ?1, "
		        "last_error = ?2, last_error_kind = 'unknown', sender_pid = 0 "
		        "WHERE id = ?3 AND status = 'sending' AND sender_pid = ?4",
		        err);
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, store_now());
		store_bind_text(s, 2, MB_OUTBOX_INTERRUPTED_MSG);
		sqlite3_bind_int64(s, 3, ids[i]);
		sqlite3_bind_int64(s, 4, pids[i]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			store_fail(st, err, rc, "cannot update the outbox");
			goto fail;
		}
		count += (size_t)sqlite3_changes(st->db);
	}
	free(ids);
	free(pids);
	if (mb_store_commit(st, err) < 0)
		return -1;
	if (n != NULL)
		*n = count;
	return 0;
fail:
	free(ids);
	free(pids);
	mb_store_rollback(st);
	return -1;
}

int
mb_store_outbox_get(struct mb_store *st, int64_t id, struct mb_outbox *out, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_outbox(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no outbox message %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read the outbox");
	return 0;
}

int
mb_store_outbox_raw(struct mb_store *st, int64_t id, struct mb_buf *out, struct mb_error *err)
{
	sqlite3_blob *b;
	int rc, len;

	rc = sqlite3_blob_open(st->db, "main", "outbox", "raw", id, 0, &b);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(st->db), "no such rowid") != NULL)
			return mb_error_set(err, MB_ERR_NOTFOUND, "no outbox message %lld",
			                    (long long)id);
		return store_fail(st, err, rc, "cannot read an outbox message");
	}
	len = sqlite3_blob_bytes(b);
	mb_buf_grow(out, (size_t)len);
	rc = sqlite3_blob_read(b, out->data + out->len, len, 0);
	if (rc == SQLITE_OK)
		out->len += (size_t)len;
	out->data[out->len] = '\0';
	sqlite3_blob_close(b);
	if (rc != SQLITE_OK)
		return store_fail(st, err, rc, "cannot read an outbox message");
	return 0;
}

int
mb_store_outbox_list(struct mb_store *st, const char *account, bool all, struct mb_outbox_list *out,
                     struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	s = store_stmt(st,
	               "SELECT " OUTBOX_COLS " FROM outbox WHERE (?1 IS NULL OR account = ?1) "
	               "AND (?2 OR status <> 'sent') ORDER BY created DESC, id DESC",
	               err);
	if (s == NULL)
		return -1;
	if (account != NULL)
		store_bind_text(s, 1, account);
	sqlite3_bind_int(s, 2, all ? 1 : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		read_outbox(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mb_outbox_list_release(out);
		return store_fail(st, err, rc, "cannot list the outbox");
	}
	return 0;
}

int
mb_store_outbox_delete(struct mb_store *st, int64_t id, struct mb_error *err)
{
	sqlite3_stmt *s;

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, "DELETE FROM outbox WHERE id = ? AND status <> 'sending'", err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	if (change_state(st, s, id, "delete an outbox message", err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

void
mb_outbox_release(struct mb_outbox *o)
{
	free(o->account);
	free(o->envelope_from);
	mb_strv_free(o->rcpts);
	free(o->from);
	free(o->to);
	free(o->cc);
	free(o->subject);
	free(o->last_error);
	free(o->last_error_kind);
	free(o->rcpt_results);
	memset(o, 0, sizeof *o);
}

void
mb_outbox_list_release(struct mb_outbox_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		mb_outbox_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
