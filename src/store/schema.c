/*
 * schema.c: the cache's schema as a list of forward migrations, and the
 * code that applies them.
 *
 * PRAGMA user_version is the number of migrations applied. Each step runs
 * in its own transaction that also bumps user_version, so a crash leaves
 * the file at a whole step. A cache with a higher version than this build
 * knows was written by a newer mailbench and is refused, never "fixed".
 *
 * THE RULE: a migration that has been released is never edited. Migration
 * 1 is the initial schema; every later change (a column, an index, a table)
 * is a new step appended to store_migrations[], and MB_STORE_SCHEMA_VERSION
 * in store.h goes up with it.
 *
 * Design notes for migration 1:
 *  - messages carries the list columns; the raw source is in message_raw
 *    (keyed by the message id, read with sqlite3_blob_*) so that list
 *    queries never touch it; trace headers in message_trace and
 *    message_received; the decoded body text for search in message_text.
 *  - IMAP UIDs (uid) and POP3 UIDLs (uidl) each have their own UNIQUE key
 *    per mailbox; a row has one of them or both.
 *  - Header fields are immutable once stored (a trigger refuses updates),
 *    because the full-text index is external-content over them: the index
 *    (message_fts) reads its content from the view message_fts_src and a
 *    BEFORE DELETE trigger feeds it the exact old values.
 *  - mailboxes.total and .unread are kept right by triggers on messages.
 *  - Sort indexes per mailbox (date, from, subject, size); the rowid (id)
 *    ends every index, so "ORDER BY key, id" needs no sorting step.
 */
#include "config.h"

#include <stdio.h>

#include "store/private.h"

static const char schema_1[] =
        "PRAGMA application_id = 1296188235;\n" /* STORE_APPLICATION_ID, "MBCK" */
        "CREATE TABLE meta(\n"
        "  key TEXT PRIMARY KEY,\n"
        "  value\n"
        ") WITHOUT ROWID;\n"

        "CREATE TABLE accounts(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  name TEXT NOT NULL UNIQUE\n"
        ");\n"

        "CREATE TABLE mailboxes(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
        "  protocol TEXT NOT NULL CHECK (protocol IN ('imap', 'pop3')),\n"
        "  name TEXT NOT NULL,\n"
        "  delimiter TEXT NOT NULL DEFAULT '',\n"
        "  uidvalidity INTEGER NOT NULL DEFAULT 0,\n"
        "  uidnext INTEGER NOT NULL DEFAULT 0,\n"
        "  highestmodseq INTEGER NOT NULL DEFAULT 0,\n"
        "  last_full_check INTEGER NOT NULL DEFAULT 0,\n"
        "  total INTEGER NOT NULL DEFAULT 0,\n"
        "  unread INTEGER NOT NULL DEFAULT 0,\n"
        "  UNIQUE (account_id, protocol, name)\n"
        ");\n"

        "CREATE TABLE messages(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
        "  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,\n"
        "  uid INTEGER CHECK (uid IS NULL OR uid BETWEEN 1 AND 4294967295),\n"
        "  uidl TEXT,\n"
        "  size INTEGER NOT NULL DEFAULT 0,\n"
        "  flags INTEGER NOT NULL DEFAULT 0,\n"
        "  modseq INTEGER NOT NULL DEFAULT 0,\n"
        "  internaldate INTEGER NOT NULL DEFAULT 0,\n"
        "  date INTEGER NOT NULL DEFAULT 0,\n"
        "  date_text TEXT NOT NULL DEFAULT '',\n"
        "  from_text TEXT NOT NULL DEFAULT '' COLLATE NOCASE,\n"
        "  to_text TEXT NOT NULL DEFAULT '',\n"
        "  cc_text TEXT NOT NULL DEFAULT '',\n"
        "  subject TEXT NOT NULL DEFAULT '' COLLATE NOCASE,\n"
        "  message_id TEXT NOT NULL DEFAULT '',\n"
        "  in_reply_to TEXT NOT NULL DEFAULT '',\n"
        "  references_text TEXT NOT NULL DEFAULT '',\n"
        "  has_attachments INTEGER NOT NULL DEFAULT 0,\n"
        "  fetched_at INTEGER NOT NULL,\n"
        "  CHECK (uid IS NOT NULL OR uidl IS NOT NULL),\n"
        "  UNIQUE (mailbox_id, uid),\n"
        "  UNIQUE (mailbox_id, uidl)\n"
        ");\n"
        "CREATE INDEX messages_by_date ON messages(mailbox_id, date);\n"
        "CREATE INDEX messages_by_from ON messages(mailbox_id, from_text);\n"
        "CREATE INDEX messages_by_subject ON messages(mailbox_id, subject);\n"
        "CREATE INDEX messages_by_size ON messages(mailbox_id, size);\n"
        "CREATE INDEX messages_by_account ON messages(account_id);\n"
        "CREATE INDEX messages_by_message_id ON messages(message_id);\n"

        "CREATE TABLE message_raw(\n"
        "  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,\n"
        "  raw BLOB NOT NULL\n"
        ");\n"

        "CREATE TABLE message_trace(\n"
        "  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,\n"
        "  return_path TEXT NOT NULL DEFAULT '',\n"
        "  delivered_to TEXT NOT NULL DEFAULT '',\n"
        "  authentication_results TEXT NOT NULL DEFAULT ''\n"
        ");\n"
        "CREATE TABLE message_received(\n"
        "  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,\n"
        "  seq INTEGER NOT NULL,\n"
        "  value TEXT NOT NULL,\n"
        "  PRIMARY KEY (message_id, seq)\n"
        ") WITHOUT ROWID;\n"

        "CREATE TABLE message_text(\n"
        "  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,\n"
        "  body TEXT NOT NULL\n"
        ");\n"
        "CREATE VIEW message_fts_src AS\n"
        "  SELECT m.id AS id, m.from_text AS from_text, m.to_text AS to_text,\n"
        "         m.cc_text AS cc_text, m.subject AS subject, coalesce(t.body, '') AS body\n"
        "  FROM messages m LEFT JOIN message_text t ON t.message_id = m.id;\n"
        "CREATE VIRTUAL TABLE message_fts USING fts5(\n"
        "  from_text, to_text, cc_text, subject, body,\n"
        "  content = 'message_fts_src', content_rowid = 'id',\n"
        "  tokenize = 'unicode61 remove_diacritics 2'\n"
        ");\n"
        "CREATE TRIGGER messages_fts_delete BEFORE DELETE ON messages BEGIN\n"
        "  INSERT INTO message_fts(message_fts, rowid, from_text, to_text, cc_text, subject, "
        "body)\n"
        "  VALUES ('delete', old.id, old.from_text, old.to_text, old.cc_text, old.subject,\n"
        "          coalesce((SELECT body FROM message_text WHERE message_id = old.id), ''));\n"
        "END;\n"
        "CREATE TRIGGER messages_headers_immutable\n"
        "  BEFORE UPDATE OF from_text, to_text, cc_text, subject ON messages BEGIN\n"
        "  SELECT RAISE(ABORT, 'stored header fields cannot change (the full-text index holds "
        "them)');\n"
        "END;\n"
        "CREATE TRIGGER message_text_immutable BEFORE UPDATE ON message_text BEGIN\n"
        "  SELECT RAISE(ABORT, 'stored body text cannot change (the full-text index holds it)');\n"
        "END;\n"

        "CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN\n"
        "  UPDATE mailboxes SET total = total + 1, unread = unread + ((new.flags & 1) = 0)\n"
        "  WHERE id = new.mailbox_id;\n"
        "END;\n"
        "CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN\n"
        "  UPDATE mailboxes SET total = total - 1, unread = unread - ((old.flags & 1) = 0)\n"
        "  WHERE id = old.mailbox_id;\n"
        "END;\n"
        "CREATE TRIGGER messages_count_flags AFTER UPDATE OF flags ON messages\n"
        "  WHEN (old.flags & 1) != (new.flags & 1) BEGIN\n"
        "  UPDATE mailboxes SET unread = unread + ((new.flags & 1) = 0) - ((old.flags & 1) = 0)\n"
        "  WHERE id = new.mailbox_id;\n"
        "END;\n"

        "CREATE TABLE outbox(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  account TEXT NOT NULL,\n"
        "  created INTEGER NOT NULL,\n"
        "  updated INTEGER NOT NULL,\n"
        "  status TEXT NOT NULL DEFAULT 'queued'\n"
        "    CHECK (status IN ('queued', 'sending', 'sent', 'failed')),\n"
        "  envelope_from TEXT NOT NULL,\n"
        "  envelope_rcpts TEXT NOT NULL,\n" /* one address per line */
        "  raw BLOB NOT NULL,\n"
        "  hdr_from TEXT NOT NULL DEFAULT '',\n"
        "  hdr_to TEXT NOT NULL DEFAULT '',\n"
        "  hdr_cc TEXT NOT NULL DEFAULT '',\n"
        "  hdr_subject TEXT NOT NULL DEFAULT '',\n"
        "  attempts INTEGER NOT NULL DEFAULT 0,\n"
        "  last_error TEXT NOT NULL DEFAULT '',\n"
        "  last_error_kind TEXT NOT NULL DEFAULT '',\n"
        "  sent_at INTEGER NOT NULL DEFAULT 0,\n"
        "  rcpt_results TEXT NOT NULL DEFAULT '',\n"
        "  interrupted INTEGER NOT NULL DEFAULT 0,\n"
        "  sender_host TEXT NOT NULL DEFAULT '',\n" /* who runs the 'sending' attempt */
        "  sender_pid INTEGER NOT NULL DEFAULT 0\n"
        ");\n"
        "CREATE INDEX outbox_by_status ON outbox(status, created);\n"

        "CREATE TABLE drafts(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  account TEXT NOT NULL,\n"
        "  created INTEGER NOT NULL,\n"
        "  updated INTEGER NOT NULL,\n"
        "  to_text TEXT NOT NULL DEFAULT '',\n"
        "  cc_text TEXT NOT NULL DEFAULT '',\n"
        "  bcc_text TEXT NOT NULL DEFAULT '',\n"
        "  subject TEXT NOT NULL DEFAULT '',\n"
        "  body TEXT NOT NULL DEFAULT '',\n"
        "  html INTEGER NOT NULL DEFAULT 0,\n"
        "  attachments TEXT NOT NULL DEFAULT '',\n"   /* one path per line */
        "  envelope_from TEXT,\n"                     /* NULL: from the From: header */
        "  envelope_rcpts TEXT NOT NULL DEFAULT ''\n" /* one per line; '': from To/Cc/Bcc */
        ");\n"
        "CREATE INDEX drafts_by_updated ON drafts(updated);\n"

        "CREATE TABLE sessions(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  account TEXT NOT NULL,\n"
        "  protocol TEXT NOT NULL CHECK (protocol IN ('smtp', 'imap', 'pop3')),\n"
        "  host TEXT NOT NULL,\n"
        "  port INTEGER NOT NULL,\n"
        "  security TEXT NOT NULL,\n"
        "  started_us INTEGER NOT NULL,\n"
        "  ended_us INTEGER NOT NULL DEFAULT 0,\n"
        "  result TEXT CHECK (result IN ('ok', 'error')),\n" /* NULL: not ended */
        "  error TEXT NOT NULL DEFAULT '',\n"
        "  outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL,\n"
        "  nlines INTEGER NOT NULL DEFAULT 0\n"
        ");\n"
        "CREATE INDEX sessions_by_started ON sessions(started_us);\n"
        "CREATE INDEX sessions_by_outbox ON sessions(outbox_id) WHERE outbox_id IS NOT NULL;\n"
        "CREATE TABLE transcript_lines(\n"
        "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,\n"
        "  seq INTEGER NOT NULL,\n"
        "  direction TEXT NOT NULL CHECK (direction IN ('client', 'server', 'info', 'tls')),\n"
        "  ts_us INTEGER NOT NULL,\n"
        "  text BLOB NOT NULL,\n" /* the bytes as they were, NULs included */
        "  code INTEGER NOT NULL DEFAULT 0,\n"
        "  meaning TEXT NOT NULL DEFAULT '',\n"
        "  flags INTEGER NOT NULL DEFAULT 0,\n"
        "  PRIMARY KEY (session_id, seq)\n"
        ");\n"

        "CREATE TABLE cert_pins(\n"
        "  host TEXT NOT NULL COLLATE NOCASE,\n"
        "  port INTEGER NOT NULL,\n"
        "  sha256 TEXT NOT NULL COLLATE NOCASE,\n"
        "  accepted_at INTEGER NOT NULL,\n"
        "  PRIMARY KEY (host, port, sha256)\n"
        ") WITHOUT ROWID;\n";

/*
 * 2: round-trip times on transcript lines; a session may send several
 * outbox messages (mailbench send --eml a b c), each linked to it.
 */
static const char schema_2[] =
        "ALTER TABLE transcript_lines ADD COLUMN rtt_ms INTEGER NOT NULL DEFAULT -1;\n"
        "CREATE TABLE session_outbox(\n"
        "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,\n"
        "  outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,\n"
        "  PRIMARY KEY (outbox_id, session_id)\n"
        ") WITHOUT ROWID;\n"
        "INSERT INTO session_outbox(session_id, outbox_id)\n"
        "  SELECT id, outbox_id FROM sessions WHERE outbox_id IS NOT NULL;\n";

/*
 * 3: the session that fetched a message (its transcript opens from the
 * message); NULL for messages stored before, or when the session is gone.
 */
static const char schema_3[] = "ALTER TABLE messages ADD COLUMN session_id INTEGER\n"
                               "  REFERENCES sessions(id) ON DELETE SET NULL;\n";

/* FTS5 merges its index segments 16 at a time rather than 4: a bulk fetch of 10 000
   messages takes about a twentieth less time (measured: 2.84 s against 3.01 s for
   POP3), and a search meets a few more segments. */
static const char schema_4[] =
        "INSERT INTO message_fts(message_fts, rank) VALUES ('automerge', 16);\n";

/* sources move out to PATH-sources (sources.c): rows stored before keep theirs in raw */
static const char schema_5[] = "ALTER TABLE message_raw ADD COLUMN source_off INTEGER;\n"
                               "ALTER TABLE message_raw ADD COLUMN source_len INTEGER;\n";

/* the bytes of the sources file that deleted messages left (a record's header is 32 bytes),
   counted as they go, so that the end of a sync knows whether to compact without reading
   every row; a cache at 5 starts from what its rows do not account for */
static const char schema_6[] =
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('sources_holes',\n"
        "  coalesce((SELECT value FROM meta WHERE key = 'sources_end'), 16) - 16 -\n"
        "  coalesce((SELECT sum(32 + source_len) FROM message_raw\n"
        "            WHERE source_off IS NOT NULL), 0));\n"
        "CREATE TRIGGER message_raw_sources_hole AFTER DELETE ON message_raw\n"
        "  WHEN old.source_off IS NOT NULL BEGIN\n"
        "  UPDATE meta SET value = value + 32 + old.source_len WHERE key = 'sources_holes';\n"
        "END;\n";

/* transcript lines in the b-tree of their key (session, seq), not in a rowid table beside an
   index of that key: each line is written once, not twice (a POP3 fetch of 10 000 messages
   stores 60 000 lines); the lines of every session are copied over once */
static const char schema_7[] =
        "CREATE TABLE transcript_lines_7(\n"
        "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,\n"
        "  seq INTEGER NOT NULL,\n"
        "  direction TEXT NOT NULL CHECK (direction IN ('client', 'server', 'info', 'tls')),\n"
        "  ts_us INTEGER NOT NULL,\n"
        "  text BLOB NOT NULL,\n"
        "  code INTEGER NOT NULL DEFAULT 0,\n"
        "  meaning TEXT NOT NULL DEFAULT '',\n"
        "  flags INTEGER NOT NULL DEFAULT 0,\n"
        "  rtt_ms INTEGER NOT NULL DEFAULT -1,\n"
        "  PRIMARY KEY (session_id, seq)\n"
        ") WITHOUT ROWID;\n"
        "INSERT INTO transcript_lines_7(session_id, seq, direction, ts_us, text, code, meaning,\n"
        "                               flags, rtt_ms)\n"
        "  SELECT session_id, seq, direction, ts_us, text, code, meaning, flags, rtt_ms\n"
        "  FROM transcript_lines;\n"
        "DROP TABLE transcript_lines;\n"
        "ALTER TABLE transcript_lines_7 RENAME TO transcript_lines;\n";

/* The full-text index moves to a file of its own, PATH-fts, with a writer of its own (fts.c);
   the first search, or the first sync, builds it from the messages. An id is never given
   twice (the index keeps a deleted message's entries, and must not find a new message by
   them): max_deleted_id remembers the highest id deleted, insert_row gives one above it.
   The header and text triggers stay: the index holds what was stored, which must not change.
   fts_token names this cache, so that an index of another one is not taken for its. */
static const char schema_8[] =
        "DROP TRIGGER messages_fts_delete;\n"
        "DROP VIEW message_fts_src;\n"
        "DROP TABLE message_fts;\n"
        "CREATE TRIGGER messages_max_deleted AFTER DELETE ON messages\n"
        "  WHEN old.id > coalesce((SELECT value FROM meta WHERE key = 'max_deleted_id'), 0)\n"
        "BEGIN\n"
        "  INSERT OR REPLACE INTO meta(key, value) VALUES ('max_deleted_id', old.id);\n"
        "END;\n"
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('fts_token', abs(random()));\n";

/* Append new steps at the end; never edit a released one (see the top of this file). */
const struct store_migration store_migrations[] = {
        {"initial schema", schema_1},
        {"round-trip times; sessions sending several messages", schema_2},
        {"the session that fetched each message", schema_3},
        {"full-text index merges 16 segments at a time", schema_4},
        {"message sources in a file of their own", schema_5},
        {"holes in the sources file counted", schema_6},
        {"transcript lines stored by their key", schema_7},
        {"full-text index in a file of its own", schema_8},
};

const int store_nmigrations = sizeof store_migrations / sizeof store_migrations[0];

_Static_assert(sizeof store_migrations / sizeof store_migrations[0] == MB_STORE_SCHEMA_VERSION,
               "MB_STORE_SCHEMA_VERSION must count the migrations");

/* The user_version, read in or out of a transaction. */
static int
read_version(struct mb_store *st, int64_t *v, struct mb_error *err)
{
	sqlite3_stmt *s = store_stmt(st, "PRAGMA user_version", err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_fail(st, err, rc, "cannot read the schema version");
	}
	*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* Apply step number v + 1 unless another process did it first. */
static int
apply_step(struct mb_store *st, const struct store_migration *steps, int nsteps,
           struct mb_error *err)
{
	char sql[64];
	int64_t v;
	int rc;

	if (mb_store_begin(st, err) < 0)
		return -1;
	if (read_version(st, &v, err) < 0)
		goto fail;
	if (v >= nsteps) /* done meanwhile, or newer: the caller looks again */
		return mb_store_commit(st, err);
	rc = sqlite3_exec(st->db, steps[v].sql, NULL, NULL, NULL);
	if (rc == SQLITE_ERROR) {
		mb_error_set(err, MB_ERR_STORE, "cannot upgrade cache '%s' to schema %lld (%s): %s",
		             st->path, (long long)v + 1, steps[v].what, sqlite3_errmsg(st->db));
		goto fail;
	} else if (rc != SQLITE_OK) {
		/* busy, full, damaged: that message says it best */
		store_fail(st, err, rc, "cannot upgrade the schema");
		mb_error_prefix(err, "cannot upgrade to schema %lld", (long long)v + 1);
		goto fail;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)v + 1);
	if (store_exec(st, sql, err) < 0)
		goto fail;
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
store_migrate(struct mb_store *st, const struct store_migration *steps, int nsteps,
              struct mb_error *err)
{
	int64_t v;
	int i;

	/* at most one pass per step, plus the final look */
	for (i = 0; i <= nsteps; i++) {
		if (read_version(st, &v, err) < 0)
			return -1;
		if (v > nsteps)
			return mb_error_set(
			        err, MB_ERR_STORE,
			        "cache '%s' was written by a newer mailbench (schema %lld, "
			        "this one knows %d)",
			        st->path, (long long)v, nsteps);
		if (v == nsteps)
			return 0;
		if (apply_step(st, steps, nsteps, err) < 0)
			return -1;
	}
	return mb_error_set(err, MB_ERR_INTERNAL, "cache '%s': the schema version does not advance",
	                    st->path);
}
