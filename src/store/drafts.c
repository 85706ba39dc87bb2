/*
 * drafts.c: unsent compositions, saved so that a crash or a closed
 * terminal loses nothing. A draft is what the compose pane holds (header
 * fields as typed, body, attachment paths, envelope overrides); the outbox
 * gets the built message only when the user sends.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

#define DRAFT_COLS                                                                \
	"id, account, updated, to_text, cc_text, bcc_text, subject, body, html, " \
	"attachments, envelope_from, envelope_rcpts"

/* Fill d from a row of DRAFT_COLS. */
static void
read_draft(sqlite3_stmt *s, struct mb_draft_row *d)
{
	char *list;

	d->id = sqlite3_column_int64(s, 0);
	d->account = store_col_str(s, 1);
	d->updated = sqlite3_column_int64(s, 2);
	d->to = store_col_str(s, 3);
	d->cc = store_col_str(s, 4);
	d->bcc = store_col_str(s, 5);
	d->subject = store_col_str(s, 6);
	d->body = store_col_str(s, 7);
	d->html = sqlite3_column_int(s, 8) != 0;
	list = store_col_str(s, 9);
	d->attachments = store_list_split(list, &d->nattachments);
	free(list);
	d->envelope_from = sqlite3_column_type(s, 10) == SQLITE_NULL ? NULL : store_col_str(s, 10);
	list = store_col_str(s, 11);
	d->envelope_rcpts = store_list_split(list, &d->nenvelope_rcpts);
	free(list);
}

int
mb_store_draft_save(struct mb_store *st, struct mb_draft_row *d, struct mb_error *err)
{
	char *attachments = NULL, *rcpts = NULL;
	sqlite3_stmt *s;
	int64_t now = store_now();
	int rc, ret = -1;

	if (d->account == NULL || d->account[0] == '\0')
		return mb_error_set(err, MB_ERR_INPUT, "cannot save a draft without an account");
	if (d->envelope_from != NULL && strpbrk(d->envelope_from, "\r\n") != NULL)
		return mb_error_set(err, MB_ERR_INPUT,
		                    "cannot save a draft: the envelope sender holds a line break");
	if (store_list_join((const char *const *)d->attachments, d->nattachments,
	                    "the attachment paths", &attachments, err) < 0 ||
	    store_list_join((const char *const *)d->envelope_rcpts, d->nenvelope_rcpts,
	                    "the envelope recipients", &rcpts, err) < 0)
		goto out;
	if (mb_store_begin(st, err) < 0)
		goto out;
	s = store_stmt(
	        st,
	        d->id == 0 ? "INSERT INTO drafts(account, updated, to_text, cc_text, bcc_text, "
	                     "subject, body, html, attachments, envelope_from, envelope_rcpts, "
	                     "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?2)"
	                   : "UPDATE drafts SET account = ?1, updated = ?2, to_text = ?3, "
	                     "cc_text = ?4, bcc_text = ?5, subject = ?6, body = ?7, html = ?8, "
	                     "attachments = ?9, envelope_from = ?10, envelope_rcpts = ?11 "
	                     "WHERE id = ?12",
	        err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, d->account);
	sqlite3_bind_int64(s, 2, now);
	store_bind_text(s, 3, d->to);
	store_bind_text(s, 4, d->cc);
	store_bind_text(s, 5, d->bcc);
	store_bind_text(s, 6, d->subject);
	store_bind_text(s, 7, d->body);
	sqlite3_bind_int(s, 8, d->html ? 1 : 0);
	store_bind_text(s, 9, attachments);
	store_bind_text_or_null(s, 10, d->envelope_from);
	store_bind_text(s, 11, rcpts);
	if (d->id != 0)
		sqlite3_bind_int64(s, 12, d->id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot save a draft");
		goto fail;
	}
	if (d->id != 0 && sqlite3_changes(st->db) == 0) {
		mb_error_set(err, MB_ERR_NOTFOUND, "cannot save a draft: no draft %lld",
		             (long long)d->id);
		goto fail;
	}
	if (mb_store_commit(st, err) < 0)
		goto out;
	if (d->id == 0)
		d->id = sqlite3_last_insert_rowid(st->db);
	d->updated = now;
	ret = 0;
	goto out;
fail:
	mb_store_rollback(st);
out:
	free(attachments);
	free(rcpts);
	return ret;
}

int
mb_store_draft_get(struct mb_store *st, int64_t id, struct mb_draft_row *out, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " DRAFT_COLS " FROM drafts WHERE id = ?", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_draft(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no draft %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read a draft");
	return 0;
}

int
mb_store_draft_list(struct mb_store *st, const char *account, struct mb_draft_row_list *out,
                    struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	s = store_stmt(st,
	               "SELECT " DRAFT_COLS " FROM drafts WHERE ?1 IS NULL OR account = ?1 "
	               "ORDER BY updated DESC, id DESC",
	               err);
	if (s == NULL)
		return -1;
	if (account != NULL)
		store_bind_text(s, 1, account);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		read_draft(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mb_draft_row_list_release(out);
		return store_fail(st, err, rc, "cannot list drafts");
	}
	return 0;
}

int
mb_store_draft_delete(struct mb_store *st, int64_t id, struct mb_error *err)
{
	return store_write_by_id(st, "DELETE FROM drafts WHERE id = ?", id, "cannot delete a draft",
	                         "draft", err);
}

void
mb_draft_row_release(struct mb_draft_row *d)
{
	free(d->account);
	free(d->to);
	free(d->cc);
	free(d->bcc);
	free(d->subject);
	free(d->body);
	mb_strv_free(d->attachments);
	free(d->envelope_from);
	mb_strv_free(d->envelope_rcpts);
	memset(d, 0, sizeof *d);
}

void
mb_draft_row_list_release(struct mb_draft_row_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		mb_draft_row_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
