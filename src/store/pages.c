/*
 * pages.c: the message list as the TUI reads it: one page of a mailbox in a
 * sort order (date, from, subject, size; ascending or descending), by
 * offset or after a given row (keyset), optionally filtered by a substring
 * of From or Subject, and the matching count. Every order has an index
 * (schema.c) ending in the rowid, so a page never needs a sorting step.
 */
#include "config.h"

#include <stdlib.h>

#include "mailbench/buf.h"
#include "store/private.h"

/* A LIKE pattern matching text anywhere, with \ escaping the wildcards. */
static char *
like_pattern(const char *text)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_buf_addch(&b, '%');
	for (; *text != '\0'; text++) {
		if (*text == '%' || *text == '_' || *text == '\\')
			mb_buf_addch(&b, '\\');
		mb_buf_addch(&b, *text);
	}
	mb_buf_addch(&b, '%');
	return mb_buf_detach(&b, NULL);
}

#define FILTER_SQL " AND (m.from_text LIKE ?2 ESCAPE '\\' OR m.subject LIKE ?2 ESCAPE '\\')"

int
mb_store_msg_count(struct mb_store *st, int64_t mailbox_id, const char *filter, int64_t *count,
                   struct mb_error *err)
{
	bool filtered = filter != NULL && filter[0] != '\0';
	sqlite3_stmt *s;
	char *pat = NULL;
	int rc;

	*count = 0;
	s = store_stmt(
	        st,
	        filtered ? "SELECT count(*) FROM messages m WHERE m.mailbox_id = ?1" FILTER_SQL
	                 : "SELECT count(*) FROM messages m WHERE m.mailbox_id = ?1",
	        err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mailbox_id);
	if (filtered) {
		pat = like_pattern(filter);
		store_bind_text(s, 2, pat);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	free(pat);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot count messages");
	return 0;
}

/* The column a sort uses ("" for none). */
static const char *
sort_column(enum mb_sort sort)
{
	switch (sort) {
	case MB_SORT_DATE:
		return "m.date";
	case MB_SORT_FROM:
		return "m.from_text";
	case MB_SORT_SUBJECT:
		return "m.subject";
	case MB_SORT_SIZE:
		return "m.size";
	}
	return "m.date";
}

/* Bind the sort key of row after to parameter i. */
static void
bind_sort_key(sqlite3_stmt *s, int i, enum mb_sort sort, const struct mb_msg *after)
{
	switch (sort) {
	case MB_SORT_FROM:
		store_bind_text(s, i, after->from);
		break;
	case MB_SORT_SUBJECT:
		store_bind_text(s, i, after->subject);
		break;
	case MB_SORT_SIZE:
		sqlite3_bind_int64(s, i, after->size);
		break;
	case MB_SORT_DATE:
	default:
		sqlite3_bind_int64(s, i, after->date);
		break;
	}
}

int
mb_store_msg_page(struct mb_store *st, const struct mb_msg_query *q, struct mb_msg_list *out,
                  struct mb_error *err)
{
	bool filtered = q->filter != NULL && q->filter[0] != '\0';
	const char *col = sort_column(q->sort);
	const char *dir = q->desc ? " DESC" : "";
	struct mb_buf sql = MB_BUF_INIT;
	sqlite3_stmt *s;
	char *pat = NULL;
	int ret;

	out->v = NULL;
	out->n = 0;
	mb_buf_addstr(&sql, "SELECT " STORE_MSG_COLS " FROM messages m WHERE m.mailbox_id = ?1");
	if (filtered)
		mb_buf_addstr(&sql, FILTER_SQL);
	if (q->after != NULL)
		mb_buf_addf(&sql, " AND (%s, m.id) %s (?3, ?4)", col, q->desc ? "<" : ">");
	mb_buf_addf(&sql, " ORDER BY %s%s, m.id%s LIMIT ?5 OFFSET ?6", col, dir, dir);
	s = store_stmt(st, sql.data, err);
	mb_buf_release(&sql);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, q->mailbox_id);
	if (filtered) {
		pat = like_pattern(q->filter);
		store_bind_text(s, 2, pat);
	}
	if (q->after != NULL) {
		bind_sort_key(s, 3, q->sort, q->after);
		sqlite3_bind_int64(s, 4, q->after->id);
	}
	sqlite3_bind_int64(s, 5, q->limit == 0 ? -1 : (sqlite3_int64)q->limit);
	sqlite3_bind_int64(s, 6, q->after != NULL || q->offset < 0 ? 0 : q->offset);
	ret = store_collect_msgs(st, s, out, err);
	free(pat);
	return ret;
}
