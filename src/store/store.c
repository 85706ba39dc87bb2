/*
 * store.c: opening and closing the cache: its path and file, the journal
 * mode for the file system it lives on, the check that the file is a
 * mailbench cache, then durability and integrity checks. The SQL plumbing
 * (errors, statements, transactions) is in sql.c, the schema in schema.c,
 * the tables' operations in the other files of src/store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h"
#include "store/private.h"

/* statfs() f_type values of network file systems, where WAL must not be used. */
static const struct {
	uint32_t magic;
	const char *name;
} netfs_magic[] = {
        {0x6969, "nfs"},      {0x517B, "smb"},        {0xFF534D42, "cifs"}, {0xFE534D42, "smb2"},
        {0x65735546, "fuse"}, {0x5346414F, "afs"},    {0x73757245, "coda"}, {0x01021997, "9p"},
        {0x00C36400, "ceph"}, {0x0BD00BD0, "lustre"},
};

char *
mb_store_default_path(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	const struct passwd *pw;
	char *base, *path;
	size_t n;

	if (xdg != NULL && xdg[0] == '/') {
		base = xstrdup(xdg);
	} else {
		if (home == NULL || home[0] == '\0') {
			pw = getpwuid(getuid());
			home = pw != NULL && pw->pw_dir != NULL ? pw->pw_dir : "/";
		}
		base = xasprintf("%s/.local/share", home);
	}
	n = strlen(base);
	while (n > 1 && base[n - 1] == '/')
		base[--n] = '\0';
	path = xasprintf("%s/mailbench/cache.db", strcmp(base, "/") == 0 ? "" : base);
	free(base);
	return path;
}

/* Create the missing parent directories of path with mode 0700. */
static int
make_parents(const char *path, struct mb_error *err)
{
	char *p = xstrdup(path);
	struct stat sb;
	char *slash;
	int ret = 0;

	for (slash = strchr(p + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			ret = mb_error_set(err, MB_ERR_STORE, "cannot create directory '%s': %s", p,
			                   strerror(errno));
			break;
		}
		if (stat(p, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
			ret = mb_error_set(err, MB_ERR_STORE,
			                   "cannot create directory '%s': a file is in the way", p);
			break;
		}
		*slash = '/';
	}
	free(p);
	return ret;
}

/* Create the cache file with mode 0600 when it is missing; refuse non-files. */
static int
make_file(const char *path, struct mb_error *err)
{
	struct stat sb;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd >= 0) {
		/* the umask may have taken bits away; the owner needs both */
		if (fchmod(fd, 0600) < 0) {
			mb_error_set(err, MB_ERR_STORE, "cannot create cache '%s': %s", path,
			             strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return mb_error_set(err, MB_ERR_STORE, "cannot create cache '%s': %s", path,
		                    strerror(errno));
	if (stat(path, &sb) < 0)
		return mb_error_set(err, MB_ERR_STORE, "cannot open cache '%s': %s", path,
		                    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return mb_error_set(err, MB_ERR_STORE, "cannot open cache '%s': not a regular file",
		                    path);
	return 0;
}

/* Whether path lies on a network file system (or the environment says to assume so). */
static bool
on_network_fs(const char *path)
{
	const char *env = getenv("MAILBENCH_CACHE_ASSUME_NFS");
	struct statfs sfs;
	size_t i;

	if (env != NULL && strcmp(env, "1") == 0)
		return true;
	if (statfs(path, &sfs) < 0)
		return false;
	for (i = 0; i < sizeof netfs_magic / sizeof netfs_magic[0]; i++)
		if ((uint32_t)sfs.f_type == netfs_magic[i].magic)
			return true;
	return false;
}

/* Run a journal_mode PRAGMA (a query when set is NULL); the mode it names goes to mode. */
static int
journal_pragma(struct mb_store *st, const char *set, char *mode, size_t len)
{
	char sql[64];
	sqlite3_stmt *s;
	const char *m;
	int rc;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode%s%s", set != NULL ? "=" : "",
	         set != NULL ? set : "");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		m = (const char *)sqlite3_column_text(s, 0);
		snprintf(mode, len, "%s", m != NULL ? m : "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int
store_set_journal(struct mb_store *st, struct mb_error *err)
{
	const char *want = st->netfs ? "delete" : "wal";
	double deadline = mono_ms() + st->busy_ms;
	char mode[16] = "";
	int rc, attempt;

	/*
	 * A new cache gets 16 KiB pages (SQLite's default is 4 KiB): message sources are
	 * most of it, and fewer, larger overflow pages store and read them faster. This
	 * changes nothing in a cache that has pages already.
	 */
	if (store_exec(st, "PRAGMA page_size = 16384", err) < 0)
		return -1;
	/*
	 * Changing the journal mode takes an exclusive lock and SQLite does not
	 * wait for it (no busy handler), so wait here: when several mailbench
	 * processes open a new cache at once, all but one find it locked.
	 */
	for (attempt = 0;; attempt++) {
		rc = journal_pragma(st, NULL, mode, sizeof mode);
		if (rc == SQLITE_OK && strcmp(mode, want) == 0)
			break;
		if (rc == SQLITE_OK)
			rc = journal_pragma(st, want, mode, sizeof mode);
		if (rc == SQLITE_OK)
			break;
		if ((rc & 0xff) != SQLITE_BUSY || mono_ms() >= deadline || attempt >= 100000) {
			if ((rc & 0xff) == SQLITE_BUSY && st->netfs)
				return mb_error_set(
				        err, MB_ERR_BUSY,
				        "cannot switch cache '%s' to a rollback journal for a "
				        "network file system: another mailbench has it open",
				        st->path);
			return store_fail(st, err, rc, "cannot set the journal mode");
		}
		usleep(10000);
	}
	st->wal = strcmp(mode, "wal") == 0;
	return store_exec(st, st->wal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
	                  err);
}

int
store_open_raw(struct mb_store **out, const char *path, struct mb_error *err)
{
	struct mb_store *st = xcalloc(1, sizeof *st);
	int rc;

	*out = NULL;
	st->path = xstrdup(path);
	st->busy_ms = MB_STORE_BUSY_TIMEOUT_DEFAULT;
	st->netfs = on_network_fs(path);
	st->src_fd = -1;
	st->src_end = -1;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		mb_error_set(err, MB_ERR_STORE, "cannot open cache '%s': %s", path,
		             st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		mb_error_set(err, MB_ERR_STORE, "cannot open cache '%s': it is read-only", path);
		goto fail;
	}
	if (store_exec(st, "PRAGMA foreign_keys=ON", err) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	mb_store_close(st);
	return -1;
}

/* Refuse an SQLite file that belongs to another program, or to a newer mailbench. */
static int
check_ours(struct mb_store *st, struct mb_error *err)
{
	int64_t app, version, ntables;
	sqlite3_stmt *s;
	int rc;

	/* one statement, so one snapshot: another process may be creating the schema */
	s = store_stmt(st,
	               "SELECT (SELECT application_id FROM pragma_application_id), "
	               "(SELECT user_version FROM pragma_user_version), "
	               "(SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' "
	               "ESCAPE '\\')",
	               err);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	app = sqlite3_column_int64(s, 0);
	version = sqlite3_column_int64(s, 1);
	ntables = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, rc, "cannot read the cache's header");
	if (version > store_nmigrations)
		return mb_error_set(
		        err, MB_ERR_STORE,
		        "cache '%s' was written by a newer mailbench (schema %lld, this one "
		        "knows %d)",
		        st->path, (long long)version, store_nmigrations);
	if (app == STORE_APPLICATION_ID || (app == 0 && version == 0 && ntables == 0))
		return 0;
	return mb_error_set(err, MB_ERR_STORE,
	                    "cache '%s' is an SQLite database of another program, not a mailbench "
	                    "cache",
	                    st->path);
}

int
mb_store_open(struct mb_store **out, const char *path, struct mb_error *err)
{
	struct mb_store *st;
	char *def = NULL;
	int ret = -1;

	*out = NULL;
	if (path == NULL)
		path = def = mb_store_default_path();
	if (path[0] == '\0') {
		mb_error_set(err, MB_ERR_STORE, "cannot open cache '': empty file name");
		goto out;
	}
	if (make_parents(path, err) < 0 || make_file(path, err) < 0)
		goto out;
	if (store_open_raw(&st, path, err) < 0)
		goto out;
	/* the header is read first: a file that is not a database fails here */
	if (check_ours(st, err) < 0 || store_set_journal(st, err) < 0 ||
	    store_migrate(st, store_migrations, store_nmigrations, err) < 0) {
		mb_store_close(st);
		goto out;
	}
	*out = st;
	ret = 0;
out:
	free(def);
	return ret;
}

void
mb_store_close(struct mb_store *st)
{
	int i;

	if (st == NULL)
		return;
	if (st->db != NULL) {
		mb_store_bulk_end(st);
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		for (i = 0; i < st->ncache; i++) {
			sqlite3_finalize(st->cache[i].stmt);
			free(st->cache[i].sql);
		}
		sqlite3_close_v2(st->db);
	}
	store_sources_close(st);
	store_fts_close(st);
	free(st->path);
	free(st);
}

const char *
mb_store_path(const struct mb_store *st)
{
	return st->path;
}

const char *
mb_store_journal_mode(const struct mb_store *st)
{
	return st->wal ? "wal" : "delete";
}

bool
mb_store_on_network_fs(const struct mb_store *st)
{
	return st->netfs;
}

void
mb_store_set_busy_timeout(struct mb_store *st, int ms)
{
	st->busy_ms = ms < 0 ? 0 : ms;
	sqlite3_busy_timeout(st->db, st->busy_ms);
}

int
mb_store_make_durable(struct mb_store *st, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	if (st->depth > 0)
		return mb_error_set(
		        err, MB_ERR_INTERNAL,
		        "cannot make the cache durable inside a batch: commit it first");
	/* the sources first, so that no commit on disk points past the sources on disk */
	if (store_sources_sync(st, err) < 0)
		return -1;
	if (!st->wal)
		return 0; /* synchronous=FULL with a rollback journal: every commit is synced */
	if (store_exec(st, "PRAGMA synchronous=FULL", err) < 0)
		return -1;
	if (mb_store_begin(st, err) < 0)
		goto out;
	s = store_stmt(st, "INSERT OR REPLACE INTO meta(key, value) VALUES('durable_at', ?)", err);
	if (s == NULL) {
		mb_store_rollback(st);
		goto out;
	}
	sqlite3_bind_int64(s, 1, store_now_us());
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot make the cache durable");
		mb_store_rollback(st);
		goto out;
	}
	/* this commit syncs the WAL, and with it every frame committed before */
	ret = mb_store_commit(st, err);
out:
	rc = sqlite3_exec(st->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK && ret == 0)
		ret = store_fail(st, err, rc, "cannot restore synchronous=NORMAL");
	return ret;
}

/* Run a check PRAGMA; its rows other than "ok" are appended to problems. */
static int
check_rows(struct mb_store *st, const char *sql, struct mb_buf *problems, int *nproblems,
           struct mb_error *err)
{
	sqlite3_stmt *s;
	const char *t;
	int rc, i;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, err, rc, "cannot check the cache");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(s, 0);
		if (sqlite3_column_count(s) == 1 && t != NULL && strcmp(t, "ok") == 0)
			continue;
		if (++*nproblems > 3)
			continue;
		if (problems->len > 0)
			mb_buf_addstr(problems, "; ");
		for (i = 0; i < sqlite3_column_count(s); i++) {
			t = (const char *)sqlite3_column_text(s, i);
			mb_buf_addf(problems, "%s%s", i > 0 ? " " : "", t != NULL ? t : "NULL");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot check the cache");
	return 0;
}

int
mb_store_check(struct mb_store *st, bool quick, struct mb_error *err)
{
	struct mb_buf problems = MB_BUF_INIT;
	int n = 0, ret = -1;

	if (check_rows(st, quick ? "PRAGMA quick_check" : "PRAGMA integrity_check", &problems, &n,
	               err) < 0)
		goto out;
	if (!quick) {
		if (check_rows(st, "PRAGMA foreign_key_check", &problems, &n, err) < 0)
			goto out;
		if (store_fts_check(st, &problems, &n, err) < 0)
			goto out;
		if (store_sources_check(st, &problems, &n, err) < 0)
			goto out;
	}
	if (n == 0)
		ret = 0;
	else
		mb_error_set(err, MB_ERR_STORE, "cache '%s' is damaged: %s%s", st->path,
		             problems.data, n > 3 ? "; ..." : "");
out:
	mb_buf_release(&problems);
	return ret;
}
