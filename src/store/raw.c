/*
 * raw.c: reading a message's raw source, the byte-exact bytes the server
 * sent: a record in the cache's sources file (sources.c), or, for a
 * message stored before schema 5, a blob in message_raw. Read whole into
 * an mb_buf for the viewer, or streamed in chunks so that a large message
 * is never held in memory at once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h"
#include "store/private.h"

/* Chunk size for streaming sources kept as blobs. */
#define RAW_CHUNK 65536

/* Where the source of message id is: *off >= 0 in generation *gen's sources file, else a
   blob; one statement, so that the offset and the generation are of one snapshot. */
static int
raw_where(struct mb_store *st, int64_t id, int64_t *gen, int64_t *off, int64_t *len,
          struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st,
	                             "SELECT source_off, coalesce(source_len, length(raw)), "
	                             "coalesce((SELECT value FROM meta WHERE key = "
	                             "'sources_gen'), 0) FROM message_raw WHERE message_id = ?",
	                             err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*off = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 0);
		*len = sqlite3_column_int64(s, 1);
		*gen = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no message %lld in the cache",
		                    (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read a message's source");
	return 0;
}

int
mb_store_msg_raw_size(struct mb_store *st, int64_t id, int64_t *len, struct mb_error *err)
{
	int64_t gen, off;

	*len = 0;
	return raw_where(st, id, &gen, &off, len, err);
}

static int
add_chunk(const void *chunk, size_t n, void *arg)
{
	mb_buf_add(arg, chunk, n);
	return 0;
}

int
mb_store_msg_raw(struct mb_store *st, int64_t id, struct mb_buf *out, struct mb_error *err)
{
	size_t had = out->len;
	int64_t len;

	if (mb_store_msg_raw_size(st, id, &len, err) < 0)
		return -1;
	mb_buf_grow(out, (size_t)len);
	if (mb_store_msg_raw_stream(st, id, add_chunk, out, err) < 0) {
		out->len = had;
		out->data[had] = '\0';
		return -1;
	}
	return 0;
}

/* A source kept as a blob (stored before schema 5). */
static int
blob_stream(struct mb_store *st, int64_t id, int (*cb)(const void *chunk, size_t len, void *arg),
            void *arg, struct mb_error *err)
{
	sqlite3_blob *b;
	char *chunk;
	int len, off, n, rc, ret = 0;

	rc = sqlite3_blob_open(st->db, "main", "message_raw", "raw", id, 0, &b);
	if (rc != SQLITE_OK)
		return store_fail(st, err, rc, "cannot read a message's source");
	chunk = xmalloc(RAW_CHUNK);
	len = sqlite3_blob_bytes(b);
	for (off = 0; off < len; off += n) {
		n = len - off < RAW_CHUNK ? len - off : RAW_CHUNK;
		rc = sqlite3_blob_read(b, chunk, n, off);
		if (rc != SQLITE_OK) {
			ret = store_fail(st, err, rc, "cannot read a message's source");
			break;
		}
		if (cb(chunk, (size_t)n, arg) != 0) {
			ret = mb_error_set(err, MB_ERR_CANCEL,
			                   "reading the source of message %lld was stopped",
			                   (long long)id);
			break;
		}
	}
	free(chunk);
	sqlite3_blob_close(b);
	return ret;
}

int
mb_store_msg_raw_stream(struct mb_store *st, int64_t id,
                        int (*cb)(const void *chunk, size_t len, void *arg), void *arg,
                        struct mb_error *err)
{
	int64_t gen, off, len;

	if (raw_where(st, id, &gen, &off, &len, err) < 0)
		return -1;
	if (off < 0)
		return blob_stream(st, id, cb, arg, err);
	return store_sources_read(st, id, gen, off, len, cb, arg, err);
}
