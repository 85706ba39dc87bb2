/* Unit tests: the event queue and jobs (src/core/event.c, job.c). */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "mailbench/event.h"
#include "mailbench/job.h"
#include "tap.h"

static atomic_int hook_calls;

static void
hook(void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&hook_calls, 1);
}

/* Posts 1000 lines and a status, then waits for cancel (bounded). */
static void
worker(struct mb_job *job, void *arg)
{
	struct mb_tline tl = {0};
	int i;

	(void)arg;
	tl.dir = MB_TDIR_SERVER;
	tl.text = "250 ok";
	tl.len = 6;
	tl.rtt_ms = 3;
	for (i = 0; i < 1000; i++)
		mb_job_tsink(job, &tl);
	mb_job_status(job, "done %d", i);
	mb_job_set_cancel_hook(job, hook, NULL);
	for (i = 0; i < 500 && !mb_job_cancelled(job); i++)
		usleep(10000);
	mb_job_post(job, mb_event_new(MB_EV_DONE, 0));
}

int
main(void)
{
	struct mb_queue *q = mb_queue_new();
	struct mb_job *job;
	struct mb_event *ev;
	struct pollfd pfd;
	int lines = 0, status = 0, done = 0, rounds = 0;
	char last_text[32] = "";

	ok(mb_queue_pop(q) == NULL, "an empty queue pops nothing");
	job = mb_job_start(q, worker, NULL, NULL);
	ok(mb_job_id(job) > 0, "a job has an id");
	pfd.fd = mb_queue_fd(q);
	pfd.events = POLLIN;
	while (!done && rounds++ < 1000) {
		if (poll(&pfd, 1, 5000) <= 0)
			break;
		while ((ev = mb_queue_pop(q)) != NULL) {
			if (ev->kind == MB_EV_TLINE) {
				lines++;
				snprintf(last_text, sizeof last_text, "%s", ev->tline.text);
			} else if (ev->kind == MB_EV_STATUS) {
				status++;
				mb_job_cancel(job);
			} else if (ev->kind == MB_EV_DONE)
				done++;
			if (ev->job != mb_job_id(job))
				lines = -100000; /* makes the count check below fail */
			mb_event_free(ev);
		}
	}
	is_int(lines, 1000, "every transcript line arrives");
	is_str(last_text, "250 ok", "with its text copied");
	is_int(status, 1, "the status arrives");
	is_int(done, 1, "the job ends after cancel");
	mb_job_join(job);
	ok(atomic_load(&hook_calls) >= 1, "the cancel hook was called");
	mb_queue_free(q);
	return done_testing();
}
