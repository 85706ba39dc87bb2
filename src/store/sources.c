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
 * Compaction: deleted messages leave holes. At the end of a bulk store (a
 * sync), once the holes pass both SOURCES_COMPACT_MIN and the live bytes,
 * the live records are copied in file order to the next generation's file
 * (PATH-sources.N; generation 0 is PATH-sources), which is synced before
 * one transaction moves every offset and meta's sources_gen to it; the old
 * file is then unlinked. A reader takes the generation with the offset, in
 * one statement (one snapshot), and opens that generation's file: a reader
 * holding the old file open reads on from it undisturbed.
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
src_path(const struct mb_store *st, int64_t gen)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_buf_addf(&b, "%s-sources", st->path);
	if (gen > 0)
		mb_buf_addf(&b, ".%lld", (long long)gen);
	return mb_buf_detach(&b, NULL);
}

/* A failed call on generation gen's file (errno e). */
static int
src_errno_gen(struct mb_store *st, int64_t gen, struct mb_error *err, int e, const char *what)
{
	char *p;

	if (e == ENOSPC || e == EDQUOT)
		return mb_error_set(err, MB_ERR_STORE,
		                    "cache '%s' is full: no space left on device", st->path);
	p = src_path(st, gen);
	mb_error_set(err, MB_ERR_STORE, "%s '%s': %s", what, p, strerror(e));
	free(p);
	return -1;
}

/* A failed call on the file open in st. */
static int
src_errno(struct mb_store *st, struct mb_error *err, int e, const char *what)
{
	return src_errno_gen(st, st->src_gen, err, e, what);
}

/* The 16 bytes every sources file starts with. */
static void
src_file_header(char head[SRC_HEADER])
{
	uint32_t v = SRC_VERSION;

	memset(head, 0, SRC_HEADER);
	memcpy(head, SRC_MAGIC, 8);
	memcpy(head + 8, &v, 4);
}

/* An integer of meta, dflt when absent. */
static int
meta_int(struct mb_store *st, const char *key, int64_t dflt, int64_t *v, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT value FROM meta WHERE key = ?", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER
	             ? sqlite3_column_int64(s, 0)
	             : dflt;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot read the cache's sources state");
	return 0;
}

/* Open generation gen's file (made, with its header, when new or empty) as st->src_fd. */
static int
src_open(struct mb_store *st, int64_t gen, bool create, struct mb_error *err)
{
	char head[SRC_HEADER], got[SRC_HEADER];
	uint32_t probe = 1;
	struct stat sb;
	char *p;
	int fd, e;

	if (st->src_fd >= 0 && st->src_gen == gen)
		return 0;
	if (*(unsigned char *)&probe != 1)
		return mb_error_set(
		        err, MB_ERR_STORE,
		        "the cache's sources file is little-endian, this machine is not");
	if (st->src_fd >= 0)
		close(st->src_fd);
	st->src_fd = -1;
	p = src_path(st, gen);
	fd = open(p, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	e = errno;
	free(p);
	st->src_gen = gen;
	if (fd < 0)
		return src_errno(st, err, e, "cannot open the cache's sources");
	if (fstat(fd, &sb) < 0) {
		e = errno;
		close(fd);
		return src_errno(st, err, e, "cannot read the cache's sources");
	}
	src_file_header(head);
	if (sb.st_size == 0) {
		/* a new file: the header goes in before any record (two openers write the same) */
		if (pwrite(fd, head, SRC_HEADER, 0) != SRC_HEADER) {
			e = errno != 0 ? errno : ENOSPC;
			close(fd);
			return src_errno(st, err, e, "cannot write the cache's sources");
		}
	} else if (pread(fd, got, SRC_HEADER, 0) != SRC_HEADER ||
	           memcmp(got, head, SRC_HEADER) != 0) {
		close(fd);
		p = src_path(st, gen);
		mb_error_set(err, MB_ERR_STORE,
		             "'%s' is not a mailbench sources file (or of another version): the "
		             "cache is only a cache, move it aside with its sources and mailbench "
		             "starts a new one",
		             p);
		free(p);
		return -1;
	}
	st->src_fd = fd;
	return 0;
}

int
store_sources_open(struct mb_store *st, struct mb_error *err)
{
	int64_t gen;

	if (meta_int(st, "sources_gen", 0, &gen, err) < 0)
		return -1;
	return src_open(st, gen, true, err);
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
	struct stat sb;
	int64_t end, gen;

	if (meta_int(st, "sources_gen", 0, &gen, err) < 0 ||
	    meta_int(st, "sources_end", SRC_HEADER, &end, err) < 0 ||
	    src_open(st, gen, true, err) < 0)
		return -1;
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

uint64_t
mb_store_source_sum(const void *raw, size_t len)
{
	return src_sum(SRC_SUM_SEED, raw, len, true);
}

int
store_sources_add(struct mb_store *st, int64_t id, const void *raw, size_t len, const uint64_t *sum,
                  int64_t *off, struct mb_error *err)
{
	struct src_rec h;
	struct iovec iov[2];
	size_t total = SRC_REC_HEADER + len, done = 0;
	ssize_t n;

	if (st->depth <= 0)
		return mb_error_set(err, MB_ERR_INTERNAL, "a source is stored inside a batch only");
	if (st->src_end < 0 && src_start(st, err) < 0)
		return -1;
	memset(&h, 0, sizeof h);
	h.magic = SRC_REC_MAGIC;
	h.id = (uint64_t)id;
	h.len = (uint64_t)len;
	h.sum = sum != NULL ? *sum : mb_store_source_sum(raw, len);
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
src_damaged(int64_t id, const char *why, struct mb_error *err)
{
	return mb_error_set(err, MB_ERR_STORE,
	                    "the source of message %lld in the cache is damaged (%s): fetch it "
	                    "again into a new cache, or delete it from this one",
	                    (long long)id, why);
}

int
store_sources_read(struct mb_store *st, int64_t id, int64_t gen, int64_t off, int64_t len,
                   int (*cb)(const void *chunk, size_t n, void *arg), void *arg,
                   struct mb_error *err)
{
	struct src_rec h;
	unsigned char *chunk;
	uint64_t sum = SRC_SUM_SEED;
	int64_t pos;
	size_t n;
	int rc = 0;

	if (src_open(st, gen, false, err) < 0 || src_pread(st, &h, SRC_REC_HEADER, off, err) < 0)
		return -1;
	if (h.magic != SRC_REC_MAGIC || h.id != (uint64_t)id || h.len != (uint64_t)len)
		return src_damaged(id, "its record header does not match", err);
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
		rc = src_damaged(id, "its checksum does not match", err);
	return rc;
}

/* A reader that keeps nothing: the check only wants the checksum verified. */
static int
discard(const void *chunk, size_t n, void *arg)
{
	(void)chunk;
	(void)n;
	(void)arg;
	return 0;
}

/* Check every record the cache points to; problems go to out, counted in *n. */
int
store_sources_check(struct mb_store *st, struct mb_buf *out, int *n, struct mb_error *err)
{
	sqlite3_stmt *s;
	struct mb_error e = MB_ERROR_INIT;
	int rc;

	s = store_stmt(st,
	               "SELECT message_id, source_off, source_len, coalesce((SELECT value FROM "
	               "meta WHERE key = 'sources_gen'), 0) FROM message_raw "
	               "WHERE source_off IS NOT NULL ORDER BY source_off",
	               err);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_sources_read(st, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 3),
		                       sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
		                       discard, NULL, &e) < 0) {
			if ((*n)++ < 3)
				mb_buf_addf(out, "%s%s", out->len > 0 ? "; " : "", e.msg);
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot list the sources");
	return 0;
}

/* Copy n bytes from in at *inoff to out at *outoff, both advanced. */
static int
src_copy(int in, int64_t *inoff, int out, int64_t *outoff, int64_t n)
{
	loff_t a = *inoff, b = *outoff;
	ssize_t r;

	while (n > 0) {
		r = copy_file_range(in, &a, out, &b, (size_t)n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO; /* the source file ends early */
			return -1;
		}
		n -= r;
	}
	*inoff = a;
	*outoff = b;
	return 0;
}

struct src_move {
	int64_t id, off, len;
};

int
store_sources_compact(struct mb_store *st, int64_t min_holes, bool *done, struct mb_error *err)
{
	char head[SRC_HEADER];
	struct src_move *mv = NULL;
	size_t n = 0, cap = 0, i;
	int64_t gen, end, holes, live = 0, pos, newend = SRC_HEADER;
	sqlite3_stmt *s;
	char *newpath = NULL, *oldpath = NULL;
	int fd = -1, rc, e;

	*done = false;
	if (st->depth > 0)
		return mb_error_set(err, MB_ERR_INTERNAL, "cannot compact sources inside a batch");
	/* the counted holes first: without the write lock and without reading every row */
	if (meta_int(st, "sources_end", SRC_HEADER, &end, err) < 0 ||
	    meta_int(st, "sources_holes", 0, &holes, err) < 0)
		return -1;
	if (holes < min_holes || holes <= end - SRC_HEADER - holes)
		return 0; /* not worth it */
	if (mb_store_begin(st, err) < 0)
		return -1;
	if (meta_int(st, "sources_gen", 0, &gen, err) < 0 ||
	    meta_int(st, "sources_end", SRC_HEADER, &end, err) < 0 ||
	    (s = store_stmt(st,
	                    "SELECT message_id, source_off, source_len FROM message_raw "
	                    "WHERE source_off IS NOT NULL ORDER BY source_off",
	                    err)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			mv = xreallocarray(mv, cap, sizeof *mv);
		}
		mv[n].id = sqlite3_column_int64(s, 0);
		mv[n].off = sqlite3_column_int64(s, 1);
		mv[n].len = sqlite3_column_int64(s, 2);
		live += SRC_REC_HEADER + mv[n].len;
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot list the sources");
		goto fail;
	}
	if (end - SRC_HEADER - live < min_holes || end - SRC_HEADER - live <= live) {
		free(mv);
		mb_store_rollback(st);
		return 0; /* not worth it */
	}
	if (src_open(st, gen, false, err) < 0)
		goto fail;
	newpath = src_path(st, gen + 1);
	oldpath = src_path(st, gen);
	src_file_header(head);
	fd = open(newpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || pwrite(fd, head, SRC_HEADER, 0) != SRC_HEADER) {
		src_errno_gen(st, gen + 1, err, fd < 0 || errno != 0 ? errno : ENOSPC,
		              "cannot write the cache's compacted sources");
		goto fail;
	}
	s = store_stmt(st, "UPDATE message_raw SET source_off = ? WHERE message_id = ?", err);
	if (s == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		pos = mv[i].off;
		sqlite3_bind_int64(s, 1, newend);
		sqlite3_bind_int64(s, 2, mv[i].id);
		if (src_copy(st->src_fd, &pos, fd, &newend, SRC_REC_HEADER + mv[i].len) < 0) {
			src_errno(st, err, errno, "cannot copy the cache's sources");
			goto fail;
		}
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			store_fail(st, err, rc, "cannot move a source");
			goto fail;
		}
	}
	/* the new file on disk before any commit points into it */
	if (fdatasync(fd) < 0) {
		src_errno_gen(st, gen + 1, err, errno, "cannot sync the cache's compacted sources");
		goto fail;
	}
	s = store_stmt(st,
	               "INSERT OR REPLACE INTO meta(key, value) VALUES ('sources_gen', ?), "
	               "('sources_end', ?), ('sources_holes', 0)",
	               err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, gen + 1);
	sqlite3_bind_int64(s, 2, newend);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot record the compacted sources");
		goto fail;
	}
	if (mb_store_commit(st, err) < 0) {
		unlink(newpath);
		goto out;
	}
	/* readers holding the old file read on from it; new ones open the new one */
	unlink(oldpath);
	*done = true;
	goto out;
fail:
	e = errno;
	mb_store_rollback(st);
	if (newpath != NULL)
		unlink(newpath);
	errno = e;
out:
	if (fd >= 0)
		close(fd);
	free(newpath);
	free(oldpath);
	free(mv);
	return *done ? 0 : -1;
}
