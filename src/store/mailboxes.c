/*
 * mailboxes.c: accounts and their mailboxes in the cache: creating them on
 * first sight, listing them with message counts (kept up to date by
 * triggers on messages), and the per-mailbox sync state (UIDVALIDITY,
 * UIDNEXT, HIGHESTMODSEQ, time of the last full UID comparison).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

const char *
mb_store_proto_name(enum mb_store_proto p)
{
	switch (p) {
	case MB_STORE_SMTP:
		return "smtp";
	case MB_STORE_IMAP:
		return "imap";
	case MB_STORE_POP3:
		return "pop3";
	}
	return "?";
}

enum mb_store_proto
store_proto_from_name(const char *name)
{
	if (name != NULL && strcmp(name, "imap") == 0)
		return MB_STORE_IMAP;
	if (name != NULL && strcmp(name, "pop3") == 0)
		return MB_STORE_POP3;
	return MB_STORE_SMTP;
}

/* Run a one-row lookup bound to one text value; *id = 0 when nothing matched. */
static int
find_id(struct mb_store *st, sqlite3_stmt *s, int64_t *id, struct mb_error *err)
{
	int rc = sqlite3_step(s);

	*id = 0;
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot look up a row");
	return 0;
}

int
mb_store_account_find(struct mb_store *st, const char *name, int64_t *id, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM accounts WHERE name = ?", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, name);
	return find_id(st, s, id, err);
}

int
mb_store_account_ensure(struct mb_store *st, const char *name, int64_t *id, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (name == NULL || name[0] == '\0')
		return mb_error_set(err, MB_ERR_INPUT, "cannot store an account without a name");
	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, "INSERT INTO accounts(name) VALUES (?) ON CONFLICT(name) DO NOTHING",
	               err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot store an account");
		goto fail;
	}
	if (mb_store_account_find(st, name, id, err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_account_list(struct mb_store *st, struct mb_store_account_list *out, struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	s = store_stmt(st,
	               "SELECT a.id, a.name, coalesce(sum(b.total), 0), coalesce(sum(b.unread), 0) "
	               "FROM accounts a LEFT JOIN mailboxes b ON b.account_id = a.id "
	               "GROUP BY a.id ORDER BY a.name",
	               err);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mb_store_account *a;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		a = &out->v[out->n++];
		a->id = sqlite3_column_int64(s, 0);
		a->name = store_col_str(s, 1);
		a->total = sqlite3_column_int64(s, 2);
		a->unread = sqlite3_column_int64(s, 3);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mb_store_account_list_release(out);
		return store_fail(st, err, rc, "cannot list accounts");
	}
	return 0;
}

int
mb_store_account_delete(struct mb_store *st, int64_t id, struct mb_error *err)
{
	return store_write_by_id(st, "DELETE FROM accounts WHERE id = ?", id,
	                         "cannot delete an account", NULL, err);
}

void
mb_store_account_list_release(struct mb_store_account_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
mb_store_mailbox_ensure(struct mb_store *st, int64_t account_id, enum mb_store_proto proto,
                        const char *name, const char *delimiter, int64_t *id, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (proto != MB_STORE_IMAP && proto != MB_STORE_POP3)
		return mb_error_set(err, MB_ERR_INTERNAL, "a mailbox is either imap or pop3");
	if (name == NULL || name[0] == '\0')
		return mb_error_set(err, MB_ERR_INPUT, "cannot store a mailbox without a name");
	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st,
	               "INSERT INTO mailboxes(account_id, protocol, name, delimiter) "
	               "VALUES (?, ?, ?, ?) ON CONFLICT(account_id, protocol, name) DO NOTHING",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, account_id);
	store_bind_text(s, 2, mb_store_proto_name(proto));
	store_bind_text(s, 3, name);
	store_bind_text(s, 4, delimiter);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			mb_error_set(err, MB_ERR_NOTFOUND,
			             "cannot store mailbox '%s': no account %lld", name,
			             (long long)account_id);
		else
			store_fail(st, err, rc, "cannot store a mailbox");
		goto fail;
	}
	s = store_stmt(
	        st, "SELECT id FROM mailboxes WHERE account_id = ? AND protocol = ? AND name = ?",
	        err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, account_id);
	store_bind_text(s, 2, mb_store_proto_name(proto));
	store_bind_text(s, 3, name);
	if (find_id(st, s, id, err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

#define MAILBOX_COLS                                                                       \
	"id, account_id, name, delimiter, protocol, uidvalidity, uidnext, highestmodseq, " \
	"last_full_check, total, unread"

/* Fill mb from a row of MAILBOX_COLS. */
static void
read_mailbox(sqlite3_stmt *s, struct mb_mailbox *mb)
{
	mb->id = sqlite3_column_int64(s, 0);
	mb->account_id = sqlite3_column_int64(s, 1);
	mb->name = store_col_str(s, 2);
	mb->delimiter = store_col_str(s, 3);
	mb->protocol = store_proto_from_name((const char *)sqlite3_column_text(s, 4));
	mb->uidvalidity = (uint32_t)sqlite3_column_int64(s, 5);
	mb->uidnext = (uint32_t)sqlite3_column_int64(s, 6);
	mb->highestmodseq = (uint64_t)sqlite3_column_int64(s, 7);
	mb->last_full_check = sqlite3_column_int64(s, 8);
	mb->total = sqlite3_column_int64(s, 9);
	mb->unread = sqlite3_column_int64(s, 10);
}

int
mb_store_mailbox_get(struct mb_store *st, int64_t id, struct mb_mailbox *out, struct mb_error *err)
{
	sqlite3_stmt *s =
	        store_stmt(st, "SELECT " MAILBOX_COLS " FROM mailboxes WHERE id = ?", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_mailbox(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no mailbox %lld in the cache",
		                    (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read a mailbox");
	return 0;
}

int
mb_store_mailbox_set_state(struct mb_store *st, const struct mb_mailbox *mb, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st,
	               "UPDATE mailboxes SET uidvalidity = ?, uidnext = ?, highestmodseq = ?, "
	               "last_full_check = ? WHERE id = ?",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, mb->uidvalidity);
	sqlite3_bind_int64(s, 2, mb->uidnext);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)mb->highestmodseq);
	sqlite3_bind_int64(s, 4, mb->last_full_check);
	sqlite3_bind_int64(s, 5, mb->id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot save a mailbox's state");
		goto fail;
	}
	if (sqlite3_changes(st->db) == 0) {
		mb_error_set(err, MB_ERR_NOTFOUND, "no mailbox %lld in the cache",
		             (long long)mb->id);
		goto fail;
	}
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_mailbox_list(struct mb_store *st, int64_t account_id, struct mb_mailbox_list *out,
                      struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	s = store_stmt(st,
	               "SELECT b.id, b.account_id, b.name, b.delimiter, b.protocol, b.uidvalidity, "
	               "b.uidnext, b.highestmodseq, b.last_full_check, b.total, b.unread "
	               "FROM mailboxes b JOIN accounts a ON a.id = b.account_id "
	               "WHERE ?1 = 0 OR b.account_id = ?1 "
	               "ORDER BY a.name, b.protocol, b.name <> 'INBOX', b.name",
	               err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, account_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		read_mailbox(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mb_mailbox_list_release(out);
		return store_fail(st, err, rc, "cannot list mailboxes");
	}
	return 0;
}

int
mb_store_mailbox_clear(struct mb_store *st, int64_t id, struct mb_error *err)
{
	if (mb_store_begin(st, err) < 0)
		return -1;
	if (store_write_by_id(st, "DELETE FROM messages WHERE mailbox_id = ?", id,
	                      "cannot clear a mailbox", NULL, err) < 0 ||
	    store_write_by_id(
	            st,
	            "UPDATE mailboxes SET uidvalidity = 0, uidnext = 0, highestmodseq = 0, "
	            "last_full_check = 0 WHERE id = ?",
	            id, "cannot clear a mailbox", NULL, err) < 0) {
		mb_store_rollback(st);
		return -1;
	}
	return mb_store_commit(st, err);
}

int
mb_store_mailbox_delete(struct mb_store *st, int64_t id, struct mb_error *err)
{
	return store_write_by_id(st, "DELETE FROM mailboxes WHERE id = ?", id,
	                         "cannot delete a mailbox", NULL, err);
}

void
mb_mailbox_release(struct mb_mailbox *mb)
{
	free(mb->name);
	free(mb->delimiter);
	mb->name = mb->delimiter = NULL;
}

void
mb_mailbox_list_release(struct mb_mailbox_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		mb_mailbox_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
