/*
 * sync_pipe.c: a retrieval on two threads (see sync_private.h).
 *
 * Where a POP3 fetch's time went on one thread (10 000 messages, 295 MB,
 * 2-core VM): about a fifth receiving, unstuffing and parsing, the rest
 * storing (rows, the full-text index, the sources through the WAL). On one
 * thread the two add up, and the server waits while the cache is written.
 * With the pipe the protocol thread receives and parses, the store thread
 * writes, and a queue between them holds at most PIPE_MAX_BYTES of message
 * sources (one message more when the queue is empty, whatever its size), so
 * memory stays bounded however fast the server is.
 *
 * Only the store thread touches the store while the pipe runs: the batches,
 * the counters and the progress callback are its own; the transcript sink,
 * called on the protocol thread, only queues lines (mb_tstore_defer), and
 * the store thread writes them.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/sync_private.h"
#include "mailbench/xalloc.h"

#define PIPE_MAX_BYTES (8u << 20)

struct sync_pipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* the queue changed, or the pipe's state */
	struct sync_msg *head, *tail;
	size_t bytes; /* sources queued */
	/* stored messages, freed by the protocol thread: it allocated them, and glibc's free()
	   of another thread's memory takes that thread's arena lock, which the protocol thread,
	   allocating all the time, holds often (the store thread slept on it 900 times in a
	   10 000-message fetch) */
	struct sync_msg *done;
	/* a thread waits on cv: the store thread for a message, the protocol thread for room
	   (woken once the queue is half empty: a wake-up per message costs more than the rest
	   of the hand-over) */
	bool store_waits, proto_waits;
	bool closing; /* nothing more comes: store what is queued, then stop */
	bool cancel;  /* stop now, store nothing more */
	bool failed;  /* the store thread stopped on an error: err says why */
	struct mb_error err;
	struct sync_run *r;
};

/* Hand the message the store thread is done with (or NULL) to the protocol thread, under
   the lock. */
static void
give_back(struct sync_pipe *p, struct sync_msg *done)
{
	if (done != NULL) {
		done->next = p->done;
		p->done = done;
	}
}

/* The next message for the store thread, handing over the one it stored (*done). */
static struct sync_msg *
pop(struct sync_pipe *p, struct sync_msg **done)
{
	struct sync_msg *m;

	pthread_mutex_lock(&p->mu);
	give_back(p, *done);
	*done = NULL;
	while (p->head == NULL && !p->closing && !p->cancel) {
		p->store_waits = true;
		pthread_cond_wait(&p->cv, &p->mu);
		p->store_waits = false;
	}
	m = p->cancel ? NULL : p->head;
	if (m != NULL) {
		p->head = m->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->bytes -= m->len;
		if (p->proto_waits && p->bytes <= PIPE_MAX_BYTES / 2)
			pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return m;
}

static void *
store_main(void *arg)
{
	struct sync_pipe *p = arg;
	struct mb_error err = MB_ERROR_INIT;
	struct sync_msg *m, *done = NULL;
	int rc = 0;

	while (rc == 0 && (m = pop(p, &done)) != NULL) {
		rc = mb_sync_store(p->r, m, &err);
		done = m;
		if (rc == 0 && mb_tstore_pending(&p->r->ts) >= MB_TSTORE_BATCH)
			mb_tstore_flush(&p->r->ts);
	}
	pthread_mutex_lock(&p->mu);
	give_back(p, done);
	if (rc < 0) {
		p->failed = true;
		p->err = err;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
mb_sync_pipe_start(struct sync_run *r, struct mb_error *err)
{
	struct sync_pipe *p = xcalloc(1, sizeof *p);
	int e;

	p->r = r;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	mb_tstore_defer(&r->ts, true);
	if ((e = pthread_create(&p->thread, NULL, store_main, p)) != 0) {
		mb_tstore_defer(&r->ts, false);
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return mb_error_set(err, MB_ERR_INTERNAL, "cannot start the store thread: %s",
		                    strerror(e));
	}
	pthread_setname_np(p->thread, "mb-store"); /* shown by top -H and perf */
	r->pipe = p;
	return 0;
}

static void
free_list(struct sync_msg *m)
{
	struct sync_msg *next;

	for (; m != NULL; m = next) {
		next = m->next;
		mb_sync_msg_free(m);
	}
}

int
mb_sync_pipe_put(struct sync_run *r, struct sync_msg *m, struct mb_error *err)
{
	struct sync_pipe *p = r->pipe;
	struct sync_msg *done;

	pthread_mutex_lock(&p->mu);
	while (!p->failed && p->bytes > 0 && p->bytes + m->len > PIPE_MAX_BYTES) {
		p->proto_waits = true;
		pthread_cond_wait(&p->cv, &p->mu);
		p->proto_waits = false;
	}
	done = p->done;
	p->done = NULL;
	if (p->failed) {
		if (err)
			*err = p->err;
		pthread_mutex_unlock(&p->mu);
		free_list(done);
		mb_sync_msg_free(m);
		return -1;
	}
	m->next = NULL;
	if (p->tail)
		p->tail->next = m;
	else
		p->head = m;
	p->tail = m;
	p->bytes += m->len;
	if (p->store_waits)
		pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	free_list(done);
	return 0;
}

int
mb_sync_pipe_finish(struct sync_run *r, bool store_rest, struct mb_error *err)
{
	struct sync_pipe *p = r->pipe;
	int rc = 0;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->mu);
	if (store_rest)
		p->closing = true;
	else
		p->cancel = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	r->pipe = NULL;
	mb_tstore_defer(&r->ts, false);
	if (p->failed && store_rest) {
		if (err)
			*err = p->err;
		rc = -1;
	}
	free_list(p->done);
	free_list(p->head);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return rc;
}
