/*
 * tstore.c: transcript lines into the cache, in batches (see tstore.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/tstore.h"
#include "mailbench/xalloc.h"

void
mb_tstore_init(struct mb_tstore *ts, struct mb_store *st, int64_t session)
{
	memset(ts, 0, sizeof *ts);
	ts->st = st;
	ts->session = session;
	pthread_mutex_init(&ts->mu, NULL);
}

void
mb_tstore_sink(void *ctx, const struct mb_tline *tl)
{
	struct mb_tstore *ts = ctx;
	struct mb_tline_in *l;
	bool full;

	pthread_mutex_lock(&ts->mu);
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
	full = !ts->deferred && ts->n >= MB_TSTORE_BATCH;
	pthread_mutex_unlock(&ts->mu);
	if (full)
		mb_tstore_flush(ts);
}

static void
drop_lines(struct mb_tline_in *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((void *)lines[i].text);
		free((void *)lines[i].meaning);
	}
}

int
mb_tstore_flush(struct mb_tstore *ts)
{
	struct mb_tline_in *lines;
	size_t n;
	int rc = 0;

	/* take the lines, so the sink can go on queueing while they are written */
	pthread_mutex_lock(&ts->mu);
	lines = ts->pending;
	n = ts->n;
	ts->pending = NULL;
	ts->n = ts->cap = 0;
	pthread_mutex_unlock(&ts->mu);
	if (n > 0 && ts->st != NULL && ts->session != 0 &&
	    mb_store_session_add_lines(ts->st, ts->session, lines, n, &ts->err) < 0)
		rc = -1; /* the transcript is lost, the session goes on: ts->err says why */
	drop_lines(lines, n);
	free(lines);
	return rc;
}

void
mb_tstore_defer(struct mb_tstore *ts, bool on)
{
	pthread_mutex_lock(&ts->mu);
	ts->deferred = on;
	pthread_mutex_unlock(&ts->mu);
}

size_t
mb_tstore_pending(struct mb_tstore *ts)
{
	size_t n;

	pthread_mutex_lock(&ts->mu);
	n = ts->n;
	pthread_mutex_unlock(&ts->mu);
	return n;
}

void
mb_tstore_release(struct mb_tstore *ts)
{
	mb_tstore_flush(ts);
	pthread_mutex_destroy(&ts->mu);
}
