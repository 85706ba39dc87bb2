/*
 * sources.c: message sources in a file beside the cache, PATH-sources.
 *
 * Why not in SQLite: with a write-ahead log every page is written twice, to
 * the log and, at a checkpoint, to the database. Sources are most of a
 * cache (295 MB of 415 MB for the benchmark's 10 000 messages), and a POP3
 * fetch of them wrote 950 MB to a disk that takes 480 MB/s: the disk, not
 * the processor, set its pace. Appended to a file of their own they are
 * written once (375 MB in all).
 *
 * The file: a 16-byte header ("MBSOURCE", a version, 0), then records: a
 * 32-byte record header (magic "MBSR", 0, the message id, the length, a
 * 64-bit checksum of the bytes) and the source's bytes. message_raw holds
 * each record's offset and length (source_off, source_len); rows of caches
 * older than schema 5 keep their source in the raw column.
 *
 * Consistency: records are appended only inside a write transaction (so by
 * one writer at a time), after the rows are inserted, at the end that the
 * last committed transaction recorded in meta (sources_end); whatever lies
 * beyond it (a batch rolled back, or a process killed before its commit) is
 * cut off by the next writer before it appends. Committed records are never
 * written again, so a reader on an older snapshot reads what it expects.
 * Durability: the file is synced before the log is (mb_store_make_durable,
 * and the bulk checkpointer before each checkpoint), so a commit on disk
 * does not point past the sources on disk; a record whose bytes a power
 * failure lost anyway fails its checksum and is reported as damaged.
 * Deleted messages leave holes, which a later compaction could reclaim.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

#define SRC_MAGIC      "MBSOURCE"
#define SRC_VERSION    1
#define SRC_HEADER     16
#define SRC_REC_MAGIC  0x5253424Du /* "MBSR" read as a little-endian word */
#define SRC_REC_HEADER 32
#define SRC_CHUNK      65536 /* a multiple of 8: the checksum takes 8 bytes at a time */

/* The record header, stored little-endian (as on every machine mailbench builds for, and
   checked at the first use: a big-endian build refuses the file rather than misreading it). */
struct src_rec {
	uint32_t magic, zero;
	uint64_t id, len, sum;
};

/* A 64-bit checksum, 8 bytes per multiply: fast enough to be no cost beside the copy. */
static uint64_t
src_sum(uint64_t h, const unsigned char *p, size_t n, bool last)
{
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	if (last) {
		for (; n > 0; p++, n--)
			h = (h ^ *p) * 0x100000001b3ULL;
		h ^= h >> 32;
	}
	return h;
}

#define SRC_SUM_SEED 0xcbf29ce484222325ULL

static char *
src_path(const struct mb_store *st)
{
	size_t n = strlen(st->path);
	char *p = xmalloc(n + sizeof "-sources");

	memcpy(p, st->path, n);
	memcpy(p + n, "-sources", sizeof "-sources");
	return p;
}

static int
src_errno(struct mb_store *st, struct mb_error *err, int e, const char *what)
{
	char *p = src_path(st);

	if (e == ENOSPC || e == EDQUOT)
		mb_error_set(err, MB_ERR_STORE, "cache '%s' is full: no space left on device",
		             st->path);
	else
		mb_error_set(err, MB_ERR_STORE, "%s '%s': %s", what, p, strerror(e));
	free(p);
	return -1;
}

int
store_sources_open(struct mb_store *st, struct mb_error *err)
{
	char head[SRC_HEADER] = SRC_MAGIC;
	uint32_t v = SRC_VERSION, probe = 1;
	struct stat sb;
	char *p;
	int fd;

	if (st->src_fd >= 0)
		return 0;
	if (*(unsigned char *)&probe != 1)
		return mb_error_set(
		        err, MB_ERR_STORE,
		        "the cache's sources file is little-endian, this machine is not");
	p = src_path(st);
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(p);
	if (fd < 0)
		return src_errno(st, err, errno, "cannot open the cache's sources");
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return src_errno(st, err, errno, "cannot read the cache's sources");
	}
	memcpy(head + 8, &v, 4);
	if (sb.st_size == 0) {
		/* a new file: the header goes in before any record (two openers write the same) */
		if (pwrite(fd, head, SRC_HEADER, 0) != SRC_HEADER) {
			int e = errno != 0 ? errno : ENOSPC;

			close(fd);
			return src_errno(st, err, e, "cannot write the cache's sources");
		}
	} else {
		char got[SRC_HEADER];

		if (pread(fd, got, SRC_HEADER, 0) != SRC_HEADER ||
		    memcmp(got, head, SRC_HEADER) != 0) {
			close(fd);
			p = src_path(st);
			mb_error_set(
			        err, MB_ERR_STORE,
			        "'%s' is not a mailbench sources file (or of another version): "
			        "the cache is only a cache, move it aside with its sources and "
			        "mailbench starts a new one",
			        p);
			free(p);
			return -1;
		}
	}
	st->src_fd = fd;
	return 0;
}

void
store_sources_close(struct mb_store *st)
{
	if (st->src_fd >= 0)
		close(st->src_fd);
	st->src_fd = -1;
	st->src_end = -1;
	st->src_dirty = false;
}

/* The committed end, from meta (in the open write transaction); cut off what lies past it. */
static int
src_start(struct mb_store *st, struct mb_error *err)
{
	sqlite3_stmt *s;
	struct stat sb;
	int64_t end = SRC_HEADER;
	int rc;

	s = store_stmt(st, "SELECT value FROM meta WHERE key = 'sources_end'", err);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER)
		end = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot read where the sources end");
	if (fstat(st->src_fd, &sb) < 0)
		return src_errno(st, err, errno, "cannot read the cache's sources");
	if (sb.st_size < end)
		return mb_error_set(
		        err, MB_ERR_STORE,
		        "the cache's sources file is shorter (%lld bytes) than the cache "
		        "says (%lld): it was cut or replaced; move the cache aside with "
		        "its sources and mailbench starts a new one",
		        (long long)sb.st_size, (long long)end);
	/* a batch rolled back, or a writer killed before its commit, left this: no row has it */
	if (sb.st_size > end && ftruncate(st->src_fd, end) < 0)
		return src_errno(st, err, errno, "cannot cut the cache's sources");
	st->src_end = end;
	return 0;
}

int
store_sources_add(struct mb_store *st, int64_t id, const void *raw, size_t len, int64_t *off,
                  struct mb_error *err)
{
	struct src_rec h;
	struct iovec iov[2];
	size_t total = SRC_REC_HEADER + len, done = 0;
	ssize_t n;

	if (st->depth <= 0)
		return mb_error_set(err, MB_ERR_INTERNAL, "a source is stored inside a batch only");
	if (store_sources_open(st, err) < 0)
		return -1;
	if (st->src_end < 0 && src_start(st, err) < 0)
		return -1;
	memset(&h, 0, sizeof h);
	h.magic = SRC_REC_MAGIC;
	h.id = (uint64_t)id;
	h.len = (uint64_t)len;
	h.sum = src_sum(SRC_SUM_SEED, raw, len, true);
	while (done < total) {
		/* the header, then the bytes, from where the last write stopped */
		if (done < SRC_REC_HEADER) {
			iov[0].iov_base = (char *)&h + done;
			iov[0].iov_len = SRC_REC_HEADER - done;
			iov[1].iov_base = (void *)raw;
			iov[1].iov_len = len;
			n = pwritev(st->src_fd, iov, 2, st->src_end + (off_t)done);
		} else {
			n = pwrite(st->src_fd, (const char *)raw + (done - SRC_REC_HEADER),
			           total - done, st->src_end + (off_t)done);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* as when SQLite cannot write: the batch is over (store_fail) */
			src_errno(st, err, n < 0 ? errno : ENOSPC,
			          "cannot write to the cache's sources");
			if (!st->doomed)
				store_doom(st, err);
			return -1;
		}
		done += (size_t)n;
	}
	*off = st->src_end;
	st->src_end += (int64_t)total;
	st->src_dirty = true;
	return 0;
}

int
store_sources_precommit(struct mb_store *st, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (!st->src_dirty)
		return 0;
	/* without a log (a network file system) the commit is synced: the sources first */
	if (!st->wal && fdatasync(st->src_fd) < 0)
		return src_errno(st, err, errno, "cannot sync the cache's sources");
	s = store_stmt(st, "INSERT OR REPLACE INTO meta(key, value) VALUES ('sources_end', ?)",
	               err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, st->src_end);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot record where the sources end");
	return 0;
}

void
store_sources_txn_end(struct mb_store *st)
{
	/* the next transaction reads the end again: another writer may append meanwhile */
	st->src_end = -1;
	st->src_dirty = false;
}

int
store_sources_sync(struct mb_store *st, struct mb_error *err)
{
	if (st->src_fd >= 0 && fdatasync(st->src_fd) < 0)
		return src_errno(st, err, errno, "cannot sync the cache's sources");
	return 0;
}

/* pread all of n bytes at off. */
static int
src_pread(struct mb_store *st, void *buf, size_t n, int64_t off, struct mb_error *err)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = pread(st->src_fd, (char *)buf + done, n - done, (off_t)off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return src_errno(st, err, errno, "cannot read the cache's sources");
		if (r == 0)
			return mb_error_set(
			        err, MB_ERR_STORE,
			        "the cache's sources end before a message's source does: "
			        "the file was cut");
		done += (size_t)r;
	}
	return 0;
}

static int
src_damaged(struct mb_store *st, int64_t id, const char *why, struct mb_error *err)
{
	return mb_error_set(err, MB_ERR_STORE,
	                    "the source of message %lld in the cache is damaged (%s): fetch it "
	                    "again into a new cache, or delete it from this one",
	                    (long long)id, why);
}

int
store_sources_read(struct mb_store *st, int64_t id, int64_t off, int64_t len,
                   int (*cb)(const void *chunk, size_t n, void *arg), void *arg,
                   struct mb_error *err)
{
	struct src_rec h;
	unsigned char *chunk;
	uint64_t sum = SRC_SUM_SEED;
	int64_t pos;
	size_t n;
	int rc = 0;

	if (store_sources_open(st, err) < 0 || src_pread(st, &h, SRC_REC_HEADER, off, err) < 0)
		return -1;
	if (h.magic != SRC_REC_MAGIC || h.id != (uint64_t)id || h.len != (uint64_t)len)
		return src_damaged(st, id, "its record header does not match", err);
	chunk = xmalloc(len < SRC_CHUNK ? (size_t)len + 1 : SRC_CHUNK);
	for (pos = 0; pos < len; pos += (int64_t)n) {
		n = len - pos < SRC_CHUNK ? (size_t)(len - pos) : SRC_CHUNK;
		if ((rc = src_pread(st, chunk, n, off + SRC_REC_HEADER + pos, err)) < 0)
			break;
		sum = src_sum(sum, chunk, n, pos + (int64_t)n == len);
		if (cb(chunk, n, arg) != 0) {
			rc = mb_error_set(err, MB_ERR_CANCEL,
			                  "reading the source of message %lld was stopped",
			                  (long long)id);
			break;
		}
	}
	if (rc == 0 && len == 0)
		sum = src_sum(sum, chunk, 0, true);
	free(chunk);
	if (rc == 0 && sum != h.sum)
		rc = src_damaged(st, id, "its checksum does not match", err);
	return rc;
}

/* Check every record the cache points to; problems go to out, counted in *n. */
int
store_sources_check(struct mb_store *st, struct mb_buf *out, int *n, struct mb_error *err)
{
	sqlite3_stmt *s;
	struct mb_error e = MB_ERROR_INIT;
	int rc;

	s = store_stmt(st,
	               "SELECT message_id, source_off, source_len FROM message_raw "
	               "WHERE source_off IS NOT NULL ORDER BY source_off",
	               err);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_sources_read(st, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
		                       sqlite3_column_int64(s, 2), store_sources_discard, NULL,
		                       &e) < 0) {
			if ((*n)++ < 3)
				mb_buf_addf(out, "%s%s", out->len > 0 ? "; " : "", e.msg);
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot list the sources");
	return 0;
}

int
store_sources_discard(const void *chunk, size_t n, void *arg)
{
	(void)chunk;
	(void)n;
	(void)arg;
	return 0;
}
