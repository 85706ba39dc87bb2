/*
 * sync_private.h: what the files of the sync share (see sync.h).
 */
#ifndef MAILBENCH_CORE_SYNC_PRIVATE_H
#define MAILBENCH_CORE_SYNC_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/mime.h"

#include "mailbench/store.h"
#include "mailbench/sync.h"
#include "mailbench/tstore.h"

struct sync_pipe;

/* A sync run's shared state: the options, counters, the open batch. */
struct sync_run {
	const struct mb_sync_opts *o;
	struct mb_sync_stats *stats;
	struct mb_tstore ts;
	int64_t account_id;
	int batch;            /* messages per transaction */
	int in_batch;         /* messages added in the open transaction */
	uint64_t batch_bytes; /* their bytes */
	uint64_t done, total, bytes, bytes_total;
	const char *mailbox;
	struct sync_pipe *pipe; /* while messages go to a store thread (sync_pipe.c) */
};

/* One retrieved message, parsed, on its way into the cache. */
struct sync_msg {
	struct sync_msg *next; /* in the pipe's queue */
	struct mb_msg_in in;   /* what the store takes: it points into the fields below */
	struct mb_summary s;
	const char **received;
	char *delivered, *auth, *uidl, *raw;
	size_t len;
};

/* Store one retrieved message in the open batch (opened on demand); while a pipe runs, parse
   it and queue it for the store thread, which stores it (the error may then be the store
   thread's, about an earlier message). own is NULL, or raw itself when the caller hands its
   allocation over (then freed whatever happens, and never copied). */
int mb_sync_ingest(struct sync_run *r, int64_t mailbox_id, uint32_t uid, const char *uidl,
                   unsigned flags, uint64_t modseq, int64_t internaldate, uint64_t size,
                   const char *raw, size_t len, char *own, struct mb_error *err);
/* Store a parsed message (mb_sync_ingest's second half, on the store thread while a pipe
   runs); free one. */
int mb_sync_store(struct sync_run *r, struct sync_msg *m, struct mb_error *err);
void mb_sync_msg_free(struct sync_msg *m);

/* The pipe: from start to finish, mb_sync_ingest hands messages to a store thread, and only
   that thread uses the store. Finish stores what is queued (store_rest) or drops it, waits
   for the thread, and returns -1 when it stopped on an error. */
int mb_sync_pipe_start(struct sync_run *r, struct mb_error *err);
int mb_sync_pipe_put(struct sync_run *r, struct sync_msg *m, struct mb_error *err);
int mb_sync_pipe_finish(struct sync_run *r, bool store_rest, struct mb_error *err);

/* Commit the open batch, if any. */
int mb_sync_commit(struct sync_run *r, struct mb_error *err);
void mb_sync_abort(struct sync_run *r);
void mb_sync_progress(struct sync_run *r);

int mb_sync_imap(struct sync_run *r, struct mb_error *err);
int mb_sync_pop3(struct sync_run *r, struct mb_error *err);

/* The session record and the transcript sinks for a protocol session. */
int mb_sync_session_begin(struct sync_run *r, enum mb_store_proto proto,
                          const struct mb_endpoint *ep, const char *protoname,
                          struct mb_error *err);
void mb_sync_session_end(struct sync_run *r, int rc, const struct mb_error *err);

#endif
