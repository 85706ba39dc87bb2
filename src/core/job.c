/*
 * job.c: worker threads that run network work and report through events.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "mailbench/buf.h"
#include "mailbench/job.h"
#include "mailbench/xalloc.h"

struct mb_job {
	uint64_t id;
	pthread_t thread;
	struct mb_queue *q;
	mb_job_fn fn;
	void *arg;
	void (*free_arg)(void *);
	atomic_bool cancelled;
	pthread_mutex_t lock; /* guards the hook */
	void (*hook)(void *);
	void *hook_ctx;
};

static atomic_uint_fast64_t next_id = 1;

static void *
job_main(void *p)
{
	struct mb_job *job = p;

	job->fn(job, job->arg);
	return NULL;
}

struct mb_job *
mb_job_start(struct mb_queue *q, mb_job_fn fn, void *arg, void (*free_arg)(void *))
{
	struct mb_job *job = xcalloc(1, sizeof *job);

	job->id = atomic_fetch_add(&next_id, 1);
	job->q = q;
	job->fn = fn;
	job->arg = arg;
	job->free_arg = free_arg;
	atomic_init(&job->cancelled, false);
	pthread_mutex_init(&job->lock, NULL);
	if (pthread_create(&job->thread, NULL, job_main, job) != 0)
		abort();
	return job;
}

uint64_t
mb_job_id(const struct mb_job *job)
{
	return job->id;
}

struct mb_queue *
mb_job_queue(struct mb_job *job)
{
	return job->q;
}

void
mb_job_cancel(struct mb_job *job)
{
	atomic_store(&job->cancelled, true);
	pthread_mutex_lock(&job->lock);
	if (job->hook != NULL)
		job->hook(job->hook_ctx);
	pthread_mutex_unlock(&job->lock);
}

bool
mb_job_cancelled(struct mb_job *job)
{
	return atomic_load(&job->cancelled);
}

void
mb_job_set_cancel_hook(struct mb_job *job, void (*fn)(void *), void *ctx)
{
	pthread_mutex_lock(&job->lock);
	job->hook = fn;
	job->hook_ctx = ctx;
	if (fn != NULL && atomic_load(&job->cancelled))
		fn(ctx);
	pthread_mutex_unlock(&job->lock);
}

void
mb_job_post(struct mb_job *job, struct mb_event *ev)
{
	ev->job = job->id;
	mb_queue_push(job->q, ev);
}

void
mb_job_status(struct mb_job *job, const char *fmt, ...)
{
	struct mb_event *ev = mb_event_new(MB_EV_STATUS, job->id);
	struct mb_buf b = MB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	ev->text = mb_buf_detach(&b, NULL);
	mb_job_post(job, ev);
}

void
mb_job_progress(struct mb_job *job, uint64_t done, uint64_t total, uint64_t bytes,
                uint64_t bytes_total)
{
	struct mb_event *ev = mb_event_new(MB_EV_PROGRESS, job->id);

	ev->progress.done = done;
	ev->progress.total = total;
	ev->progress.bytes = bytes;
	ev->progress.bytes_total = bytes_total;
	mb_job_post(job, ev);
}

void
mb_job_tsink(void *ctx, const struct mb_tline *tl)
{
	struct mb_job *job = ctx;

	mb_job_post(job, mb_event_tline(job->id, tl));
}

void
mb_job_join(struct mb_job *job)
{
	if (job == NULL)
		return;
	pthread_join(job->thread, NULL);
	if (job->free_arg != NULL)
		job->free_arg(job->arg);
	pthread_mutex_destroy(&job->lock);
	free(job);
}
