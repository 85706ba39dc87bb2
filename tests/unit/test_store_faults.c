/*
 * Unit tests: src/store under faults, with real processes and a real file
 * system: a second writer waits for the first (busy timeout) or gives up
 * with MB_ERR_BUSY; kill -9 during a stream of batch inserts leaves an
 * intact file with whole batches only; a full disk (a 2 MB tmpfs) gives a
 * clear error, rolls the batch back and leaves a usable cache, whether the
 * disk fills at a commit or in the middle of a batch. Each runs with WAL
 * and with the rollback journal of network file systems.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"
#include "store/private.h"
#include "tap.h"

#define KILL_ROUNDS 5
#define KILL_BATCH  25

static char tmpdir[] = "/tmp/mb-test-faults-XXXXXX";

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
set_mode(bool nfs)
{
	if (nfs)
		setenv("MAILBENCH_CACHE_ASSUME_NFS", "1", 1);
	else
		unsetenv("MAILBENCH_CACHE_ASSUME_NFS");
}

/* Read exactly n bytes unless EOF or an error comes first; the bytes read. */
static size_t
read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* Child: hold a write transaction for hold_ms, telling the parent once it holds it. */
static void __attribute__((noreturn)) hold_writer(const char *path, int fd, int hold_ms)
{
	struct mb_store *st;
	int64_t id;

	if (mb_store_open(&st, path, NULL) < 0 || mb_store_begin(st, NULL) < 0 ||
	    mb_store_account_ensure(st, "child", &id, NULL) < 0)
		_exit(1);
	if (write(fd, "L", 1) != 1)
		_exit(2);
	usleep((useconds_t)hold_ms * 1000);
	if (mb_store_commit(st, NULL) < 0)
		_exit(3);
	mb_store_close(st);
	_exit(0);
}

/* Fork a holder; returns its pid once it holds the lock (-1 if it failed). */
static pid_t
start_holder(const char *path, int hold_ms)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		hold_writer(path, p[1], hold_ms);
	}
	close(p[1]);
	if (pid < 0 || read_full(p[0], &c, 1) != 1) {
		close(p[0]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return -1;
	}
	close(p[0]);
	return pid;
}

static bool
child_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
test_busy(bool nfs)
{
	const char *mode = nfs ? "delete" : "wal";
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store_account_list al;
	struct mb_store *st;
	char path[600], want[800];
	double t0, waited;
	int64_t id;
	pid_t pid;
	int rc;

	set_mode(nfs);
	snprintf(path, sizeof path, "%s/busy-%s.db", tmpdir, mode);
	if (mb_store_open(&st, path, &err) < 0) {
		ok(0, "%s: open: %s", mode, err.msg);
		return;
	}
	is_str(mb_store_journal_mode(st), mode, "%s: journal mode", mode);

	/* the default timeout: the second writer waits and succeeds */
	pid = start_holder(path, 1000);
	ok(pid > 0, "%s: a child holds a write transaction for 1 s", mode);
	t0 = now_ms();
	ok(mb_store_account_list(st, &al, &err) == 0, "%s: reading meanwhile works", mode);
	mb_store_account_list_release(&al);
	diag("%s: a read during the other's write took %.1f ms", mode, now_ms() - t0);
	t0 = now_ms();
	rc = mb_store_account_ensure(st, "parent", &id, &err);
	waited = now_ms() - t0;
	ok(rc == 0, "%s: the parent's write succeeds: %s", mode, err.msg);
	ok(waited > 600 && waited < 5000, "%s: ... after waiting for the child (%.0f ms)", mode,
	   waited);
	ok(pid > 0 && child_ok(pid), "%s: the child committed too", mode);
	ok(mb_store_account_find(st, "child", &id, &err) == 0 && id != 0,
	   "%s: the child's row is there", mode);

	/* a tiny timeout: MB_ERR_BUSY with the message */
	mb_store_set_busy_timeout(st, 100);
	pid = start_holder(path, 1000);
	ok(pid > 0, "%s: the child holds the write lock again", mode);
	err = (struct mb_error)MB_ERROR_INIT;
	t0 = now_ms();
	rc = mb_store_account_ensure(st, "parent2", &id, &err);
	waited = now_ms() - t0;
	ok(rc < 0, "%s: with a 100 ms busy timeout the write fails", mode);
	is_int(err.kind, MB_ERR_BUSY, "%s: ... as busy", mode);
	snprintf(want, sizeof want, "the cache '%s' is busy: another mailbench is writing to it",
	         path);
	is_str(err.msg, want, "%s: ... with the message", mode);
	ok(waited < 900, "%s: ... without waiting for the holder (%.0f ms)", mode, waited);
	is_int(mb_store_depth(st), 0, "%s: no transaction is left open", mode);
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_begin(st, &err) < 0 && err.kind == MB_ERR_BUSY && mb_store_depth(st) == 0,
	   "%s: a batch cannot begin either", mode);
	ok(pid > 0 && child_ok(pid), "%s: the child finished", mode);
	mb_store_set_busy_timeout(st, MB_STORE_BUSY_TIMEOUT_DEFAULT);
	ok(mb_store_account_ensure(st, "parent2", &id, &err) == 0,
	   "%s: once it is gone the write works", mode);
	mb_store_close(st);
}

/* Several processes open a new cache at once: one creates it, all succeed. */
static void
test_first_open(bool nfs)
{
	const char *mode = nfs ? "delete" : "wal";
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st;
	char path[600];
	pid_t pids[6];
	int i, good = 0;
	int64_t id;

	set_mode(nfs);
	snprintf(path, sizeof path, "%s/first-%s/cache.db", tmpdir, mode);
	fflush(stdout);
	for (i = 0; i < 6; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char name[16];

			snprintf(name, sizeof name, "p%d", i);
			if (mb_store_open(&st, path, NULL) < 0 ||
			    mb_store_account_ensure(st, name, &id, NULL) < 0)
				_exit(1);
			mb_store_close(st);
			_exit(0);
		}
	}
	for (i = 0; i < 6; i++)
		if (pids[i] > 0 && child_ok(pids[i]))
			good++;
	is_int(good, 6, "%s: six processes opening a new cache at once all succeed", mode);
	if (mb_store_open(&st, path, &err) < 0) {
		ok(0, "%s: reopen: %s", mode, err.msg);
		return;
	}
	{
		struct mb_store_account_list al;

		ok(mb_store_account_list(st, &al, &err) == 0 && al.n == 6,
		   "%s: each wrote its row into one schema", mode);
		mb_store_account_list_release(&al);
	}
	ok(mb_store_check(st, false, &err) == 0, "%s: and the file is sound", mode);
	mb_store_close(st);
}

/* Child: insert batches of KILL_BATCH rows until killed, reporting each commit. */
static void __attribute__((noreturn)) insert_forever(const char *path, int fd, int first_batch)
{
	struct mb_store *st;
	struct mb_msg_in m;
	char raw[1500], body[64];
	int64_t acct, mbox;
	int b, i;

	if (mb_store_open(&st, path, NULL) < 0 ||
	    mb_store_account_ensure(st, "crash", &acct, NULL) < 0 ||
	    mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", "/", &mbox, NULL) < 0)
		_exit(1);
	memset(raw, 'x', sizeof raw);
	for (b = first_batch; b < first_batch + 100000; b++) {
		if (mb_store_begin(st, NULL) < 0)
			_exit(2);
		for (i = 0; i < KILL_BATCH; i++) {
			memset(&m, 0, sizeof m);
			snprintf(body, sizeof body, "batch %d row %d", b, i);
			m.mailbox_id = mbox;
			m.uid = (uint32_t)(b * KILL_BATCH + i + 1);
			m.size = -1;
			m.subject = body;
			m.from = "Crash Test <crash@example.org>";
			m.body_text = body;
			m.raw = raw;
			m.raw_len = sizeof raw;
			if (mb_store_msg_add(st, &m, NULL, NULL) < 0)
				_exit(3);
		}
		if (mb_store_commit(st, NULL) < 0)
			_exit(4);
		if (write(fd, &b, sizeof b) != (ssize_t)sizeof b)
			_exit(5);
	}
	_exit(0);
}

static void
test_kill(bool nfs)
{
	const char *mode = nfs ? "delete" : "wal";
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st;
	char path[600];
	int round, p[2], b, committed, killed_after, nbatches, partial, missing, *counts;
	uint32_t *uids;
	size_t n, i;
	int64_t acct, mbox;
	pid_t pid;
	double t0;

	set_mode(nfs);
	snprintf(path, sizeof path, "%s/kill-%s.db", tmpdir, mode);
	nbatches = (KILL_ROUNDS + 1) * 100000;
	counts = xcalloc((size_t)nbatches, sizeof *counts);
	for (round = 0; round < KILL_ROUNDS; round++) {
		char *reported = xcalloc(100000, 1);

		if (pipe(p) < 0)
			break;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			insert_forever(path, p[1], round * 100000);
		}
		close(p[1]);
		committed = 0;
		/* wait for the first commit, then kill at a random moment */
		if (read_full(p[0], &b, sizeof b) == sizeof b && b - round * 100000 < 100000) {
			reported[b - round * 100000] = 1;
			committed++;
		}
		killed_after = 20 + rand() % 400;
		t0 = now_ms();
		usleep((useconds_t)killed_after * 1000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (read_full(p[0], &b, sizeof b) == sizeof b)
			if (b - round * 100000 >= 0 && b - round * 100000 < 100000) {
				reported[b - round * 100000] = 1;
				committed++;
			}
		close(p[0]);
		ok(committed > 0,
		   "%s round %d: the child committed %d batches before kill -9 at %.0f ms", mode,
		   round + 1, committed, now_ms() - t0);

		err = (struct mb_error)MB_ERROR_INIT;
		if (mb_store_open(&st, path, &err) < 0) {
			ok(0, "%s round %d: reopen after kill -9: %s", mode, round + 1, err.msg);
			free(reported);
			continue;
		}
		ok(mb_store_check(st, false, &err) == 0,
		   "%s round %d: integrity_check, foreign keys and full-text index are ok: %s",
		   mode, round + 1, err.msg);
		memset(counts, 0, (size_t)nbatches * sizeof *counts);
		if (mb_store_account_find(st, "crash", &acct, &err) < 0 ||
		    mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", "/", &mbox, &err) <
		            0 ||
		    mb_store_msg_uids(st, mbox, &uids, &n, &err) < 0) {
			ok(0, "%s round %d: list the rows: %s", mode, round + 1, err.msg);
			mb_store_close(st);
			free(reported);
			continue;
		}
		for (i = 0; i < n; i++)
			if ((uids[i] - 1) / KILL_BATCH < (uint32_t)nbatches)
				counts[(uids[i] - 1) / KILL_BATCH]++;
		partial = missing = 0;
		for (b = 0; b < nbatches; b++)
			if (counts[b] != 0 && counts[b] != KILL_BATCH)
				partial++;
		for (b = 0; b < 100000; b++)
			if (reported[b] && counts[round * 100000 + b] != KILL_BATCH)
				missing++;
		is_int(partial, 0, "%s round %d: no half batch (each batch has 0 or %d rows)", mode,
		       round + 1, KILL_BATCH);
		is_int(missing, 0, "%s round %d: every committed batch is complete", mode,
		       round + 1);
		free(uids);
		mb_store_close(st);
		free(reported);
	}
	free(counts);
}

/* Make an own mount namespace so that the tmpfs is private and goes away with us. */
static void
private_mounts(void)
{
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* One incompressible 16 KB message with UID uid (its first byte is uid % 8). */
static int
add_big(struct mb_store *st, int64_t mbox, uint32_t uid, struct mb_error *err)
{
	static unsigned char raw[16384];
	static unsigned seed = 42;
	struct mb_msg_in m;
	size_t i;

	for (i = 0; i < sizeof raw; i++) {
		seed = seed * 1103515245u + 12345u;
		raw[i] = (unsigned char)(seed >> 16);
	}
	raw[0] = (unsigned char)(uid % 8);
	memset(&m, 0, sizeof m);
	m.mailbox_id = mbox;
	m.uid = uid;
	m.size = -1;
	m.subject = "filling the disk";
	m.raw = raw;
	m.raw_len = sizeof raw;
	return mb_store_msg_add(st, &m, NULL, err);
}

/*
 * Store a batch of n messages with UIDs from uid. When an insert fails,
 * check what a caller sees inside the doomed batch, then roll back.
 */
static int
add_batch(struct mb_store *st, int64_t mbox, uint32_t uid, int n, bool *at_commit,
          struct mb_error *err)
{
	struct mb_error again = MB_ERROR_INIT;
	int j;

	*at_commit = false;
	if (mb_store_begin(st, err) < 0)
		return -1;
	for (j = 0; j < n; j++) {
		if (add_big(st, mbox, uid + (uint32_t)j, err) < 0) {
			if (err->kind == MB_ERR_STORE && strstr(err->msg, "is full") != NULL) {
				is_int(mb_store_depth(st), 1,
				       "inside the batch: the caller's level is open");
				ok(add_big(st, mbox, uid + (uint32_t)n, &again) < 0 &&
				           strcmp(again.msg, err->msg) == 0,
				   "inside the batch: a further insert fails the same way");
				again = (struct mb_error)MB_ERROR_INIT;
				ok(mb_store_commit(st, &again) < 0 &&
				           strcmp(again.msg, err->msg) == 0,
				   "inside the batch: commit fails the same way");
				is_int(mb_store_depth(st), 0, "... and closes the batch");
			} else {
				mb_store_rollback(st);
			}
			return -1;
		}
	}
	*at_commit = true;
	return mb_store_commit(st, err);
}

/*
 * Fill a 2 MB tmpfs: batches of 8 messages until one fails. With spill, the
 * page cache is made tiny and the last batch too big for the disk, so the
 * failure comes from an insert inside the batch instead of its commit.
 */
static void
test_full(bool nfs, bool spill)
{
	const char *mode = nfs ? "delete" : "wal";
	const char *where = spill ? "inside a batch" : "at commit";
	struct mb_error err = MB_ERROR_INIT, fail = MB_ERROR_INIT;
	struct mb_store *st;
	struct mb_buf b = MB_BUF_INIT;
	char dir[] = "/tmp/mb-test-full-XXXXXX", path[600], filler[600], want[800];
	static char zeros[65536];
	int64_t acct, mbox, count, first_id;
	int batches = 0, i, fd;
	bool at_commit = false, failed = false;

	set_mode(nfs);
	if (mkdtemp(dir) == NULL) {
		ok(0, "%s: mkdtemp: %s", mode, strerror(errno));
		return;
	}
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") < 0) {
		ok(1, "%s %s: full disk # SKIP cannot mount a tmpfs: %s", mode, where,
		   strerror(errno));
		rmdir(dir);
		return;
	}
	snprintf(path, sizeof path, "%s/cache.db", dir);
	snprintf(filler, sizeof filler, "%s/filler", dir);
	/* 640 KB to free later: room for a batch, and for the search index the full check
	   builds (a file of its own, with its log) */
	fd = open(filler, O_CREAT | O_WRONLY, 0600);
	for (i = 0; i < 10; i++)
		if (write(fd, zeros, sizeof zeros) != (ssize_t)sizeof zeros)
			break;
	close(fd);
	if (mb_store_open(&st, path, &err) < 0) {
		ok(0, "%s %s: open the cache on a 2 MB tmpfs: %s", mode, where, err.msg);
		goto out;
	}
	is_str(mb_store_journal_mode(st), mode, "%s %s: journal mode on the tmpfs", mode, where);
	if (spill)
		sqlite3_exec(st->db, "PRAGMA cache_size = 8", NULL, NULL, NULL);
	mb_store_account_ensure(st, "full", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", "/", &mbox, &err);
	for (i = 0; i < 100; i++) {
		/* with spill: two small batches, then one of 3.2 MB */
		if (add_batch(st, mbox, (uint32_t)(i * 8 + 1), spill && i == 2 ? 200 : 8,
		              &at_commit, &fail) < 0) {
			failed = true;
			break;
		}
		batches++;
	}
	ok(failed, "%s %s: the disk fills up after %d batches (at %s)", mode, where, batches,
	   at_commit ? "commit" : "an insert");
	if (spill)
		ok(!at_commit, "%s %s: the failure came from an insert", mode, where);
	is_int(fail.kind, MB_ERR_STORE, "%s %s: a store error", mode, where);
	snprintf(want, sizeof want, "cache '%s' is full: no space left on device", path);
	is_str(fail.msg, want, "%s %s: with a clear message", mode, where);
	is_int(mb_store_depth(st), 0, "%s %s: the batch was rolled back", mode, where);
	count = -1;
	mb_store_msg_count(st, mbox, NULL, &count, &err);
	is_int(count, batches * 8, "%s %s: every committed row is there, none of the failed batch",
	       mode, where);
	ok(mb_store_check(st, true, &err) == 0, "%s %s: the file is intact while full", mode,
	   where);

	unlink(filler);
	ok(add_batch(st, mbox, 100000, 8, &at_commit, &err) == 0,
	   "%s %s: after freeing space the cache takes a batch again", mode, where);
	count = -1;
	mb_store_msg_count(st, mbox, NULL, &count, &err);
	is_int(count, batches * 8 + 8, "%s %s: with all rows", mode, where);
	ok(mb_store_check(st, false, &err) == 0, "%s %s: full check ok", mode, where);
	ok(mb_store_msg_find_uid(st, mbox, 1, &first_id, &err) == 0 &&
	           mb_store_msg_raw(st, first_id, &b, &err) == 0 && b.len == 16384 &&
	           (unsigned char)b.data[0] == 1,
	   "%s %s: the first message's source is intact", mode, where);
	if (err.kind != MB_OK)
		diag("last error: %s", err.msg);
	mb_buf_release(&b);
	mb_store_close(st);
out:
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

int
main(void)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	double start = now_ms();

	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	diag("random seed %u", seed);
	srand(seed);
	test_first_open(false);
	test_first_open(true);
	test_busy(false);
	test_busy(true);
	test_kill(false);
	test_kill(true);
	private_mounts();
	test_full(false, false);
	test_full(true, false);
	test_full(false, true);
	test_full(true, true);
	unsetenv("MAILBENCH_CACHE_ASSUME_NFS");
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	ok(now_ms() - start < 60000, "the whole test took under 60 s (%.1f s)",
	   (now_ms() - start) / 1000);
	return done_testing();
}
