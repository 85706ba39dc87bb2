/*
 * job.h: network work on worker threads.
 *
 * A job runs a function on its own thread with its own cache handle and
 * sessions, and reports through events (event.h): transcript lines,
 * progress, and a final MB_EV_DONE. The UI cancels a job with
 * mb_job_cancel(), which sets a flag the job checks and calls the cancel
 * hook the job registered for what it is blocked on (a connection).
 */
#ifndef MAILBENCH_JOB_H
#define MAILBENCH_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "mailbench/event.h"
#include "mailbench/transcript.h"

struct mb_job;

typedef void (*mb_job_fn)(struct mb_job *job, void *arg);

/*
 * Start fn(job, arg) on a new thread. free_arg (may be NULL) is called on
 * arg when the job is freed. Events go to q.
 */
struct mb_job *mb_job_start(struct mb_queue *q, mb_job_fn fn, void *arg, void (*free_arg)(void *));
uint64_t mb_job_id(const struct mb_job *job);
struct mb_queue *mb_job_queue(struct mb_job *job);

/* From any thread: ask the job to stop. */
void mb_job_cancel(struct mb_job *job);
/* In the job: has cancel been asked? */
bool mb_job_cancelled(struct mb_job *job);
/* In the job: what to call on cancel (NULL to clear). Called at once if already cancelled. */
void mb_job_set_cancel_hook(struct mb_job *job, void (*fn)(void *), void *ctx);

/* In the job: post events. */
void mb_job_post(struct mb_job *job, struct mb_event *ev);
void mb_job_status(struct mb_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mb_job_progress(struct mb_job *job, uint64_t done, uint64_t total, uint64_t bytes,
                     uint64_t bytes_total);
/* A transcript sink (mb_tsink_fn) that posts each line; ctx is the job. */
void mb_job_tsink(void *ctx, const struct mb_tline *tl);

/* Wait for the thread to end and free the job. */
void mb_job_join(struct mb_job *job);

#endif
