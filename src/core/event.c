/*
 * event.c: the event queue from worker threads to the UI thread: a
 * mutex-protected list plus a self-pipe that wakes the UI's poll().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailbench/event.h"
#include "mailbench/xalloc.h"

struct qnode {
	struct mb_event *ev;
	struct qnode *next;
};

struct mb_queue {
	pthread_mutex_t lock;
	struct qnode *head, *tail;
	int pipe[2];
};

struct mb_queue *
mb_queue_new(void)
{
	struct mb_queue *q = xcalloc(1, sizeof *q);

	pthread_mutex_init(&q->lock, NULL);
	if (pipe2(q->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("mailbench: pipe");
		abort();
	}
	return q;
}

void
mb_queue_free(struct mb_queue *q)
{
	struct mb_event *ev;

	if (q == NULL)
		return;
	while ((ev = mb_queue_pop(q)) != NULL)
		mb_event_free(ev);
	close(q->pipe[0]);
	close(q->pipe[1]);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

int
mb_queue_fd(const struct mb_queue *q)
{
	return q->pipe[0];
}

void
mb_queue_push(struct mb_queue *q, struct mb_event *ev)
{
	struct qnode *n = xmalloc(sizeof *n);
	bool was_empty;
	ssize_t r;

	n->ev = ev;
	n->next = NULL;
	pthread_mutex_lock(&q->lock);
	was_empty = q->head == NULL;
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	pthread_mutex_unlock(&q->lock);
	/* one byte per empty-to-busy transition is enough to wake the reader */
	if (was_empty) {
		r = write(q->pipe[1], "e", 1);
		(void)r; /* a full pipe already wakes the reader */
	}
}

struct mb_event *
mb_queue_pop(struct mb_queue *q)
{
	struct qnode *n;
	struct mb_event *ev = NULL;
	char drain[64];

	pthread_mutex_lock(&q->lock);
	n = q->head;
	if (n != NULL) {
		q->head = n->next;
		if (q->head == NULL)
			q->tail = NULL;
		ev = n->ev;
		free(n);
	} else {
		/* empty: clear the wake-ups so poll() sleeps again */
		while (read(q->pipe[0], drain, sizeof drain) > 0)
			;
	}
	pthread_mutex_unlock(&q->lock);
	return ev;
}

struct mb_event *
mb_event_new(enum mb_event_kind kind, uint64_t job)
{
	struct mb_event *ev = xcalloc(1, sizeof *ev);

	ev->kind = kind;
	ev->job = job;
	ev->tline.rtt_ms = -1;
	return ev;
}

struct mb_event *
mb_event_tline(uint64_t job, const struct mb_tline *tl)
{
	struct mb_event *ev = mb_event_new(MB_EV_TLINE, job);

	ev->tline.session = tl->session;
	ev->tline.seq = tl->seq;
	ev->tline.dir = tl->dir;
	ev->tline.ts_us = tl->ts_us;
	ev->tline.text = xmemdup0(tl->text, tl->len);
	ev->tline.len = tl->len;
	ev->tline.code = tl->code;
	ev->tline.status = tl->status ? xstrdup(tl->status) : NULL;
	ev->tline.meaning = tl->meaning ? xstrdup(tl->meaning) : NULL;
	ev->tline.rtt_ms = tl->rtt_ms;
	ev->tline.flags = tl->flags;
	ev->tline.answers = tl->answers ? xstrdup(tl->answers) : NULL;
	return ev;
}

void
mb_event_free(struct mb_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->tline.text);
	free(ev->tline.status);
	free(ev->tline.meaning);
	free(ev->tline.answers);
	free(ev->text);
	free(ev);
}
