/*
 * tstore.c: transcript lines into the cache, in batches (see tstore.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/tstore.h"
#include "mailbench/xalloc.h"

#define TSTORE_BATCH 256

void
mb_tstore_init(struct mb_tstore *ts, struct mb_store *st, int64_t session)
{
	memset(ts, 0, sizeof *ts);
	ts->st = st;
	ts->session = session;
}

void
mb_tstore_sink(void *ctx, const struct mb_tline *tl)
{
	struct mb_tstore *ts = ctx;
	struct mb_tline_in *l;

	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->pending = xreallocarray(ts->pending, ts->cap, sizeof *ts->pending);
	}
	l = &ts->pending[ts->n++];
	l->dir = (enum mb_tline_dir)tl->dir;
	l->ts_us = tl->ts_us;
	l->text = xmemdup0(tl->text, tl->len);
	l->len = tl->len;
	l->code = tl->code;
	l->meaning = tl->meaning ? xstrdup(tl->meaning) : NULL;
	l->flags = (unsigned)tl->flags;
	l->rtt_ms = tl->rtt_ms;
	if (ts->n >= TSTORE_BATCH)
		mb_tstore_flush(ts);
}

static void
drop_pending(struct mb_tstore *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++) {
		free((void *)ts->pending[i].text);
		free((void *)ts->pending[i].meaning);
	}
	ts->n = 0;
}

int
mb_tstore_flush(struct mb_tstore *ts)
{
	int rc = 0;

	if (ts->n == 0 || ts->st == NULL || ts->session == 0) {
		drop_pending(ts);
		return 0;
	}
	if (mb_store_session_add_lines(ts->st, ts->session, ts->pending, ts->n, &ts->err) < 0)
		rc = -1; /* the transcript is lost, the session goes on: ts->err says why */
	drop_pending(ts);
	return rc;
}

void
mb_tstore_release(struct mb_tstore *ts)
{
	mb_tstore_flush(ts);
	free(ts->pending);
	ts->pending = NULL;
	ts->cap = 0;
}
