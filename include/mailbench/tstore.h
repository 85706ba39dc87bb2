/*
 * tstore.h: a transcript sink that records a session's lines in the cache.
 *
 * Lines are copied and written in batches (one transaction per batch) so a
 * long IMAP sync does not commit once per line; mb_tstore_flush() writes
 * what is pending. The store handle must belong to the session's thread,
 * unless the store is another thread's for a while: mb_tstore_defer(ts,
 * true) makes the sink only queue lines (safe from any thread), and that
 * other thread calls mb_tstore_flush() when mb_tstore_pending() reaches
 * MB_TSTORE_BATCH.
 *
 *     struct mb_tstore ts;
 *     mb_tstore_init(&ts, st, session_id);
 *     mb_conn_add_sink(conn, mb_tstore_sink, &ts);
 *     ... the session runs ...
 *     mb_tstore_release(&ts);   (flushes)
 */
#ifndef MAILBENCH_TSTORE_H
#define MAILBENCH_TSTORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/store.h"
#include "mailbench/transcript.h"

#define MB_TSTORE_BATCH 256

struct mb_tstore {
	struct mb_store *st;
	int64_t session;
	pthread_mutex_t mu; /* over pending, n, cap, deferred */
	struct mb_tline_in *pending;
	size_t n, cap;
	bool deferred;       /* the sink never writes, a flush does */
	struct mb_error err; /* the first write error, if any */
};

void mb_tstore_init(struct mb_tstore *ts, struct mb_store *st, int64_t session);
void mb_tstore_sink(void *ctx, const struct mb_tline *tl);
int mb_tstore_flush(struct mb_tstore *ts);
void mb_tstore_defer(struct mb_tstore *ts, bool on);
size_t mb_tstore_pending(struct mb_tstore *ts);
void mb_tstore_release(struct mb_tstore *ts);

#endif
