/*
 * raw.c: reading a message's raw source, the byte-exact bytes the server
 * sent, kept in message_raw apart from the list columns. Read whole into an
 * mb_buf for the viewer, or streamed in chunks with sqlite3_blob_read so
 * that a large message is never held in memory at once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h"
#include "store/private.h"

/* Chunk size for streaming raw sources. */
#define RAW_CHUNK 65536

/* Open the raw source of message id for reading. */
static int
raw_open(struct mb_store *st, int64_t id, sqlite3_blob **b, struct mb_error *err)
{
	int rc = sqlite3_blob_open(st->db, "main", "message_raw", "raw", id, 0, b);

	if (rc == SQLITE_OK)
		return 0;
	*b = NULL;
	if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(st->db), "no such rowid") != NULL)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no message %lld in the cache",
		                    (long long)id);
	return store_fail(st, err, rc, "cannot read a message's source");
}

int
mb_store_msg_raw_size(struct mb_store *st, int64_t id, int64_t *len, struct mb_error *err)
{
	sqlite3_blob *b;

	*len = 0;
	if (raw_open(st, id, &b, err) < 0)
		return -1;
	*len = sqlite3_blob_bytes(b);
	sqlite3_blob_close(b);
	return 0;
}

int
mb_store_msg_raw(struct mb_store *st, int64_t id, struct mb_buf *out, struct mb_error *err)
{
	sqlite3_blob *b;
	int len, rc;

	if (raw_open(st, id, &b, err) < 0)
		return -1;
	len = sqlite3_blob_bytes(b);
	mb_buf_grow(out, (size_t)len);
	rc = sqlite3_blob_read(b, out->data + out->len, len, 0);
	if (rc != SQLITE_OK) {
		sqlite3_blob_close(b);
		out->data[out->len] = '\0';
		return store_fail(st, err, rc, "cannot read a message's source");
	}
	out->len += (size_t)len;
	out->data[out->len] = '\0';
	sqlite3_blob_close(b);
	return 0;
}

int
mb_store_msg_raw_stream(struct mb_store *st, int64_t id,
                        int (*cb)(const void *chunk, size_t len, void *arg), void *arg,
                        struct mb_error *err)
{
	sqlite3_blob *b;
	char *chunk;
	int len, off, n, rc, ret = 0;

	if (raw_open(st, id, &b, err) < 0)
		return -1;
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
