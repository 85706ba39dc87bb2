/*
 * search.c: full-text search over the cached messages (FTS5 table
 * message_fts, see fts.c).
 *
 * A user's search text is never handed to FTS5 as it stands: FTS5 has its
 * own syntax (quotes, *, ^, :, +, parentheses, AND/OR/NOT, NEAR, column
 * filters) in which most typing mistakes are syntax errors and some change
 * the meaning. store_fts_query() rebuilds the query from the user's words:
 * each word (or "quoted phrase") becomes one FTS5 string in double quotes,
 * with quotes inside doubled, optionally restricted to one column, and
 * marked as a prefix. Inside an FTS5 string nothing is syntax, so every
 * input gives a valid query that means "all these words".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h"
#include "store/private.h"

/* The field prefixes a user may write, and the FTS5 column each one means. */
static const struct {
	const char *prefix;
	const char *column;
} fields[] = {
        {"from:", "from_text"},  {"to:", "to_text"}, {"cc:", "cc_text"},
        {"subject:", "subject"}, {"body:", "body"},
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Whether the term has something the tokenizer can index (a letter or digit). */
static bool
searchable(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c >= 0x80)
			return true;
	}
	return false;
}

/* Append one term as an FTS5 prefix string, in column col when not NULL. */
static void
add_term(struct mb_buf *q, const char *col, const char *p, size_t n)
{
	size_t i;

	if (!searchable(p, n))
		return;
	if (q->len > 0)
		mb_buf_addch(q, ' ');
	if (col != NULL)
		mb_buf_addf(q, "%s : ", col);
	mb_buf_addch(q, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			mb_buf_addch(q, '"');
		mb_buf_addch(q, p[i]);
	}
	mb_buf_addstr(q, "\"*");
}

/* The column of a field prefix at p ("subject:x"), advancing p past it; NULL if none. */
static const char *
field_prefix(const char **p)
{
	size_t i, n;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		n = strlen(fields[i].prefix);
		/* "subject:" alone (nothing after the colon) is a plain word */
		if (strncasecmp(*p, fields[i].prefix, n) == 0 && (*p)[n] != '\0' &&
		    !is_space((*p)[n])) {
			*p += n;
			return fields[i].column;
		}
	}
	return NULL;
}

char *
store_fts_query(const char *user)
{
	struct mb_buf q = MB_BUF_INIT;
	const char *p = user != NULL ? user : "";
	const char *col, *start;

	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		col = field_prefix(&p);
		if (*p == '"') {
			/* a phrase up to the closing quote, or to the end */
			start = ++p;
			while (*p != '\0' && *p != '"')
				p++;
			add_term(&q, col, start, (size_t)(p - start));
			if (*p == '"')
				p++;
		} else {
			start = p;
			while (*p != '\0' && !is_space(*p))
				p++;
			add_term(&q, col, start, (size_t)(p - start));
		}
	}
	return mb_buf_detach(&q, NULL);
}

int
mb_store_search(struct mb_store *st, int64_t mailbox_id, const char *query, size_t limit,
                struct mb_msg_list *out, struct mb_error *err)
{
	char *fts = store_fts_query(query);
	sqlite3_stmt *s;
	int ret, rc;

	out->v = NULL;
	out->n = 0;
	if (fts[0] == '\0') {
		free(fts);
		return 0;
	}
	/* what was stored and not indexed yet first; a deleted message's entries stay in the
	   index, and the join leaves them out */
	if (store_fts_catch_up(st, err) < 0) {
		free(fts);
		return -1;
	}
	rc = sqlite3_prepare_v2(st->fts,
	                        "SELECT " STORE_MSG_COLS " FROM message_fts "
	                        "JOIN c.messages m ON m.id = message_fts.rowid "
	                        "WHERE message_fts MATCH ?1 AND (?2 = 0 OR m.mailbox_id = ?2) "
	                        "ORDER BY m.date DESC, m.id DESC LIMIT ?3",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK) {
		free(fts);
		return mb_error_set(err, MB_ERR_STORE, "cannot search cache '%s': %s", st->path,
		                    sqlite3_errmsg(st->fts));
	}
	store_bind_text(s, 1, fts);
	sqlite3_bind_int64(s, 2, mailbox_id);
	sqlite3_bind_int64(s, 3, limit == 0 ? -1 : (sqlite3_int64)limit);
	ret = store_collect_msgs(st, s, out, err);
	sqlite3_finalize(s);
	free(fts);
	return ret;
}
