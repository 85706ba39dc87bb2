/*
 * bulk.c: bulk storing for a sync (see mb_store_bulk_begin in store.h).
 *
 * Where a sync's time went before (POP3, 10 000 messages, 295 MB, on a
 * 2-core VM): a third of it waiting in fdatasync, two per WAL checkpoint,
 * one checkpoint per 1000 pages; and a sixth copying pages into statement
 * journals, once per message, for the savepoint each add took.
 *
 * The checkpointer: the writer's WAL hook (called after each commit with
 * the pages in the log) asks a thread to checkpoint once the log holds
 * STORE_CKPT_PAGES (st->ckpt_pages in the unit tests); the thread runs a PASSIVE checkpoint on its
 * own connection, which never blocks the writer and copies only what no reader still needs. A log
 * that the thread cannot keep short (the writer is faster, or a reader holds an old snapshot) is
 * capped: past 8 times that many pages the writer waits until a checkpoint that began after its
 * commit has finished; the log is then wholly copied (unless a reader holds it), and SQLite starts
 * it over at the next write.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

struct store_ckpt {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sqlite3 *db;               /* the checkpointer's own connection */
	struct mb_store *st;       /* the writer's (read on its thread only, in the hook) */
	int pages;                 /* a checkpoint is asked for past this many pages of log */
	int src_fd;                /* the sources file (a dup), synced before each checkpoint */
	int64_t src_gen;           /* ... its generation, or the one next_fd is */
	int next_fd;               /* a newer generation's file (a dup), taken at the next one */
	unsigned long ask;         /* checkpoints asked for */
	unsigned long began, done; /* the ask count when the last checkpoint began, finished */
	bool stop;
};

static void *
ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;
	unsigned long gen;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->stop && c->ask == c->began)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		gen = c->began = c->ask;
		if (c->next_fd >= 0) {
			if (c->src_fd >= 0)
				close(c->src_fd);
			c->src_fd = c->next_fd;
			c->next_fd = -1;
		}
		pthread_mutex_unlock(&c->mu);
		/* the sources before the log, so that the database never points past them on
		   disk; a failure changes nothing: the log stays valid, a later checkpoint
		   copies it */
		if (c->src_fd < 0 || fdatasync(c->src_fd) == 0)
			sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL,
			                          NULL);
		pthread_mutex_lock(&c->mu);
		c->done = gen;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* After each commit of the writer (its thread), with the pages now in the log. */
static int
ckpt_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_ckpt *c = arg;
	unsigned long gen;

	(void)db;
	(void)name;
	if (pages < c->pages)
		return SQLITE_OK;
	pthread_mutex_lock(&c->mu);
	/* another process compacted the sources during this sync: the commits now point into
	   the new file, which is the one to sync before the log is copied */
	if (c->st->src_fd >= 0 &&
	    (c->st->src_gen != c->src_gen || (c->src_fd < 0 && c->next_fd < 0))) {
		if (c->next_fd >= 0)
			close(c->next_fd);
		c->next_fd = dup(c->st->src_fd);
		c->src_gen = c->st->src_gen;
	}
	gen = ++c->ask;
	pthread_cond_broadcast(&c->cv);
	if (pages >= 8 * c->pages)
		while (c->done < gen)
			pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

static void
ckpt_free(struct store_ckpt *c)
{
	sqlite3_close_v2(c->db);
	if (c->src_fd >= 0)
		close(c->src_fd);
	if (c->next_fd >= 0)
		close(c->next_fd);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* Start the checkpointer; without it (no WAL, or it cannot start) SQLite checkpoints. */
static void
ckpt_start(struct mb_store *st)
{
	struct store_ckpt *c;

	if (!st->wal)
		return;
	c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->pages = st->ckpt_pages > 0 ? st->ckpt_pages : STORE_CKPT_PAGES;
	c->st = st;
	c->next_fd = -1;
	/* without the file (it cannot be made), the first message stored says why */
	c->src_fd = store_sources_open(st, NULL) == 0 ? dup(st->src_fd) : -1;
	c->src_gen = st->src_gen;
	if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	            SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK ||
	    pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
		ckpt_free(c);
		return;
	}
	pthread_setname_np(c->thread, "mb-checkpoint"); /* shown by top -H and perf */
	st->ckpt = c;
	/* replaces SQLite's automatic checkpoint, which is a WAL hook too */
	sqlite3_wal_hook(st->db, ckpt_hook, c);
}

static void
ckpt_stop(struct mb_store *st)
{
	struct store_ckpt *c = st->ckpt;

	if (c == NULL)
		return;
	sqlite3_wal_autocheckpoint(st->db, STORE_CKPT_PAGES);
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	ckpt_free(c);
	st->ckpt = NULL;
}

int64_t
store_ckpt_sources_gen(struct mb_store *st)
{
	int64_t gen;

	if (st->ckpt == NULL)
		return -1;
	pthread_mutex_lock(&st->ckpt->mu);
	gen = st->ckpt->src_gen;
	pthread_mutex_unlock(&st->ckpt->mu);
	return gen;
}

void
mb_store_process_init(void)
{
	/* no allocation statistics: they take a global mutex on every malloc, contended once
	   the checkpointer runs (SQLite refuses this after its first use: nothing is lost) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void
mb_store_bulk_begin(struct mb_store *st)
{
	if (st->bulk)
		return;
	st->bulk = true;
	/* statement journals in memory: they hold at most the pages one statement changes */
	sqlite3_exec(st->db, "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY", NULL, NULL,
	             NULL);
	ckpt_start(st);
}

void
mb_store_bulk_end(struct mb_store *st)
{
	bool compacted;

	if (!st->bulk)
		return;
	store_fts_thread_stop(st); /* which indexes what is left */
	ckpt_stop(st);
	/* what a sync expunged or refetched left in the sources file, once it is worth it (a
	   failure leaves the file as it was, to try again at the next sync) */
	if (st->depth == 0)
		store_sources_compact(st,
		                      st->src_compact_min > 0 ? st->src_compact_min
		                                              : STORE_SOURCES_COMPACT_MIN,
		                      &compacted, NULL);
	sqlite3_exec(st->db, "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT", NULL, NULL,
	             NULL);
	st->bulk = false;
}
