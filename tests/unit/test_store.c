/*
 * Unit tests: src/store (the SQLite cache): paths and file modes, schema
 * migrations, journal modes, messages, raw sources, full-text search,
 * outbox, drafts, sessions and transcripts, certificate pins, batches.
 * Paging over 100 000 rows is in test_store_paging.c, concurrency, crashes
 * and a full disk in test_store_faults.c.
 */
#include "config.h"

#include <fcntl.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"
#include "store/private.h"
#include "tap.h"

static char tmpdir[] = "/tmp/mb-test-store-XXXXXX";

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path inside the test directory (static buffer rotation, 8 deep). */
static const char *
tpath(const char *name)
{
	static char bufs[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(bufs[i], sizeof bufs[i], "%s/%s", tmpdir, name);
	return bufs[i];
}

static struct mb_store *
open_or_die(const char *path)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st;

	if (mb_store_open(&st, path, &err) < 0) {
		printf("Bail out! cannot open '%s': %s\n", path, err.msg);
		exit(1);
	}
	return st;
}

/* How many statements of the handle are mid-step (a leaked read transaction). */
static int
busy_statements(struct mb_store *st)
{
	sqlite3_stmt *s = NULL;
	int n = 0;

	while ((s = sqlite3_next_stmt(st->db, s)) != NULL)
		if (sqlite3_stmt_busy(s))
			n++;
	return n;
}

/* One integer from SQL on the store's own connection. */
static long long
sql_int(struct mb_store *st, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Run SQL on a separate plain SQLite connection to path. */
static int
side_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void
test_paths(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st;
	struct stat sb;
	char *p;
	int fd;

	setenv("XDG_DATA_HOME", tpath("xdg"), 1);
	p = mb_store_default_path();
	is_str(p, tpath("xdg/mailbench/cache.db"), "default path under XDG_DATA_HOME");
	free(p);
	setenv("XDG_DATA_HOME", tpath("xdg/"), 1);
	p = mb_store_default_path();
	is_str(p, tpath("xdg/mailbench/cache.db"), "a trailing slash in XDG_DATA_HOME is dropped");
	free(p);
	setenv("HOME", tpath("home"), 1);
	setenv("XDG_DATA_HOME", "relative/dir", 1);
	p = mb_store_default_path();
	is_str(p, tpath("home/.local/share/mailbench/cache.db"),
	       "a relative XDG_DATA_HOME is ignored (XDG spec)");
	free(p);
	unsetenv("XDG_DATA_HOME");
	p = mb_store_default_path();
	is_str(p, tpath("home/.local/share/mailbench/cache.db"), "default path under HOME");
	free(p);

	/* the default path, nothing existing yet, with a permissive umask */
	umask(022);
	ok(mb_store_open(&st, NULL, &err) == 0, "open the default path: %s", err.msg);
	if (st != NULL)
		is_str(mb_store_path(st), tpath("home/.local/share/mailbench/cache.db"),
		       "the store says which file it uses");
	mb_store_close(st);
	ok(stat(tpath("home/.local/share/mailbench/cache.db"), &sb) == 0 && S_ISREG(sb.st_mode),
	   "the cache file was created");
	is_int(sb.st_mode & 0777, 0600, "the cache file has mode 0600");
	ok(stat(tpath("home/.local/share/mailbench"), &sb) == 0, "the mailbench directory exists");
	is_int(sb.st_mode & 0777, 0700, "created directories have mode 0700");
	ok(stat(tpath("home/.local"), &sb) == 0 && (sb.st_mode & 0777) == 0700,
	   "every created parent has mode 0700");

	/* --cache with missing directories */
	ok(mb_store_open(&st, tpath("c/d/e/my.db"), &err) == 0, "open a path with missing dirs: %s",
	   err.msg);
	mb_store_close(st);
	ok(stat(tpath("c/d/e/my.db"), &sb) == 0 && (sb.st_mode & 0777) == 0600,
	   "the given file is created with mode 0600");

	/* an existing directory keeps its mode */
	mkdir(tpath("open"), 0755);
	chmod(tpath("open"), 0755);
	ok(mb_store_open(&st, tpath("open/x.db"), &err) == 0, "open inside an existing directory");
	mb_store_close(st);
	ok(stat(tpath("open"), &sb) == 0 && (sb.st_mode & 0777) == 0755,
	   "an existing directory's mode is left alone");

	/* failures */
	fd = open(tpath("afile"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_open(&st, tpath("afile/sub/cache.db"), &err) < 0 && st == NULL,
	   "a file where a directory should be is an error");
	is_int(err.kind, MB_ERR_STORE, "... of kind store");
	like(err.msg, tpath("afile"), "... naming the path");
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_open(&st, tpath("open"), &err) < 0, "a directory as the cache is an error");
	like(err.msg, "not a regular file", "... saying so: %s", err.msg);
	ok(mb_store_open(&st, "", &err) < 0, "an empty path is an error");
}

static const struct store_migration test_steps[] = {
        {"t1", "CREATE TABLE t1(a);"},
        {"t2", "CREATE TABLE t2(b); INSERT INTO t1 VALUES (1);"},
        {"t3", "CREATE TABLE t3(c);"},
        {"bad", "CREATE TABLE t4(d); CREATE TABLE t1(x);"},
};

static void
test_migrations(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st;
	const char *path = tpath("mig.db");
	int64_t acct, again;
	int fd;

	/* the migration runner on its own steps */
	fd = open(tpath("steps.db"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	ok(store_open_raw(&st, tpath("steps.db"), &err) == 0, "raw open");
	ok(store_migrate(st, test_steps, 2, &err) == 0, "migrate an empty db to 2 steps");
	is_int(sql_int(st, "PRAGMA user_version"), 2, "user_version counts the steps");
	is_int(sql_int(st, "SELECT count(*) FROM t1"), 1, "both steps ran");
	ok(store_migrate(st, test_steps, 3, &err) == 0, "a later step is applied on top");
	is_int(sql_int(st, "PRAGMA user_version"), 3, "user_version is 3");
	ok(store_migrate(st, test_steps, 3, &err) == 0, "migrating again is a no-op");
	is_int(sql_int(st, "SELECT count(*) FROM t1"), 1, "no step ran twice");
	ok(store_migrate(st, test_steps, 4, &err) < 0, "a failing step fails");
	like(err.msg, "to schema 4 (bad)", "... naming the step: %s", err.msg);
	is_int(sql_int(st, "PRAGMA user_version"), 3, "... and leaves the version");
	is_int(sql_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 't4'"), 0,
	       "... and none of its work");
	is_int(mb_store_depth(st), 0, "... and no transaction open");
	ok(store_migrate(st, test_steps, 2, &err) < 0, "a db newer than the steps is refused");
	like(err.msg, "(schema 3, this one knows 2)", "... with both versions: %s", err.msg);
	mb_store_close(st);

	/* the real schema */
	st = open_or_die(path);
	is_int(sql_int(st, "PRAGMA user_version"), MB_STORE_SCHEMA_VERSION,
	       "a new cache is at the current schema version");
	is_int(sql_int(st, "PRAGMA application_id"), STORE_APPLICATION_ID,
	       "a new cache carries mailbench's application_id");
	is_int(sql_int(st, "PRAGMA foreign_keys"), 1, "foreign keys are on");
	ok(mb_store_account_ensure(st, "work", &acct, &err) == 0, "add an account");
	mb_store_close(st);
	st = open_or_die(path);
	is_int(sql_int(st, "PRAGMA user_version"), MB_STORE_SCHEMA_VERSION,
	       "reopening keeps the version");
	ok(mb_store_account_find(st, "work", &again, &err) == 0 && again == acct,
	   "reopening keeps the data");
	mb_store_close(st);

	/* newer */
	ok(side_exec(path, "PRAGMA user_version = 99") == 0, "pretend a newer mailbench wrote it");
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_open(&st, path, &err) < 0 && st == NULL, "a newer cache is refused");
	is_int(err.kind, MB_ERR_STORE, "... as a store error");
	{
		char want[600];

		snprintf(want, sizeof want,
		         "cache '%s' was written by a newer mailbench (schema 99, this one knows "
		         "%d)",
		         path, MB_STORE_SCHEMA_VERSION);
		is_str(err.msg, want, "... with the versions in the message");
	}

	/* not a database */
	{
		FILE *f = fopen(tpath("junk.db"), "w");
		int i;

		for (i = 0; i < 100; i++)
			fputs("this is not an SQLite database, just text\n", f);
		fclose(f);
	}
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_open(&st, tpath("junk.db"), &err) < 0,
	   "a file that is not a database is refused");
	is_int(err.kind, MB_ERR_STORE, "... as a store error");
	like(err.msg, tpath("junk.db"), "... naming the file: %s", err.msg);
	like(err.msg, "not a database", "... and what is wrong");

	/* someone else's database */
	ok(side_exec(tpath("other.db"),
	             "CREATE TABLE songs(title); INSERT INTO songs VALUES('x')") == 0,
	   "make another program's database");
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_open(&st, tpath("other.db"), &err) < 0,
	   "another program's database is refused");
	like(err.msg, "not a mailbench cache", "... saying so: %s", err.msg);
}

static void
test_journal(void)
{
	struct mb_store *st;

	unsetenv("MAILBENCH_CACHE_ASSUME_NFS");
	st = open_or_die(tpath("j.db"));
	is_str(mb_store_journal_mode(st), "wal", "WAL on a local file system");
	ok(!mb_store_on_network_fs(st), "not a network file system");
	is_int(sql_int(st, "PRAGMA synchronous"), 1, "synchronous=NORMAL with WAL");
	is_int(sql_int(st, "PRAGMA busy_timeout"), MB_STORE_BUSY_TIMEOUT_DEFAULT,
	       "busy timeout defaults to 10 s");
	mb_store_set_busy_timeout(st, 250);
	is_int(sql_int(st, "PRAGMA busy_timeout"), 250, "the busy timeout can be changed");
	{
		struct mb_error err = MB_ERROR_INIT;
		struct stat sb;
		int64_t id;

		umask(022);
		mb_store_account_ensure(st, "x", &id, &err);
		ok(stat(tpath("j.db-wal"), &sb) == 0 && (sb.st_mode & 0777) == 0600,
		   "the WAL file (it holds mail too) has mode 0600");
		ok(stat(tpath("j.db-shm"), &sb) == 0 && (sb.st_mode & 0777) == 0600,
		   "so has the shared-memory file");
	}
	mb_store_close(st);

	setenv("MAILBENCH_CACHE_ASSUME_NFS", "1", 1);
	st = open_or_die(tpath("nfs.db"));
	is_str(mb_store_journal_mode(st), "delete", "journal_mode=DELETE on (assumed) NFS");
	ok(mb_store_on_network_fs(st), "the store says it is on a network file system");
	is_int(sql_int(st, "PRAGMA synchronous"), 2, "synchronous=FULL without WAL");
	mb_store_close(st);
	st = open_or_die(tpath("j.db"));
	is_str(mb_store_journal_mode(st), "delete", "a WAL cache moved to NFS leaves WAL");
	mb_store_close(st);
	ok(access(tpath("j.db-wal"), F_OK) < 0, "... and its WAL file is gone");
	unsetenv("MAILBENCH_CACHE_ASSUME_NFS");
	st = open_or_die(tpath("j.db"));
	is_str(mb_store_journal_mode(st), "wal", "... and back on a local disk it is WAL again");
	mb_store_close(st);
}

/* Schema 8 undone: the full-text index back in the cache, as schema 7 had it. */
#define SCHEMA_7_FTS                                                                         \
	"DROP TRIGGER messages_max_deleted;"                                                 \
	"DELETE FROM meta WHERE key IN ('fts_token', 'max_deleted_id');"                     \
	"CREATE VIEW message_fts_src AS SELECT m.id AS id, m.from_text AS from_text, "       \
	"m.to_text AS to_text, m.cc_text AS cc_text, m.subject AS subject, "                 \
	"coalesce(t.body, '') AS body FROM messages m LEFT JOIN message_text t ON "          \
	"t.message_id = m.id;"                                                               \
	"CREATE VIRTUAL TABLE message_fts USING fts5(from_text, to_text, cc_text, subject, " \
	"body, content = 'message_fts_src', content_rowid = 'id', "                          \
	"tokenize = 'unicode61 remove_diacritics 2');"                                       \
	"INSERT INTO message_fts(message_fts) VALUES ('rebuild');"                           \
	"CREATE TRIGGER messages_fts_delete BEFORE DELETE ON messages BEGIN "                \
	"INSERT INTO message_fts(message_fts, rowid, from_text, to_text, cc_text, subject, " \
	"body) VALUES ('delete', old.id, old.from_text, old.to_text, old.cc_text, "          \
	"old.subject, coalesce((SELECT body FROM message_text WHERE message_id = "           \
	"old.id), '')); END;"

/* One integer from SQL on the search index's connection (opened if need be). */
static long long
fts_int(struct mb_store *st, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (store_fts_open(st, NULL) < 0 || sqlite3_prepare_v2(st->fts, sql, -1, &s, NULL) != 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* A message with a distinct value in every field. */
static void
fill_msg(struct mb_msg_in *m, int64_t mbox, uint32_t uid, const char *uidl, const char *from,
         const char *subject, const char *body)
{
	memset(m, 0, sizeof *m);
	m->mailbox_id = mbox;
	m->uid = uid;
	m->uidl = uidl;
	m->size = -1;
	m->flags = 0;
	m->modseq = 7;
	m->internaldate = 1700000000 + uid;
	m->date = 1600000000 + uid;
	m->date_text = "Mon, 14 Sep 2020 12:26:40 +0000";
	m->from = from;
	m->to = "Bob <bob@example.org>";
	m->cc = "Carol <carol@example.org>";
	m->subject = subject;
	m->message_id = "<id@example.org>";
	m->in_reply_to = "<parent@example.org>";
	m->references = "<root@example.org> <parent@example.org>";
	m->has_attachments = true;
	m->raw = "Subject: x\r\n\r\nbody\r\n";
	m->raw_len = strlen(m->raw);
	m->body_text = body;
}

static void
test_messages(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("msg.db"));
	struct mb_msg_in m;
	struct mb_msg g;
	struct mb_msg_trace tr;
	struct mb_mailbox mb;
	struct mb_mailbox_list ml;
	struct mb_store_account_list al;
	const char *received[] = {"from b by c; Mon, 1 Jan 2024", "from a by b; Mon, 1 Jan 2024"};
	int64_t acct, acct2, inbox, pop, id1, id2, id, other, count;
	uint32_t *uids, maxuid;
	char **uidls;
	size_t n, deleted;

	ok(mb_store_account_ensure(st, "work", &acct, &err) == 0 && acct > 0, "ensure an account");
	ok(mb_store_account_ensure(st, "work", &acct2, &err) == 0 && acct2 == acct,
	   "ensuring it again gives the same id");
	ok(mb_store_account_ensure(st, "", &acct2, &err) < 0, "an account needs a name");
	ok(mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", "/", &inbox, &err) == 0,
	   "ensure an IMAP mailbox");
	ok(mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", "/", &id, &err) == 0 &&
	           id == inbox,
	   "ensuring it again gives the same id");
	ok(mb_store_mailbox_ensure(st, acct, MB_STORE_POP3, "INBOX", NULL, &pop, &err) == 0 &&
	           pop != inbox,
	   "the POP3 INBOX is another mailbox");
	ok(mb_store_mailbox_ensure(st, 9999, MB_STORE_IMAP, "X", NULL, &id, &err) < 0 &&
	           err.kind == MB_ERR_NOTFOUND,
	   "a mailbox needs an existing account");

	fill_msg(&m, inbox, 1, NULL, "Alice <alice@example.org>", "Hello", "first body");
	m.return_path = "<alice@example.org>";
	m.delivered_to = "bob@example.org";
	m.authentication_results = "mx.example.org; spf=pass";
	m.received = received;
	m.nreceived = 2;
	ok(mb_store_msg_add(st, &m, &id1, &err) == 0 && id1 > 0, "store message UID 1: %s",
	   err.msg);
	fill_msg(&m, inbox, 2, NULL, "Bob <bob@example.org>", "Second", NULL);
	m.flags = MB_FLAG_SEEN | MB_FLAG_FLAGGED;
	m.size = 12345;
	ok(mb_store_msg_add(st, &m, &id2, &err) == 0, "store message UID 2");
	fill_msg(&m, inbox, 3, NULL, "Carl <carl@example.org>", "Third", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) == 0, "store message UID 3 (id not wanted)");

	ok(mb_store_msg_find_uid(st, inbox, 2, &id, &err) == 0 && id == id2, "find by UID");
	ok(mb_store_msg_find_uid(st, inbox, 99, &id, &err) == 0 && id == 0,
	   "an absent UID is found as 0, not an error");
	ok(mb_store_msg_get(st, id1, &g, &err) == 0, "get by id");
	is_int(g.uid, 1, "uid");
	is_str(g.uidl, "", "no uidl reads as empty");
	is_int(g.account_id, acct, "the account comes from the mailbox");
	is_int(g.mailbox_id, inbox, "mailbox");
	is_int(g.size, (long long)strlen(m.raw), "size -1 means the raw length");
	is_int(g.modseq, 7, "modseq");
	is_int(g.internaldate, 1700000001, "internaldate");
	is_int(g.date, 1600000001, "date");
	ok(g.fetched_at > 1600000000, "fetched_at is set");
	is_str(g.date_text, "Mon, 14 Sep 2020 12:26:40 +0000", "date_text");
	is_str(g.from, "Alice <alice@example.org>", "from");
	is_str(g.to, "Bob <bob@example.org>", "to");
	is_str(g.cc, "Carol <carol@example.org>", "cc");
	is_str(g.subject, "Hello", "subject");
	is_str(g.message_id, "<id@example.org>", "message_id");
	is_str(g.in_reply_to, "<parent@example.org>", "in_reply_to");
	is_str(g.references, "<root@example.org> <parent@example.org>", "references");
	ok(g.has_attachments, "has_attachments");
	is_int(g.session_id, 0, "no session given: 0");
	mb_msg_release(&g);

	/* the session that fetched a message; deleting the session unlinks it */
	{
		struct mb_session_in si = {.account = "work",
		                           .protocol = MB_STORE_IMAP,
		                           .host = "imap.example.org",
		                           .port = 143,
		                           .security = "none"};
		int64_t sid = 0, idx = 0;

		ok(mb_store_session_begin(st, &si, &sid, &err) == 0, "a fetching session");
		fill_msg(&m, inbox, 40, NULL, "Dan <dan@example.org>", "Linked", NULL);
		m.session_id = sid;
		ok(mb_store_msg_add(st, &m, &idx, &err) == 0, "store a message with its session");
		ok(mb_store_msg_get(st, idx, &g, &err) == 0 && g.session_id == sid,
		   "the message names the session that fetched it");
		mb_msg_release(&g);
		ok(mb_store_session_delete(st, sid, &err) == 0, "delete that session");
		ok(mb_store_msg_get(st, idx, &g, &err) == 0 && g.session_id == 0,
		   "the message stays, without the link");
		mb_msg_release(&g);
		ok(mb_store_msg_delete(st, idx, &err) == 0, "and goes when asked");
		m.session_id = 0;
	}
	ok(mb_store_msg_get(st, id2, &g, &err) == 0 && g.size == 12345 &&
	           g.flags == (MB_FLAG_SEEN | MB_FLAG_FLAGGED),
	   "size and flags as given");
	mb_msg_release(&g);
	ok(mb_store_msg_get(st, 424242, &g, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "getting an absent id is not found");

	ok(mb_store_msg_trace(st, id1, &tr, &err) == 0, "read the trace");
	is_str(tr.return_path, "<alice@example.org>", "return_path");
	is_str(tr.delivered_to, "bob@example.org", "delivered_to");
	is_str(tr.authentication_results, "mx.example.org; spf=pass", "authentication_results");
	is_int(tr.nreceived, 2, "two Received values");
	if (tr.nreceived == 2) {
		is_str(tr.received[0], received[0], "Received values in order (1)");
		is_str(tr.received[1], received[1], "Received values in order (2)");
	}
	mb_msg_trace_release(&tr);
	ok(mb_store_msg_trace(st, id2, &tr, &err) == 0 && tr.nreceived == 0 &&
	           strcmp(tr.return_path, "") == 0 && tr.received != NULL && tr.received[0] == NULL,
	   "a message without trace reads as empty");
	mb_msg_trace_release(&tr);

	/* duplicates */
	fill_msg(&m, inbox, 2, NULL, "Mallory <m@evil.example>", "Overwrite?", NULL);
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_msg_add(st, &m, &id, &err) < 0, "a duplicate UID is refused");
	is_int(err.kind, MB_ERR_STORE, "... as a store error");
	like(err.msg, "UID 2", "... naming the UID: %s", err.msg);
	like(err.msg, "'INBOX'", "... and the mailbox");
	ok(mb_store_msg_get(st, id2, &g, &err) == 0 && strcmp(g.from, "Bob <bob@example.org>") == 0,
	   "the first copy is untouched");
	mb_msg_release(&g);
	is_int(mb_store_depth(st), 0, "no transaction is left open");

	/* a duplicate inside a batch undoes only itself */
	ok(mb_store_begin(st, &err) == 0, "begin a batch");
	fill_msg(&m, inbox, 4, NULL, "D <d@example.org>", "Four", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) == 0, "batch: UID 4");
	fill_msg(&m, inbox, 2, NULL, "D <d@example.org>", "Dup", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) < 0, "batch: duplicate UID 2 refused");
	fill_msg(&m, inbox, 5, NULL, "E <e@example.org>", "Five", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) == 0, "batch: UID 5 after the refusal");
	ok(mb_store_commit(st, &err) == 0, "commit the batch: %s", err.msg);
	ok(mb_store_msg_uids(st, inbox, &uids, &n, &err) == 0, "list UIDs");
	ok(n == 5 && uids[0] == 1 && uids[1] == 2 && uids[2] == 3 && uids[3] == 4 && uids[4] == 5,
	   "UIDs 1..5 ascending");
	free(uids);

	/* POP3 */
	fill_msg(&m, pop, 0, "abc-1", "P <p@example.org>", "Pop one", NULL);
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "store a POP3 message by UIDL");
	fill_msg(&m, pop, 0, "abc-0", "P <p@example.org>", "Pop zero", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) == 0, "store another");
	ok(mb_store_msg_find_uidl(st, pop, "abc-1", &other, &err) == 0 && other == id,
	   "find by UIDL");
	ok(mb_store_msg_find_uidl(st, inbox, "abc-1", &other, &err) == 0 && other == 0,
	   "UIDLs are per mailbox");
	fill_msg(&m, pop, 0, "abc-1", "P <p@example.org>", "Pop dup", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) < 0 && err.kind == MB_ERR_STORE,
	   "a duplicate UIDL is refused");
	like(err.msg, "UIDL 'abc-1'", "... naming the UIDL: %s", err.msg);
	ok(mb_store_msg_uidls(st, pop, &uidls, &n, &err) == 0 && n == 2 &&
	           strcmp(uidls[0], "abc-0") == 0 && strcmp(uidls[1], "abc-1") == 0 &&
	           uidls[2] == NULL,
	   "list UIDLs, sorted");
	mb_strv_free(uidls);
	fill_msg(&m, pop, 0, NULL, "P <p@example.org>", "No id", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) < 0 && err.kind == MB_ERR_INPUT,
	   "a message without UID and UIDL is refused");
	fill_msg(&m, 777, 1, NULL, "P <p@example.org>", "No mailbox", NULL);
	ok(mb_store_msg_add(st, &m, NULL, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "a message for an absent mailbox is refused");
	ok(mb_store_msg_delete_uidl(st, pop, "abc-0", &err) == 0, "delete by UIDL");
	ok(mb_store_msg_delete_uidl(st, pop, "abc-0", &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "deleting it again is not found");

	/* counts, flags */
	ok(mb_store_mailbox_get(st, inbox, &mb, &err) == 0, "read the mailbox");
	is_int(mb.total, 5, "total maintained");
	is_int(mb.unread, 4, "unread maintained");
	is_str(mb.delimiter, "/", "delimiter");
	is_int(mb.protocol, MB_STORE_IMAP, "protocol");
	mb_mailbox_release(&mb);
	ok(mb_store_msg_set_flags(st, inbox, 1, MB_FLAG_SEEN | MB_FLAG_ANSWERED, 99, &err) == 0,
	   "set flags and modseq by UID");
	ok(mb_store_msg_get(st, id1, &g, &err) == 0 &&
	           g.flags == (MB_FLAG_SEEN | MB_FLAG_ANSWERED) && g.modseq == 99,
	   "flags and modseq changed");
	mb_msg_release(&g);
	ok(mb_store_msg_set_flags(st, inbox, 1, MB_FLAG_SEEN, 0, &err) == 0 &&
	           mb_store_msg_get(st, id1, &g, &err) == 0 && g.modseq == 99 &&
	           g.flags == MB_FLAG_SEEN,
	   "modseq 0 leaves the modseq");
	mb_msg_release(&g);
	ok(mb_store_msg_set_flags(st, inbox, 55, MB_FLAG_SEEN, 0, &err) < 0 &&
	           err.kind == MB_ERR_NOTFOUND,
	   "flags of an absent UID: not found");
	ok(mb_store_msg_set_flags_id(st, id2, 0, &err) == 0, "set flags by id");
	ok(mb_store_mailbox_get(st, inbox, &mb, &err) == 0 && mb.unread == 4 && mb.total == 5,
	   "unread follows flag changes");
	mb_mailbox_release(&mb);
	ok(mb_store_msg_max_uid(st, inbox, &maxuid, &err) == 0 && maxuid == 5, "max UID");
	ok(mb_store_msg_max_uid(st, 4242, &maxuid, &err) == 0 && maxuid == 0,
	   "max UID of an empty mailbox is 0");
	ok(mb_store_msg_count(st, inbox, NULL, &count, &err) == 0 && count == 5, "count");
	ok(mb_store_msg_count(st, inbox, "ALICE", &count, &err) == 0 && count == 1,
	   "count with a filter (case-insensitive)");
	ok(mb_store_msg_count(st, inbox, "%", &count, &err) == 0 && count == 0,
	   "a filter's %% is literal");

	/* deletes */
	{
		uint32_t del[] = {3, 99, 4};

		ok(mb_store_msg_delete_uids(st, inbox, del, 3, &deleted, &err) == 0 && deleted == 2,
		   "delete by UID set (absent ones ignored)");
	}
	ok(mb_store_msg_uids(st, inbox, &uids, &n, &err) == 0 && n == 3 && uids[2] == 5,
	   "the rest remain");
	free(uids);
	ok(mb_store_msg_delete(st, id2, &err) == 0, "delete by id");
	ok(mb_store_msg_delete(st, id2, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "deleting an absent id is not found");
	ok(mb_store_mailbox_get(st, inbox, &mb, &err) == 0 && mb.total == 2 && mb.unread == 1,
	   "counts follow deletes");
	mb_mailbox_release(&mb);

	/* sync state, clear */
	memset(&mb, 0, sizeof mb);
	mb.id = inbox;
	mb.uidvalidity = 4000000000u;
	mb.uidnext = 6;
	mb.highestmodseq = 123456789012ull;
	mb.last_full_check = 1700000000;
	ok(mb_store_mailbox_set_state(st, &mb, &err) == 0, "save sync state");
	ok(mb_store_mailbox_get(st, inbox, &mb, &err) == 0 && mb.uidvalidity == 4000000000u &&
	           mb.uidnext == 6 && mb.highestmodseq == 123456789012ull &&
	           mb.last_full_check == 1700000000,
	   "sync state read back (32-bit UIDVALIDITY, 64-bit modseq)");
	mb_mailbox_release(&mb);
	ok(mb_store_mailbox_list(st, acct, &ml, &err) == 0 && ml.n == 2, "list mailboxes");
	if (ml.n == 2)
		ok(ml.v[0].id == inbox && ml.v[0].total == 2 && ml.v[1].id == pop &&
		           ml.v[1].total == 1,
		   "with counts, in order");
	mb_mailbox_list_release(&ml);
	ok(mb_store_account_list(st, &al, &err) == 0 && al.n == 1 && al.v[0].total == 3 &&
	           al.v[0].unread == 2 && strcmp(al.v[0].name, "work") == 0,
	   "list accounts with totals");
	mb_store_account_list_release(&al);
	ok(mb_store_mailbox_clear(st, inbox, &err) == 0, "clear a mailbox (UIDVALIDITY changed)");
	ok(mb_store_mailbox_get(st, inbox, &mb, &err) == 0 && mb.total == 0 && mb.unread == 0 &&
	           mb.uidvalidity == 0 && mb.uidnext == 0,
	   "empty, state reset");
	mb_mailbox_release(&mb);
	ok(mb_store_msg_get(st, id1, &g, &err) < 0, "its messages are gone");
	is_int(sql_int(st, "SELECT count(*) FROM message_raw WHERE message_id = 1"), 0,
	       "with their raw source");
	is_int(sql_int(st, "SELECT count(*) FROM message_received"), 0, "and their trace");
	ok(mb_store_check(st, false, &err) == 0, "full check (FTS in sync): %s", err.msg);
	ok(mb_store_mailbox_delete(st, pop, &err) == 0, "delete a mailbox");
	is_int(sql_int(st, "SELECT count(*) FROM messages"), 0, "its messages went with it");
	ok(mb_store_account_delete(st, acct, &err) == 0, "delete the account");
	is_int(sql_int(st, "SELECT count(*) FROM mailboxes"), 0, "its mailboxes went with it");
	ok(mb_store_check(st, false, &err) == 0, "full check after the cascades: %s", err.msg);
	is_int(busy_statements(st), 0, "no statement is left mid-step");
	mb_store_close(st);
}

struct collect {
	struct mb_buf buf;
	size_t chunks, maxchunk;
	size_t stop_after;
};

static int
collect_cb(const void *chunk, size_t len, void *arg)
{
	struct collect *c = arg;

	mb_buf_add(&c->buf, chunk, len);
	c->chunks++;
	if (len > c->maxchunk)
		c->maxchunk = len;
	return c->stop_after != 0 && c->chunks >= c->stop_after;
}

static void
test_raw(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("raw.db"));
	struct mb_buf b = MB_BUF_INIT;
	struct collect c;
	struct mb_msg_in m;
	unsigned char bytes[512];
	unsigned char *big;
	size_t bigsz = 5 * 1024 * 1024 + 17, i;
	int64_t acct, mbox, id_small, id_big, id_empty, len;
	unsigned seed = 12345;

	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &mbox, &err);
	for (i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 7 + 3);
	bytes[0] = 0;
	bytes[10] = 0;
	bytes[511] = 0;
	fill_msg(&m, mbox, 1, NULL, "a", "s", NULL);
	m.raw = bytes;
	m.raw_len = sizeof bytes;
	ok(mb_store_msg_add(st, &m, &id_small, &err) == 0, "store a source with NULs and 8-bit");
	ok(mb_store_msg_raw(st, id_small, &b, &err) == 0, "read it whole");
	ok(b.len == sizeof bytes && memcmp(b.data, bytes, sizeof bytes) == 0,
	   "byte-exact (memcmp), NULs included");
	ok(b.data[b.len] == '\0', "the buffer stays NUL-terminated");
	mb_buf_release(&b);

	big = xmalloc(bigsz);
	for (i = 0; i < bigsz; i++) {
		seed = seed * 1103515245u + 12345u;
		big[i] = (unsigned char)(seed >> 16);
	}
	fill_msg(&m, mbox, 2, NULL, "a", "big", NULL);
	m.raw = big;
	m.raw_len = bigsz;
	ok(mb_store_msg_add(st, &m, &id_big, &err) == 0, "store a 5 MB source");
	ok(mb_store_msg_raw_size(st, id_big, &len, &err) == 0 && len == (int64_t)bigsz, "its size");
	mb_buf_addstr(&b, "prefix:");
	ok(mb_store_msg_raw(st, id_big, &b, &err) == 0, "read it whole");
	ok(b.len == bigsz + 7 && memcmp(b.data + 7, big, bigsz) == 0,
	   "appended byte-exact after what the buffer held");
	mb_buf_release(&b);
	memset(&c, 0, sizeof c);
	mb_buf_init(&c.buf);
	ok(mb_store_msg_raw_stream(st, id_big, collect_cb, &c, &err) == 0, "stream it");
	ok(c.buf.len == bigsz && memcmp(c.buf.data, big, bigsz) == 0, "streamed byte-exact");
	ok(c.maxchunk <= 65536 && c.chunks == (bigsz + 65535) / 65536, "in chunks of 64 KiB (%zu)",
	   c.chunks);
	mb_buf_release(&c.buf);
	memset(&c, 0, sizeof c);
	mb_buf_init(&c.buf);
	c.stop_after = 2;
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_msg_raw_stream(st, id_big, collect_cb, &c, &err) < 0 &&
	           err.kind == MB_ERR_CANCEL && c.chunks == 2,
	   "the callback can stop the stream");
	mb_buf_release(&c.buf);
	free(big);

	fill_msg(&m, mbox, 3, NULL, "a", "empty", NULL);
	m.raw = NULL;
	m.raw_len = 0;
	ok(mb_store_msg_add(st, &m, &id_empty, &err) == 0, "store an empty source");
	ok(mb_store_msg_raw(st, id_empty, &b, &err) == 0 && b.len == 0, "it reads back empty");
	mb_buf_release(&b);
	ok(mb_store_msg_raw(st, 99999, &b, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "the source of an absent message: not found");
	is_int(busy_statements(st), 0, "no statement is left mid-step");
	mb_store_close(st);
}

static void
test_fts_query(void)
{
	struct {
		const char *in, *out;
	} cases[] = {
	        {"alice", "\"alice\"*"},
	        {"from:alice", "from_text : \"alice\"*"},
	        {"FROM:alice to:bob", "from_text : \"alice\"* to_text : \"bob\"*"},
	        {"subject:\"quarterly report\"", "subject : \"quarterly report\"*"},
	        {"a\"b", "\"a\"\"b\"*"},
	        {"subject:", "\"subject:\"*"},
	        {"\"", ""},
	        {"*", ""},
	        {"  ", ""},
	        {"NEAR(", "\"NEAR(\"*"},
	        {"x:y", "\"x:y\"*"},
	        {"\"unbalanced phrase", "\"unbalanced phrase\"*"},
	};
	size_t i;
	char *q;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		q = store_fts_query(cases[i].in);
		is_str(q, cases[i].out, "fts query for '%s'", cases[i].in);
		free(q);
	}
}

/* s with control and 8-bit bytes as \xNN, for a TAP description (static buffer). */
static const char *
printable(const char *s)
{
	static char out[256];
	size_t n = 0;

	for (; *s != '\0' && n + 5 < sizeof out; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '#')
			n += (size_t)snprintf(out + n, sizeof out - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

/* Search and return how many rows came back, -1 on error. */
static long
search_n(struct mb_store *st, int64_t mbox, const char *q, int64_t *first)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_msg_list l;
	long n;

	if (mb_store_search(st, mbox, q, 0, &l, &err) < 0) {
		diag("search '%s' failed: %s", printable(q), err.msg);
		return -1;
	}
	n = (long)l.n;
	if (first != NULL)
		*first = l.n > 0 ? l.v[0].id : 0;
	mb_msg_list_release(&l);
	return n;
}

static void
test_search(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("fts.db"));
	struct mb_msg_in m;
	int64_t acct, inbox, other, ida, idb, idc, idd, first;
	const char *hostile[] = {
	        "\"",
	        "*",
	        "NEAR(",
	        "subject:",
	        ")",
	        "AND OR NOT",
	        "(",
	        "\"\"",
	        "from:",
	        "^",
	        "-",
	        "+",
	        ":",
	        "NEAR(a b, 2)",
	        "a OR b",
	        "{from_text}: x",
	        "\x01\x02",
	        "from:\"",
	        "subject:)",
	        "body:*",
	        "\"a\" AND \"",
	        "NOT",
	        "a NOT",
	        "x*y*",
	        "'; DROP TABLE messages; --",
	        "\xff\xfe",
	        "from:alice)",
	        "to:(bob",
	        "..",
	        "\\",
	};
	char longq[10001];
	size_t i;

	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "Archive", ".", &other, &err);
	fill_msg(&m, inbox, 1, NULL, "Alice Liddell <alice@example.org>", "Quarterly report",
	         "Numbers are up. The zebra crossing is closed.");
	m.to = "Bob <bob@example.org>";
	m.cc = "";
	m.date = 100;
	mb_store_msg_add(st, &m, &ida, &err);
	fill_msg(&m, inbox, 2, NULL, "Bob <bob@example.org>", "Re: Quarterly report",
	         "alice wrote the report");
	m.to = "Alice Liddell <alice@example.org>";
	m.cc = "Dave <dave@example.org>";
	m.date = 200;
	mb_store_msg_add(st, &m, &idb, &err);
	fill_msg(&m, other, 3, NULL, "Carol <carol@example.org>", "Not and or: a café",
	         "Invoice attached");
	m.to = "Bob <bob@example.org>";
	m.cc = "";
	m.date = 300;
	mb_store_msg_add(st, &m, &idc, &err);
	fill_msg(&m, inbox, 4, NULL, "Dave <dave@example.org>", "Lunch", NULL);
	m.to = "Carol <carol@example.org>";
	m.cc = "";
	m.date = 50;
	mb_store_msg_add(st, &m, &idd, &err);

	is_int(search_n(st, 0, "from:alice", &first), 1, "from: matches the From field only");
	is_int(first, ida, "... Alice's message");
	is_int(search_n(st, 0, "alice", NULL), 2, "a plain word matches anywhere (from, to, body)");
	is_int(search_n(st, 0, "to:bob", NULL), 2, "to: matches To");
	is_int(search_n(st, 0, "cc:dave", &first), 1, "cc: matches Cc");
	is_int(first, idb, "... the one with Dave in Cc");
	is_int(search_n(st, 0, "subject:quarterly", &first), 2, "subject: matches the subject");
	is_int(first, idb, "newest (by Date) first");
	is_int(search_n(st, 0, "zebra", &first), 1, "body text is searched");
	is_int(first, ida, "... the zebra one");
	is_int(search_n(st, 0, "body:alice", &first), 1, "body: searches the body only");
	is_int(search_n(st, 0, "alic", NULL), 2, "words match as prefixes");
	is_int(search_n(st, 0, "\"quarterly report\"", NULL), 2, "a quoted phrase");
	is_int(search_n(st, 0, "\"report quarterly\"", NULL), 0, "... in order");
	is_int(search_n(st, 0, "from:alice subject:lunch", NULL), 0, "all words must match");
	is_int(search_n(st, 0, "cafe", &first), 1, "diacritics are folded (café)");
	is_int(search_n(st, inbox, "invoice", NULL), 0, "a mailbox restricts the search");
	is_int(search_n(st, other, "invoice", NULL), 1, "... to that mailbox");
	is_int(search_n(st, 0, "AND OR NOT", &first), 1, "AND OR NOT are plain words");
	is_int(first, idc, "... found in the subject 'Not and or'");
	is_int(search_n(st, 0, "", NULL), 0, "an empty query finds nothing, without error");
	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++)
		ok(search_n(st, 0, hostile[i], NULL) >= 0, "hostile query '%s' is no error",
		   printable(hostile[i]));
	memset(longq, '(', sizeof longq - 1);
	longq[sizeof longq - 1] = '\0';
	ok(search_n(st, 0, longq, NULL) == 0, "10 000 parentheses are no error");
	for (i = 0; i < sizeof longq - 1; i++)
		longq[i] = i % 3 == 2 ? ' ' : "ab\""[i % 3];
	ok(search_n(st, 0, longq, NULL) >= 0, "a long quote-riddled query is no error");

	ok(mb_store_msg_delete(st, ida, &err) == 0, "delete Alice's message");
	is_int(search_n(st, 0, "zebra", NULL), 0, "its body is no longer found");
	is_int(search_n(st, 0, "from:alice", NULL), 0, "nor its From");
	ok(mb_store_check(st, false, &err) == 0, "the index matches its content: %s", err.msg);
	{
		struct mb_msg_list l;

		ok(mb_store_search(st, 0, "o", 1, &l, &err) == 0 && l.n == 1, "limit is honoured");
		mb_msg_list_release(&l);
	}
	/* headers are immutable once indexed: a bypass would desynchronise the index */
	ok(sqlite3_exec(st->db, "UPDATE messages SET subject = 'x'", NULL, NULL, NULL) != SQLITE_OK,
	   "the schema refuses to change an indexed header");
	is_int(busy_statements(st), 0, "no statement is left mid-step");
	mb_store_close(st);
}

static void
test_outbox(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("outbox.db"));
	const char *rcpts[] = {"bob@example.org", "carol@example.org"};
	const char *bad_rcpts[] = {"bob@example.org\r\nRCPT TO:<x@evil>"};
	const char raw[] = "From: a\r\nTo: b\r\n\r\nhi\0there\r\n";
	struct mb_outbox_in in = {
	        .account = "work",
	        .envelope_from = "alice@example.org",
	        .rcpts = rcpts,
	        .nrcpts = 2,
	        .raw = raw,
	        .raw_len = sizeof raw - 1,
	        .from = "Alice <alice@example.org>",
	        .to = "Bob <bob@example.org>",
	        .cc = "",
	        .subject = "Hi",
	};
	struct mb_outbox o;
	struct mb_outbox_list l;
	struct mb_buf b = MB_BUF_INIT;
	int64_t id, id2, id3;
	size_t n;
	pid_t pid;
	int status;

	ok(mb_store_outbox_add(st, &in, &id, &err) == 0, "queue a message");
	ok(mb_store_outbox_get(st, id, &o, &err) == 0, "read it");
	is_int(o.status, MB_OUTBOX_QUEUED, "queued");
	is_str(mb_outbox_status_name(o.status), "queued", "status name");
	is_int(o.nrcpts, 2, "two recipients");
	if (o.nrcpts == 2)
		ok(strcmp(o.rcpts[0], rcpts[0]) == 0 && strcmp(o.rcpts[1], rcpts[1]) == 0 &&
		           o.rcpts[2] == NULL,
		   "recipients in order");
	is_str(o.envelope_from, "alice@example.org", "envelope sender");
	is_str(o.subject, "Hi", "header summary");
	is_int(o.raw_len, sizeof raw - 1, "raw length");
	is_int(o.attempts, 0, "no attempts yet");
	mb_outbox_release(&o);
	ok(mb_store_outbox_raw(st, id, &b, &err) == 0 && b.len == sizeof raw - 1 &&
	           memcmp(b.data, raw, b.len) == 0,
	   "the bytes to send are stored byte-exact");
	mb_buf_release(&b);

	ok(mb_store_outbox_start(st, id, false, &err) == 0, "claim it for sending");
	ok(mb_store_outbox_get(st, id, &o, &err) == 0 && o.status == MB_OUTBOX_SENDING &&
	           o.attempts == 1,
	   "sending, one attempt");
	mb_outbox_release(&o);
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_outbox_start(st, id, false, &err) < 0 && err.kind == MB_ERR_BUSY,
	   "a message being sent cannot be claimed again");
	like(err.msg, "being sent", "... saying so: %s", err.msg);
	ok(mb_store_outbox_delete(st, id, &err) < 0, "nor deleted");
	ok(mb_store_outbox_failed(st, id, "cannot connect to 'h:25': connection refused",
	                          "connection", NULL, &err) == 0,
	   "mark it failed");
	ok(mb_store_outbox_get(st, id, &o, &err) == 0 && o.status == MB_OUTBOX_FAILED &&
	           strcmp(o.last_error_kind, "connection") == 0 && !o.interrupted,
	   "failed, with the error kind");
	mb_outbox_release(&o);
	ok(mb_store_outbox_failed(st, id, "x", "x", NULL, &err) < 0,
	   "a message not being sent cannot fail");
	ok(mb_store_outbox_start(st, id, false, &err) == 0, "a failed message can be retried");
	ok(mb_store_outbox_sent(st, id, "bob: 250 ok\ncarol: 250 ok", &err) == 0, "mark it sent");
	ok(mb_store_outbox_get(st, id, &o, &err) == 0 && o.status == MB_OUTBOX_SENT &&
	           o.attempts == 2 && o.sent_at > 0 &&
	           strcmp(o.rcpt_results, "bob: 250 ok\ncarol: 250 ok") == 0 &&
	           strcmp(o.last_error, "") == 0,
	   "sent: two attempts, sent_at, per-recipient results, no error");
	mb_outbox_release(&o);
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_outbox_start(st, id, true, &err) < 0 && err.kind == MB_ERR_INPUT,
	   "a sent message is never sent again");
	like(err.msg, "already sent", "... saying so: %s", err.msg);
	ok(mb_store_outbox_sent(st, 4242, NULL, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "an absent row: not found");

	/* a sender that dies in 'sending' */
	ok(mb_store_outbox_add(st, &in, &id2, &err) == 0, "queue another");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct mb_store *cst;

		if (mb_store_open(&cst, tpath("outbox.db"), NULL) < 0 ||
		    mb_store_outbox_start(cst, id2, false, NULL) < 0)
			_exit(1);
		_exit(0); /* dies during the "session" */
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child claimed it and died");
	ok(mb_store_outbox_add(st, &in, &id3, &err) == 0 &&
	           mb_store_outbox_start(st, id3, false, &err) == 0,
	   "this live process is sending a third one");
	ok(mb_store_outbox_recover(st, &n, &err) == 0, "recover at start");
	is_int(n, 1, "one interrupted send found");
	ok(mb_store_outbox_get(st, id2, &o, &err) == 0, "read it");
	is_int(o.status, MB_OUTBOX_FAILED, "it is failed");
	ok(o.interrupted, "marked interrupted");
	is_str(o.last_error_kind, "unknown", "error kind unknown");
	is_str(o.last_error,
	       "unknown: the previous attempt was interrupted \xe2\x80\x94 check the recipient's "
	       "mailbox before retrying",
	       "the message tells the user to check before retrying");
	mb_outbox_release(&o);
	ok(mb_store_outbox_get(st, id3, &o, &err) == 0 && o.status == MB_OUTBOX_SENDING,
	   "a live sender's row is left alone");
	mb_outbox_release(&o);
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_outbox_start(st, id2, false, &err) < 0 && err.kind == MB_ERR_INPUT,
	   "an interrupted message is not sent again without confirmation");
	like(err.msg, "check the recipient's mailbox", "... saying why: %s", err.msg);
	ok(mb_store_outbox_recover(st, &n, &err) == 0 && n == 0, "recovery is idempotent");
	ok(mb_store_outbox_start(st, id2, true, &err) == 0, "with confirmation it can be retried");
	ok(mb_store_outbox_get(st, id2, &o, &err) == 0 && !o.interrupted && o.attempts == 2,
	   "the retry clears the mark and counts");
	mb_outbox_release(&o);

	ok(mb_store_outbox_list(st, NULL, false, &l, &err) == 0 && l.n == 2, "list unsent");
	mb_outbox_list_release(&l);
	ok(mb_store_outbox_list(st, "work", true, &l, &err) == 0 && l.n == 3 && l.v[0].id == id3,
	   "list all of an account, newest first");
	mb_outbox_list_release(&l);
	ok(mb_store_outbox_list(st, "other", true, &l, &err) == 0 && l.n == 0,
	   "another account has none");
	mb_outbox_list_release(&l);
	ok(mb_store_outbox_delete(st, id, &err) == 0, "delete a sent message");

	in.rcpts = bad_rcpts;
	in.nrcpts = 1;
	err = (struct mb_error)MB_ERROR_INIT;
	ok(mb_store_outbox_add(st, &in, NULL, &err) < 0 && err.kind == MB_ERR_INPUT,
	   "a recipient with CR LF is refused");
	in.nrcpts = 0;
	ok(mb_store_outbox_add(st, &in, NULL, &err) < 0, "no recipients is refused");
	is_int(busy_statements(st), 0, "no statement is left mid-step");
	mb_store_close(st);
}

static void
test_drafts(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("drafts.db"));
	char *atts[] = {"/tmp/a b.pdf", "/home/u/ü.png", NULL};
	char *ercpt[] = {"x@example.org", NULL};
	struct mb_draft_row d, g;
	struct mb_draft_row_list l;
	int64_t first;

	memset(&d, 0, sizeof d);
	d.account = "work";
	d.to = "Bob <bob@example.org>";
	d.subject = "Draft";
	d.body = "line 1\nline 2\n";
	d.attachments = atts;
	d.nattachments = 2;
	ok(mb_store_draft_save(st, &d, &err) == 0 && d.id > 0 && d.updated > 0, "save a new draft");
	first = d.id;
	ok(mb_store_draft_get(st, d.id, &g, &err) == 0, "read it");
	is_str(g.to, "Bob <bob@example.org>", "to");
	is_str(g.cc, "", "unset cc reads empty");
	is_str(g.body, "line 1\nline 2\n", "body");
	ok(!g.html, "plain text");
	is_int(g.nattachments, 2, "two attachments");
	if (g.nattachments == 2)
		ok(strcmp(g.attachments[0], atts[0]) == 0 && strcmp(g.attachments[1], atts[1]) == 0,
		   "attachment paths as given");
	ok(g.envelope_from == NULL && g.nenvelope_rcpts == 0, "no envelope override");
	mb_draft_row_release(&g);
	d.html = true;
	d.bcc = "secret@example.org";
	d.envelope_from = "bounce@example.org";
	d.envelope_rcpts = ercpt;
	d.nenvelope_rcpts = 1;
	d.nattachments = 0;
	ok(mb_store_draft_save(st, &d, &err) == 0 && d.id == first, "update it");
	ok(mb_store_draft_get(st, d.id, &g, &err) == 0 && g.html &&
	           strcmp(g.bcc, "secret@example.org") == 0 &&
	           strcmp(g.envelope_from, "bounce@example.org") == 0 && g.nenvelope_rcpts == 1 &&
	           strcmp(g.envelope_rcpts[0], "x@example.org") == 0 && g.nattachments == 0,
	   "the update is read back");
	mb_draft_row_release(&g);
	d.id = 0;
	d.account = "home";
	ok(mb_store_draft_save(st, &d, &err) == 0 && d.id != first, "save a second draft");
	ok(mb_store_draft_list(st, NULL, &l, &err) == 0 && l.n == 2, "list all drafts");
	mb_draft_row_list_release(&l);
	ok(mb_store_draft_list(st, "work", &l, &err) == 0 && l.n == 1 && l.v[0].id == first,
	   "list an account's drafts");
	mb_draft_row_list_release(&l);
	atts[0] = "bad\npath";
	d.attachments = atts;
	d.nattachments = 1;
	ok(mb_store_draft_save(st, &d, &err) < 0 && err.kind == MB_ERR_INPUT,
	   "a path with a line break is refused");
	ok(mb_store_draft_delete(st, first, &err) == 0, "delete a draft");
	ok(mb_store_draft_get(st, first, &g, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "it is gone");
	d.id = first;
	d.nattachments = 0;
	ok(mb_store_draft_save(st, &d, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "updating a deleted draft: not found");
	mb_store_close(st);
}

static void
test_sessions(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("sessions.db"));
	const char *rcpts[] = {"b@example.org"};
	struct mb_outbox_in in = {.account = "work",
	                          .envelope_from = "a@example.org",
	                          .rcpts = rcpts,
	                          .nrcpts = 1,
	                          .raw = "x",
	                          .raw_len = 1};
	struct mb_session_in si = {.account = "work",
	                           .protocol = MB_STORE_SMTP,
	                           .host = "127.0.0.1",
	                           .port = 2525,
	                           .security = "starttls"};
	const char bin[] = "250-\0\xff\xfe\r\n\x1b[31mred";
	struct mb_tline_in lines[3] = {
	        {MB_TLINE_SERVER, 1700000000123456, "220 ready", 9, 220, "service ready", 0},
	        {MB_TLINE_CLIENT, 0, "EHLO x", 6, 0, NULL, 4},
	        {MB_TLINE_SERVER, 1700000000223456, bin, sizeof bin - 1, 250, "ok", 1},
	};
	struct mb_tline_in more[2] = {
	        {MB_TLINE_TLS, 0, "TLS 1.3", 7, 0, NULL, 0},
	        {MB_TLINE_INFO, 0, "", 0, 0, NULL, 0},
	};
	struct mb_session s;
	struct mb_session_list sl;
	struct mb_tline_list tl;
	int64_t obox, sid, sid2;

	mb_store_outbox_add(st, &in, &obox, &err);
	si.outbox_id = obox;
	ok(mb_store_session_begin(st, &si, &sid, &err) == 0, "begin a session: %s", err.msg);
	ok(mb_store_session_add_lines(st, sid, lines, 3, &err) == 0, "append a batch of 3 lines");
	ok(mb_store_session_add_lines(st, sid, more, 2, &err) == 0, "append a batch of 2 lines");
	ok(mb_store_session_add_lines(st, sid, more, 0, &err) == 0, "an empty batch is fine");
	ok(mb_store_session_get(st, sid, &s, &err) == 0 && s.result == MB_SESSION_RUNNING &&
	           s.nlines == 5 && s.ended_us == 0 && s.outbox_id == obox,
	   "running, five lines, linked to the outbox row");
	mb_session_release(&s);
	ok(mb_store_session_lines(st, sid, 0, 0, &tl, &err) == 0 && tl.n == 5, "read the lines");
	if (tl.n == 5) {
		ok(tl.v[0].seq == 1 && tl.v[4].seq == 5, "sequence numbers 1..5 across batches");
		ok(tl.v[2].len == sizeof bin - 1 && memcmp(tl.v[2].text, bin, sizeof bin - 1) == 0,
		   "binary text byte-exact (NUL, 0xff, CR LF, ESC)");
		ok(tl.v[2].text[tl.v[2].len] == '\0', "text is NUL-terminated after its bytes");
		is_int(tl.v[0].ts_us, 1700000000123456, "microsecond timestamp");
		ok(tl.v[1].ts_us > 1700000000000000, "timestamp 0 means now");
		is_int(tl.v[0].code, 220, "reply code");
		is_str(tl.v[0].meaning, "service ready", "meaning");
		is_str(tl.v[1].meaning, "", "no meaning reads empty");
		is_int(tl.v[1].flags, 4, "flags");
		is_int(tl.v[1].dir, MB_TLINE_CLIENT, "direction client");
		is_int(tl.v[3].dir, MB_TLINE_TLS, "direction tls");
		is_int(tl.v[4].dir, MB_TLINE_INFO, "direction info");
		is_int(tl.v[4].len, 0, "an empty line");
	}
	mb_tline_list_release(&tl);
	ok(mb_store_session_lines(st, sid, 2, 2, &tl, &err) == 0 && tl.n == 2 && tl.v[0].seq == 3 &&
	           tl.v[1].seq == 4,
	   "page through lines (after 2, limit 2)");
	mb_tline_list_release(&tl);
	ok(mb_store_session_end(st, sid, MB_SESSION_ERROR, "550 no such user", &err) == 0,
	   "end the session");
	ok(mb_store_session_get(st, sid, &s, &err) == 0 && s.result == MB_SESSION_ERROR &&
	           s.ended_us >= s.started_us && strcmp(s.error, "550 no such user") == 0 &&
	           s.protocol == MB_STORE_SMTP && s.port == 2525 &&
	           strcmp(s.security, "starttls") == 0 && strcmp(s.host, "127.0.0.1") == 0,
	   "ended with its result and error");
	mb_session_release(&s);
	si.outbox_id = 0;
	si.protocol = MB_STORE_IMAP;
	ok(mb_store_session_begin(st, &si, &sid2, &err) == 0, "a second session");
	ok(mb_store_session_list(st, obox, 0, &sl, &err) == 0 && sl.n == 1 && sl.v[0].id == sid,
	   "list the outbox row's sessions");
	mb_session_list_release(&sl);
	ok(mb_store_session_list(st, 0, 1, &sl, &err) == 0 && sl.n == 1 && sl.v[0].id == sid2,
	   "list all sessions, newest first, limited");
	mb_session_list_release(&sl);
	ok(mb_store_session_add_lines(st, 9999, lines, 1, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "lines for an absent session: not found");
	si.outbox_id = 9999;
	ok(mb_store_session_begin(st, &si, &sid2, &err) < 0 && err.kind == MB_ERR_NOTFOUND,
	   "a session for an absent outbox row: not found");

	/* schema 7: a cache at 6 has its lines in a rowid table; they are copied over, whole */
	mb_store_close(st);
	ok(side_exec(
	           tpath("sessions.db"),
	           "CREATE TABLE t6(session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE "
	           "CASCADE, seq INTEGER NOT NULL, direction TEXT NOT NULL, ts_us INTEGER NOT "
	           "NULL, text BLOB NOT NULL, code INTEGER NOT NULL DEFAULT 0, meaning TEXT NOT "
	           "NULL DEFAULT '', flags INTEGER NOT NULL DEFAULT 0, rtt_ms INTEGER NOT NULL "
	           "DEFAULT -1, PRIMARY KEY (session_id, seq));"
	           "INSERT INTO t6 SELECT * FROM transcript_lines; DROP TABLE transcript_lines;"
	           "ALTER TABLE t6 RENAME TO transcript_lines;" SCHEMA_7_FTS
	           "PRAGMA user_version = 6") == 0,
	   "the lines put back as schema 6 kept them");
	st = open_or_die(tpath("sessions.db"));
	is_int(sql_int(st, "PRAGMA user_version"), MB_STORE_SCHEMA_VERSION, "migrated");
	is_int(sql_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'transcript_lines' "
	                   "AND sql LIKE '%WITHOUT ROWID'"),
	       1, "the lines are in a table without rowid");
	ok(mb_store_session_lines(st, sid, 0, 0, &tl, &err) == 0 && tl.n == 5 && tl.v[4].seq == 5 &&
	           tl.v[2].len == sizeof bin - 1 &&
	           memcmp(tl.v[2].text, bin, sizeof bin - 1) == 0 && tl.v[0].code == 220 &&
	           strcmp(tl.v[0].meaning, "service ready") == 0,
	   "every line is there, byte for byte, with its fields: %s", err.msg);
	mb_tline_list_release(&tl);
	ok(mb_store_session_add_lines(st, sid, more, 2, &err) == 0 &&
	           mb_store_session_lines(st, sid, 5, 0, &tl, &err) == 0 && tl.n == 2 &&
	           tl.v[0].seq == 6,
	   "and lines go on being added after them: %s", err.msg);
	mb_tline_list_release(&tl);
	ok(mb_store_check(st, false, &err) == 0, "the cache is whole: %s", err.msg);

	ok(mb_store_session_delete(st, sid, &err) == 0, "delete a session");
	is_int(sql_int(st, "SELECT count(*) FROM transcript_lines"), 0, "its lines went with it");
	ok(mb_store_outbox_delete(st, obox, &err) == 0, "an outbox row can go before its sessions");
	is_int(busy_statements(st), 0, "no statement is left mid-step");
	mb_store_close(st);
}

static void
test_pins(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("pins.db"));
	const char *fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	                 "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
	const char *fp_lower = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
	char **v;
	size_t n;
	bool found;

	ok(mb_store_pin_add(st, "mail.example.org", 993, fp, &err) == 0, "pin a certificate");
	ok(mb_store_pin_add(st, "mail.example.org", 993, fp_lower, &err) == 0,
	   "pinning it again is fine");
	ok(mb_store_pin_find(st, "MAIL.example.org", 993, fp_lower, &found, &err) == 0 && found,
	   "found (any case, with or without colons)");
	ok(mb_store_pin_find(st, "mail.example.org", 995, fp, &found, &err) == 0 && !found,
	   "not for another port");
	ok(mb_store_pin_list(st, "mail.example.org", 993, &v, &n, &err) == 0 && n == 1 &&
	           strcmp(v[0], fp_lower) == 0,
	   "listed once, lower-case hex");
	mb_strv_free(v);
	ok(mb_store_pin_add(st, "h", 1, "abc", &err) < 0 && err.kind == MB_ERR_INPUT,
	   "a short fingerprint is refused");
	ok(mb_store_pin_remove(st, "mail.example.org", 993, fp, &err) == 0, "remove the pin");
	ok(mb_store_pin_find(st, "mail.example.org", 993, fp, &found, &err) == 0 && !found,
	   "it is gone");
	mb_store_close(st);
}

static void
test_batches(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("tx.db"));
	int64_t id;

	ok(mb_store_begin(st, &err) == 0 && mb_store_begin(st, &err) == 0, "nested begin");
	is_int(mb_store_depth(st), 2, "depth 2");
	mb_store_account_ensure(st, "inner", &id, &err);
	mb_store_rollback(st);
	is_int(mb_store_depth(st), 1, "inner rollback leaves one level");
	mb_store_account_ensure(st, "outer", &id, &err);
	ok(mb_store_commit(st, &err) == 0, "outer commit");
	is_int(mb_store_depth(st), 0, "depth 0");
	ok(mb_store_account_find(st, "inner", &id, &err) == 0 && id == 0,
	   "the inner level's work was undone");
	ok(mb_store_account_find(st, "outer", &id, &err) == 0 && id != 0,
	   "the outer level's work was kept");
	ok(mb_store_begin(st, &err) == 0, "begin");
	mb_store_account_ensure(st, "gone", &id, &err);
	mb_store_rollback(st);
	ok(mb_store_account_find(st, "gone", &id, &err) == 0 && id == 0, "outer rollback undoes");
	ok(mb_store_commit(st, &err) < 0, "commit without begin is an error");
	ok(mb_store_begin(st, &err) == 0, "begin");
	ok(mb_store_make_durable(st, &err) < 0, "make_durable inside a batch is refused");
	mb_store_rollback(st);
	ok(mb_store_make_durable(st, &err) == 0, "make_durable: %s", err.msg);
	ok(sql_int(st, "SELECT value FROM meta WHERE key = 'durable_at'") > 0,
	   "... committed its marker with synchronous=FULL");
	is_int(sql_int(st, "PRAGMA synchronous"), 1, "... and went back to NORMAL");
	ok(mb_store_check(st, true, &err) == 0, "quick check");
	ok(mb_store_check(st, false, &err) == 0, "full check");
	mb_store_close(st);
	mb_store_close(NULL);
}

/* Messages stored in a batch are indexed at its commit: deletes, savepoints and rollbacks
   in between must leave the index matching its content. */
static void
test_fts_batches(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("ftsbatch.db"));
	struct mb_msg_in m;
	int64_t acct, inbox, id;
	uint32_t two = 2;
	size_t deleted = 0;

	is_int(sql_int(st, "PRAGMA page_size"), 16384, "a new cache has 16 KiB pages");
	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	ok(mb_store_begin(st, &err) == 0, "a batch");
	fill_msg(&m, inbox, 1, NULL, "Ann <ann@example.org>", "apple", "one apple");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "message 1 in the batch");
	fill_msg(&m, inbox, 2, NULL, "Ben <ben@example.org>", "banana", "two bananas");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "message 2 in the batch");
	fill_msg(&m, inbox, 3, NULL, "Cid <cid@example.org>", "cherry", "three cherries");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "message 3 in the batch");
	ok(mb_store_msg_delete_uids(st, inbox, &two, 1, &deleted, &err) == 0 && deleted == 1,
	   "message 2 deleted in the same batch");
	ok(mb_store_commit(st, &err) == 0, "commit: %s", err.msg);
	is_int(search_n(st, 0, "apple", NULL), 1, "message 1 is found after the commit");
	is_int(fts_int(st, "SELECT v FROM message_fts_config WHERE k = 'automerge'"), 16,
	       "the full-text index merges 16 segments at a time");
	is_int(fts_int(st, "SELECT v FROM message_fts_config WHERE k = 'hashsize'"), 8388608,
	       "... and gathers 8 MiB of terms before it writes them");
	is_int(search_n(st, 0, "cherries", NULL), 1, "... and message 3");
	is_int(search_n(st, 0, "banana", NULL), 0, "the deleted one is not");
	ok(mb_store_check(st, false, &err) == 0, "the index matches its content: %s", err.msg);

	ok(mb_store_begin(st, &err) == 0 && mb_store_begin(st, &err) == 0, "a nested batch");
	fill_msg(&m, inbox, 10, NULL, "Kim <kim@example.org>", "kiwi", "a kiwi");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "a message in the inner level");
	mb_store_rollback(st);
	fill_msg(&m, inbox, 11, NULL, "Max <max@example.org>", "mango", "a mango");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "another one in the outer level");
	ok(mb_store_commit(st, &err) == 0, "commit: %s", err.msg);
	is_int(search_n(st, 0, "kiwi", NULL), 0, "the rolled back message is not indexed");
	is_int(search_n(st, 0, "mango", NULL), 1, "the other one is, once (its id may be reused)");
	ok(mb_store_check(st, false, &err) == 0, "the index matches its content: %s", err.msg);

	ok(mb_store_begin(st, &err) == 0, "a batch");
	fill_msg(&m, inbox, 20, NULL, "Pat <pat@example.org>", "papaya", "a papaya");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "a message");
	mb_store_rollback(st);
	fill_msg(&m, inbox, 21, NULL, "Gus <gus@example.org>", "guava", "a guava");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "after a rollback, a message on its own");
	is_int(search_n(st, 0, "papaya", NULL), 0, "the rolled back batch left nothing");
	is_int(search_n(st, 0, "guava", NULL), 1, "the message on its own is indexed");
	ok(mb_store_msg_delete(st, id, &err) == 0, "and deleted");
	is_int(search_n(st, 0, "guava", NULL), 0, "... and gone from the index");
	ok(mb_store_check(st, false, &err) == 0, "the index matches its content: %s", err.msg);
	mb_store_close(st);
}

/* The index in PATH-fts: built at the first search, by a thread of its own in bulk, never
   finding a deleted message (whose entries it keeps until they outnumber the messages), and
   built anew when it is not its cache's, or is ahead of it. */
static void
test_fts_file(void)
{
	struct mb_error err = MB_ERROR_INIT;
	const char *path = tpath("ftsfile.db");
	char fpath[600];
	struct mb_store *st = open_or_die(path), *st2;
	struct mb_msg_in m;
	int64_t acct, inbox, id, id2, first;
	char subj[32];
	uint32_t uid = 1, *uids;
	size_t deleted = 0;
	struct stat sb;
	int i;

	snprintf(fpath, sizeof fpath, "%s-fts", path);
	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	fill_msg(&m, inbox, uid++, NULL, "Ann <ann@example.org>", "apple", "one apple");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "a message");
	is_int(search_n(st, 0, "apple", &first), 1, "the first search indexes it and finds it");
	ok(stat(fpath, &sb) == 0 && (sb.st_mode & 0777) == 0600, "in PATH-fts, for the owner only");

	/* ids: one above every id given, even a deleted one's */
	fill_msg(&m, inbox, uid++, NULL, "Ben <ben@example.org>", "banana", "two bananas");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "the highest id");
	is_int(search_n(st, 0, "banana", NULL), 1, "indexed");
	ok(mb_store_msg_delete(st, id, &err) == 0, "deleted");
	fill_msg(&m, inbox, uid++, NULL, "Cid <cid@example.org>", "cherry", "three cherries");
	ok(mb_store_msg_add(st, &m, &id2, &err) == 0 && id2 > id,
	   "the next message does not get its id (%lld after %lld)", (long long)id2, (long long)id);
	is_int(search_n(st, 0, "banana", NULL), 0, "the deleted one is not found");
	is_int(search_n(st, 0, "cherries", NULL), 1, "the new one is");
	is_int(fts_int(st, "SELECT v FROM state WHERE k = 'docs'"), 3,
	       "the index keeps the deleted one's entries");
	ok(mb_store_check(st, false, &err) == 0, "the cache and its index are whole: %s", err.msg);

	/* bulk: the thread indexes, its stop indexes the rest */
	mb_store_bulk_begin(st);
	ok(st->fts_thr == NULL, "a bulk has no index thread before it stores a message");
	mb_store_begin(st, &err);
	for (i = 0; i < 1500; i++) {
		snprintf(subj, sizeof subj, "plum%u", uid);
		fill_msg(&m, inbox, uid++, NULL, "Pat <pat@example.org>", subj, "a plum");
		mb_store_msg_add(st, &m, NULL, &err);
	}
	ok(mb_store_commit(st, &err) == 0, "1500 messages in a batch: %s", err.msg);
	ok(st->fts_thr != NULL, "then a thread indexes");
	mb_store_bulk_end(st);
	ok(st->fts_thr == NULL, "the bulk's end stops it");
	is_int(fts_int(st, "SELECT v FROM state WHERE k = 'hw'"),
	       sql_int(st, "SELECT max(id) FROM messages"), "having indexed every message");
	is_int(search_n(st, 0, "plum", NULL), 1500, "all are found");

	/* most of them deleted in a bulk that stores too: the index, mostly deleted messages, is
	   built anew at its end */
	uids = xcalloc(1400, sizeof *uids);
	for (i = 0; i < 1400; i++)
		uids[i] = (uint32_t)(4 + i);
	mb_store_bulk_begin(st);
	ok(mb_store_msg_delete_uids(st, inbox, uids, 1400, &deleted, &err) == 0 && deleted == 1400,
	   "1400 deleted in a bulk");
	fill_msg(&m, inbox, uid++, NULL, "Eve <eve@example.org>", "elder", "an elderberry");
	ok(mb_store_msg_add(st, &m, NULL, &err) == 0, "and one stored");
	mb_store_bulk_end(st);
	free(uids);
	is_int(fts_int(st, "SELECT v FROM state WHERE k = 'docs'"),
	       sql_int(st, "SELECT count(*) FROM messages"),
	       "the index was built anew, of the messages left");
	is_int(search_n(st, 0, "plum", NULL), 100, "the 100 left are found");
	is_int(search_n(st, 0, "elderberry", NULL), 1, "and the new one");
	ok(mb_store_check(st, false, &err) == 0, "whole: %s", err.msg);

	/* an index it cannot trust is built anew */
	ok(side_exec(fpath, "UPDATE state SET v = 1000000 WHERE k = 'hw'") == 0,
	   "the index ahead of its cache (a cache put back from a copy)");
	fill_msg(&m, inbox, uid++, NULL, "Dee <dee@example.org>", "damson", "a damson");
	ok(mb_store_msg_add(st, &m, NULL, &err) == 0, "a message stored then");
	is_int(search_n(st, 0, "damson", NULL), 1, "is found: the index was built anew");
	is_int(search_n(st, 0, "cherries", NULL), 1, "with every message");
	st2 = open_or_die(path);
	ok(side_exec(path, "UPDATE meta SET value = value + 1 WHERE key = 'fts_token'") == 0,
	   "the index of another cache");
	is_int(search_n(st2, 0, "cherries", NULL), 1, "is built anew, and finds the messages");
	is_int(fts_int(st2, "SELECT v FROM state WHERE k = 'token'"),
	       sql_int(st2, "SELECT value FROM meta WHERE key = 'fts_token'"), "as this cache's");
	mb_store_close(st2);
	store_fts_close(st);
	ok(unlink(fpath) == 0, "the index file removed");
	is_int(search_n(st, 0, "damson", NULL), 1, "is built anew at the next search");

	/* the check sees an index that lost messages */
	store_fts_close(st);
	ok(side_exec(fpath, "INSERT INTO message_fts(message_fts) VALUES ('delete-all')") == 0,
	   "the index emptied behind the cache's back");
	ok(mb_store_check(st, false, &err) < 0 && strstr(err.msg, "not in the full-text index"),
	   "the check says messages are not in it: %s", err.msg);
	mb_store_close(st);

	/* schema 7 to 8: the index leaves the cache, and is built from its messages */
	ok(side_exec(path, SCHEMA_7_FTS "PRAGMA user_version = 7") == 0 && unlink(fpath) == 0,
	   "a cache at schema 7");
	st = open_or_die(path);
	is_int(sql_int(st, "PRAGMA user_version"), MB_STORE_SCHEMA_VERSION, "migrated");
	is_int(sql_int(st, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'message_fts%'"), 0,
	       "no index left in the cache");
	is_int(search_n(st, 0, "plum", NULL), 100, "the messages are found");
	ok(mb_store_check(st, false, &err) == 0, "whole: %s", err.msg);
	mb_store_close(st);
}

/* Bulk: a failed add dooms its batch; the checkpointer keeps the log short. */
static void
test_bulk(void)
{
	struct mb_error err = MB_ERROR_INIT;
	const char *path = tpath("bulk.db");
	char wal[600];
	struct mb_store *st = open_or_die(path);
	struct mb_msg_in m;
	struct stat sb;
	int64_t acct, inbox, id;
	char *big = xmalloc(65536 + 1);
	uint32_t uid = 1;
	off_t walmax = 0;
	int b, i;

	snprintf(wal, sizeof wal, "%s-wal", path);
	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	st->ckpt_pages = 16; /* a checkpoint asked for every 256 KiB, a wait past 2 MiB */
	mb_store_bulk_begin(st);
	mb_store_bulk_begin(st); /* does not nest */
	ok(st->ckpt != NULL, "in bulk, a WAL cache has its checkpointer");

	ok(mb_store_begin(st, &err) == 0, "a batch");
	fill_msg(&m, inbox, 1, NULL, "Ann <ann@example.org>", "apple", "one apple");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "message 1");
	fill_msg(&m, inbox, 2, NULL, "Ben <ben@example.org>", "banana", "two bananas");
	ok(mb_store_msg_add(st, &m, &id, &err) == 0, "message 2");
	ok(mb_store_msg_add(st, &m, &id, &err) < 0, "UID 2 again is refused: %s", err.msg);
	ok(mb_store_msg_add(st, &m, &id, &err) < 0, "the batch is doomed: %s", err.msg);
	ok(mb_store_commit(st, &err) < 0 && mb_store_depth(st) == 0,
	   "its commit fails and closes it: %s", err.msg);
	is_int(sql_int(st, "SELECT count(*) FROM messages"), 0,
	       "in bulk a failed add rolls its whole batch back (no savepoint per message)");

	/* 60 batches of 4 messages of 64 KiB of text: 15 MiB through a log capped near 2 MiB
	   (the text: sources go to the sources file, not through the log) */
	err = (struct mb_error)MB_ERROR_INIT;
	memset(big, 'x', 65536);
	for (i = 0; i < 65536; i += 64)
		big[i] = '\n';
	big[65536] = '\0';
	for (b = 0; b < 60; b++) {
		if (mb_store_begin(st, &err) < 0)
			break;
		for (i = 0; i < 4; i++) {
			fill_msg(&m, inbox, uid++, NULL, "Cid <cid@example.org>", "cherry",
			         "three");
			big[0] = (char)('a' + uid % 26); /* not the same text every time */
			m.body_text = big;
			m.raw = big;
			m.raw_len = 65536;
			if (mb_store_msg_add(st, &m, &id, &err) < 0)
				break;
		}
		if (mb_store_commit(st, &err) < 0)
			break;
		if (stat(wal, &sb) == 0 && sb.st_size > walmax)
			walmax = sb.st_size;
	}
	is_int(b, 60, "60 batches stored in bulk: %s", err.msg);
	ok(walmax > 0 && walmax < 4 * 1024 * 1024,
	   "the log never grew past 4 MiB (largest %lld bytes) while 15 MiB went through it",
	   (long long)walmax);
	mb_store_bulk_end(st);
	mb_store_bulk_end(st);
	ok(st->ckpt == NULL && !st->bulk, "bulk ends, its thread joined");
	is_int(sql_int(st, "SELECT count(*) FROM messages"), 240, "every message is there");
	is_int(sql_int(st, "SELECT sum(source_len) FROM message_raw"), 240 * 65536,
	       "... with every byte of its source");
	is_int(sql_int(st, "SELECT sum(length(body)) FROM message_text"), 240 * 65536,
	       "... and of its text");
	ok(mb_store_check(st, false, &err) == 0, "the cache is whole: %s", err.msg);
	mb_store_close(st);
	free(big);
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* Flip one byte of a file at off. */
static void
flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	unsigned char c = 0;

	if (fd < 0 || pread(fd, &c, 1, off) != 1)
		diag("cannot read %s: %s", path, strerror(errno));
	c ^= 0x20;
	if (fd >= 0 && pwrite(fd, &c, 1, off) != 1)
		diag("cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Sources in PATH-sources: written once, read back exact, rolled-back records cut off,
   damage found; a source stored as a blob (before schema 5) still reads. */
static void
test_sources(void)
{
	struct mb_error err = MB_ERROR_INIT;
	const char *path = tpath("sources.db");
	char src[600];
	struct mb_store *st = open_or_die(path);
	struct mb_buf b = MB_BUF_INIT;
	struct mb_msg_in m;
	int64_t acct, inbox, id1, id2, id3, len = 0;
	char one[] = "Subject: one\r\n\r\nthe first source\r\n";
	char *two = xmalloc(200001);
	off_t size;
	int i;

	snprintf(src, sizeof src, "%s-sources", path);
	for (i = 0; i < 200000; i++)
		two[i] = (char)(i * 7 % 251); /* every byte value but a few, NUL included */
	two[200000] = '\0';
	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	fill_msg(&m, inbox, 1, NULL, "Ann <ann@example.org>", "one", "one");
	m.raw = one;
	m.raw_len = strlen(one);
	ok(mb_store_msg_add(st, &m, &id1, &err) == 0, "a message: %s", err.msg);
	fill_msg(&m, inbox, 2, NULL, "Ben <ben@example.org>", "two", "two");
	m.raw = two;
	m.raw_len = 200000;
	ok(mb_store_msg_add(st, &m, &id2, &err) == 0, "a message of 200 000 bytes: %s", err.msg);
	size = 16 + 32 + (off_t)strlen(one) + 32 + 200000;
	is_int(file_size(src), size, "the sources file holds both, each once, with its header");
	is_int(sql_int(st, "SELECT count(*) FROM message_raw WHERE length(raw) > 0"), 0,
	       "no source in the database");
	is_int(sql_int(st, "SELECT value FROM meta WHERE key = 'sources_end'"), size,
	       "the committed end is recorded");
	ok(mb_store_msg_raw(st, id2, &b, &err) == 0 && b.len == 200000 &&
	           memcmp(b.data, two, 200000) == 0,
	   "the large source reads back byte for byte: %s", err.msg);
	ok(mb_store_msg_raw_size(st, id1, &len, &err) == 0 && len == (int64_t)strlen(one),
	   "its size is known without reading it");

	/* a rolled-back batch, and a killed writer, leave bytes past the end: cut off */
	ok(mb_store_begin(st, &err) == 0, "a batch");
	fill_msg(&m, inbox, 3, NULL, "Cid <cid@example.org>", "three", "three");
	ok(mb_store_msg_add(st, &m, &id3, &err) == 0, "a message in it");
	ok(file_size(src) > size, "its source is written before the commit");
	mb_store_rollback(st);
	fill_msg(&m, inbox, 4, NULL, "Dan <dan@example.org>", "four", "four");
	ok(mb_store_msg_add(st, &m, &id3, &err) == 0, "after the rollback, a message");
	is_int(file_size(src), size + 32 + (off_t)m.raw_len,
	       "the rolled-back source was cut off before the next one went in");
	size = file_size(src);
	ok(mb_store_msg_raw(st, id3, (mb_buf_reset(&b), &b), &err) == 0 &&
	           strcmp(b.data, m.raw) == 0,
	   "and that one reads back: %s", err.msg);

	/* a source kept as a blob by an older mailbench */
	fill_msg(&m, inbox, 99, NULL, "Old <old@example.org>", "old", "old");
	ok(mb_store_msg_add(st, &m, &id1, &err) == 0, "a message");
	ok(side_exec(path, "UPDATE message_raw SET raw = x'6f6c642121', source_off = NULL, "
	                   "source_len = NULL WHERE message_id = (SELECT max(message_id) "
	                   "FROM message_raw)") == 0,
	   "... its source made a blob, as schema 4 stored it");
	ok(mb_store_msg_raw(st, id1, (mb_buf_reset(&b), &b), &err) == 0 &&
	           strcmp(b.data, "old!!") == 0,
	   "still reads: %s", err.msg);
	ok(mb_store_msg_raw_size(st, id1, &len, &err) == 0 && len == 5, "... with its size");
	fill_msg(&m, inbox, 1, NULL, "Ann <ann@example.org>", "one", "one");
	ok(mb_store_msg_find_uid(st, inbox, 1, &id1, &err) == 0 && id1 > 0, "message 1 again");
	ok(mb_store_check(st, false, &err) == 0, "the full check passes: %s", err.msg);

	/* damage: one byte of the large source */
	flip_byte(src, 16 + 32 + (off_t)strlen(one) + 32 + 1000);
	ok(mb_store_msg_raw(st, id2, (mb_buf_reset(&b), &b), &err) < 0 && err.kind == MB_ERR_STORE,
	   "a damaged source is an error, not wrong bytes: %s", err.msg);
	like(err.msg, "is damaged (its checksum does not match)", "saying so");
	ok(mb_store_check(st, false, &err) < 0, "the full check finds it: %s", err.msg);
	ok(mb_store_msg_raw(st, id1, (mb_buf_reset(&b), &b), &err) == 0 && strcmp(b.data, one) == 0,
	   "the other sources still read");
	flip_byte(src, 16 + 32 + (off_t)strlen(one) + 32 + 1000);
	ok(mb_store_check(st, false, &err) == 0, "undone, the check passes again: %s", err.msg);
	/* a cut file */
	if (truncate(src, size - 10) < 0)
		diag("truncate: %s", strerror(errno));
	ok(mb_store_msg_raw(st, id3, (mb_buf_reset(&b), &b), &err) < 0,
	   "a cut source is an error: %s", err.msg);
	fill_msg(&m, inbox, 5, NULL, "Eve <eve@example.org>", "five", "five");
	ok(mb_store_msg_add(st, &m, &id3, &err) < 0, "and nothing is appended to a cut file");
	like(err.msg, "than the cache says", "saying so");
	mb_buf_release(&b);
	free(two);
	mb_store_close(st);
}

/* A checksum taken by the caller (mb_msg_in.raw_sum, as the receiving thread does) is the
   one stored: the right one reads back, a wrong one is caught at the first read. */
static void
test_sources_presum(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = open_or_die(tpath("presum.db"));
	struct mb_buf b = MB_BUF_INIT;
	struct mb_msg_in m;
	int64_t acct, inbox, id1, id2;
	const char *src = "Subject: summed\r\n\r\nby the caller\r\n";

	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	fill_msg(&m, inbox, 1, NULL, "Ann <ann@example.org>", "summed", "summed");
	m.raw = src;
	m.raw_len = strlen(src);
	m.raw_summed = true;
	m.raw_sum = mb_store_source_sum(src, m.raw_len);
	ok(mb_store_msg_add(st, &m, &id1, &err) == 0, "a message with its checksum given");
	ok(mb_store_msg_raw(st, id1, &b, &err) == 0 && strcmp(b.data, src) == 0, "reads back: %s",
	   err.msg);
	fill_msg(&m, inbox, 2, NULL, "Ann <ann@example.org>", "wrong", "wrong");
	m.raw = src;
	m.raw_len = strlen(src);
	m.raw_summed = true;
	m.raw_sum = mb_store_source_sum(src, m.raw_len) ^ 1;
	ok(mb_store_msg_add(st, &m, &id2, &err) == 0, "a message with a wrong checksum given");
	ok(mb_store_msg_raw(st, id2, (mb_buf_reset(&b), &b), &err) < 0 && err.kind == MB_ERR_STORE,
	   "is refused at the first read: %s", err.msg);
	ok(mb_store_check(st, false, &err) < 0, "and by the full check");
	mb_buf_release(&b);
	mb_store_close(st);
}

/* A sync's checkpointer syncs the file its commits point into: when another process compacts
   the sources meanwhile, the next commit hands it the new generation's file. */
static void
test_sources_compact_midsync(void)
{
	struct mb_error err = MB_ERROR_INIT;
	const char *path = tpath("midsync.db");
	struct mb_store *st = open_or_die(path), *other;
	struct mb_msg_in m;
	int64_t acct, inbox, ids[8];
	bool done = false;
	int i;

	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	for (i = 0; i < 8; i++) {
		fill_msg(&m, inbox, (uint32_t)i + 1, NULL, "Ann <ann@example.org>", "m", "m");
		mb_store_msg_add(st, &m, &ids[i], &err);
	}
	st->ckpt_pages = 1; /* a checkpoint after every commit */
	mb_store_bulk_begin(st);
	is_int(store_ckpt_sources_gen(st), 0, "the sync's checkpointer syncs generation 0");
	ok(mb_store_open(&other, path, &err) == 0, "another process: %s", err.msg);
	for (i = 0; i < 6; i++) /* holes past the live bytes */
		mb_store_msg_delete(other, ids[i], &err);
	ok(store_sources_compact(other, 1, &done, &err) == 0 && done,
	   "compacts the sources meanwhile: %s", err.msg);
	mb_store_close(other);
	fill_msg(&m, inbox, 100, NULL, "Ben <ben@example.org>", "after", "after");
	ok(mb_store_msg_add(st, &m, &ids[0], &err) == 0, "the sync stores on: %s", err.msg);
	is_int(store_ckpt_sources_gen(st), 1,
	       "its checkpointer now syncs generation 1, where that commit points");
	mb_store_bulk_end(st);
	ok(mb_store_check(st, false, &err) == 0, "the cache is whole: %s", err.msg);
	mb_store_close(st);
}

/* Compaction: holes left by deleted messages are given back; a reader holding the old file
   reads on; the cut is atomic for every reader. */
static void
test_sources_compact(void)
{
	struct mb_error err = MB_ERROR_INIT;
	const char *path = tpath("compact.db");
	char src0[600], src1[600];
	struct mb_store *st = open_or_die(path), *rd;
	struct mb_buf b = MB_BUF_INIT;
	struct mb_msg_in m;
	int64_t acct, inbox, ids[40];
	char *big = xmalloc(50001);
	bool done = true;
	off_t before;
	int i, bad = 0;

	snprintf(src0, sizeof src0, "%s-sources", path);
	snprintf(src1, sizeof src1, "%s-sources.1", path);
	mb_store_account_ensure(st, "a", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", ".", &inbox, &err);
	mb_store_bulk_begin(st);
	ok(mb_store_begin(st, &err) == 0, "a batch");
	for (i = 0; i < 40; i++) {
		memset(big, 'a' + i % 26, 50000);
		big[50000] = '\0';
		fill_msg(&m, inbox, (uint32_t)i + 1, NULL, "Ann <ann@example.org>", "big", "big");
		m.raw = big;
		m.raw_len = 50000;
		if (mb_store_msg_add(st, &m, &ids[i], &err) < 0)
			break;
	}
	ok(i == 40 && mb_store_commit(st, &err) == 0, "40 messages of 50 000 bytes: %s", err.msg);
	mb_store_bulk_end(st);
	ok(file_size(src1) < 0, "bulk's end compacts nothing without holes");
	ok(store_sources_compact(st, 1, &done, &err) == 0 && !done,
	   "nor does a compaction asked for: %s", err.msg);

	/* a second handle reads a source, so it holds generation 0 open */
	ok(mb_store_open(&rd, path, &err) == 0 && mb_store_msg_raw(rd, ids[39], &b, &err) == 0,
	   "a reader reads a source: %s", err.msg);
	for (i = 0; i < 30; i++)
		if (mb_store_msg_delete(st, ids[i], &err) < 0)
			break;
	is_int(i, 30, "30 of them deleted: %s", err.msg);
	is_int(sql_int(st, "SELECT value FROM meta WHERE key = 'sources_holes'"), 30 * (32 + 50000),
	       "the holes they left are counted");
	before = file_size(src0);
	ok(store_sources_compact(st, (int64_t)1 << 40, &done, &err) == 0 && !done,
	   "holes under the threshold: no compaction");
	ok(store_sources_compact(st, 1, &done, &err) == 0 && done, "past it: compacted: %s",
	   err.msg);
	is_int(file_size(src1), 16 + 10 * (32 + 50000), "the new file holds the 10 left, no more");
	ok(file_size(src0) < 0 && before > file_size(src1), "the old file is gone");
	is_int(sql_int(st, "SELECT value FROM meta WHERE key = 'sources_gen'"), 1,
	       "generation 1 is recorded");
	is_int(sql_int(st, "SELECT value FROM meta WHERE key = 'sources_holes'"), 0,
	       "with no holes");
	for (i = 30; i < 40; i++) {
		if (mb_store_msg_raw(st, ids[i], (mb_buf_reset(&b), &b), &err) < 0 ||
		    b.len != 50000 || b.data[0] != 'a' + i % 26 || b.data[49999] != 'a' + i % 26)
			bad++;
	}
	is_int(bad, 0, "every source left reads back from the new file");
	ok(mb_store_msg_raw(rd, ids[35], (mb_buf_reset(&b), &b), &err) == 0 && b.len == 50000 &&
	           b.data[0] == 'a' + 35 % 26,
	   "the reader that held the old file reads the new offsets from the new file: %s",
	   err.msg);
	fill_msg(&m, inbox, 100, NULL, "Ben <ben@example.org>", "after", "after");
	ok(mb_store_msg_add(st, &m, &ids[0], &err) == 0 &&
	           mb_store_msg_raw(rd, ids[0], (mb_buf_reset(&b), &b), &err) == 0 &&
	           strcmp(b.data, m.raw) == 0,
	   "a message stored after it goes to the new file: %s", err.msg);
	ok(mb_store_check(st, false, &err) == 0, "the full check passes: %s", err.msg);

	/* the end of a bulk store (a sync) compacts by itself past the threshold */
	for (i = 30; i < 40; i++)
		mb_store_msg_delete(st, ids[i], &err);
	st->src_compact_min = 100000; /* 10 deleted sources of 50 000 bytes are past it */
	mb_store_bulk_begin(st);
	mb_store_bulk_end(st);
	is_int(sql_int(st, "SELECT value FROM meta WHERE key = 'sources_gen'"), 2,
	       "bulk's end compacted past the threshold: generation 2");
	is_int(file_size(src1), -1, "generation 1's file is gone");
	ok(mb_store_msg_raw(st, ids[0], (mb_buf_reset(&b), &b), &err) == 0 &&
	           strcmp(b.data, m.raw) == 0,
	   "the one message left reads: %s", err.msg);
	mb_store_close(rd);
	mb_buf_release(&b);
	free(big);
	mb_store_close(st);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	unsetenv("MAILBENCH_CACHE_ASSUME_NFS");
	test_paths();
	test_migrations();
	test_journal();
	test_messages();
	test_raw();
	test_fts_query();
	test_search();
	test_outbox();
	test_drafts();
	test_sessions();
	test_pins();
	test_batches();
	test_fts_batches();
	test_fts_file();
	test_bulk();
	test_sources();
	test_sources_presum();
	test_sources_compact_midsync();
	test_sources_compact();
	rm_rf(tmpdir);
	return done_testing();
}
