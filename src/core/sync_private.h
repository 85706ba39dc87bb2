/*
 * sync_private.h: what the files of the sync share (see sync.h).
 */
#ifndef MAILBENCH_CORE_SYNC_PRIVATE_H
#define MAILBENCH_CORE_SYNC_PRIVATE_H

#include <stdint.h>

#include "mailbench/store.h"
#include "mailbench/sync.h"
#include "mailbench/tstore.h"

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
};

/* Store one retrieved message in the open batch (opened on demand). */
int mb_sync_ingest(struct sync_run *r, int64_t mailbox_id, uint32_t uid, const char *uidl,
                   unsigned flags, uint64_t modseq, int64_t internaldate, uint64_t size,
                   const char *raw, size_t len, struct mb_error *err);
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
