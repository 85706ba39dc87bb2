/*
 * event.h: the queue through which worker threads talk to the UI thread.
 *
 * A worker pushes events (owned copies: the receiver frees them); the
 * queue writes a byte to a self-pipe so the UI's poll() wakes up, and the
 * UI pops every pending event, updates its models and redraws once.
 *
 *     struct mb_queue *q = mb_queue_new();
 *     poll on mb_queue_fd(q) beside stdin;
 *     while ((ev = mb_queue_pop(q)) != NULL) { ...; mb_event_free(ev); }
 */
#ifndef MAILBENCH_EVENT_H
#define MAILBENCH_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "mailbench/error.h"
#include "mailbench/transcript.h"

enum mb_event_kind {
	MB_EV_TLINE = 1, /* a transcript line (tline) */
	MB_EV_PROGRESS,  /* progress of a job (progress) */
	MB_EV_STATUS,    /* a status message for the status bar (text) */
	MB_EV_DONE,      /* the job ended (done); the last event of a job */
	MB_EV_CHANGED,   /* the cache changed: reload what is shown (ref: mailbox id or 0) */
};

struct mb_event {
	enum mb_event_kind kind;
	uint64_t job;
	struct {
		uint64_t session;
		uint32_t seq;
		enum mb_tdir dir;
		int64_t ts_us;
		char *text; /* len bytes + NUL */
		size_t len;
		int code;
		char *status;
		char *meaning;
		int rtt_ms;
		int flags;
		char *answers;
	} tline;
	struct {
		uint64_t done, total;        /* messages */
		uint64_t bytes, bytes_total; /* bytes */
	} progress;
	struct {
		int exit;            /* an enum mb_exit */
		struct mb_error err; /* when exit is not 0 */
		int64_t ref;         /* what the job made: an outbox id, a count */
		int tls;             /* 0 plain, 1 TLS verified, 2 TLS not verified */
	} done;
	char *text;
	int64_t ref;
};

struct mb_queue;

struct mb_queue *mb_queue_new(void);
void mb_queue_free(struct mb_queue *q);
/* The descriptor to poll for POLLIN. */
int mb_queue_fd(const struct mb_queue *q);
/* Push an event (the queue takes it); from any thread. */
void mb_queue_push(struct mb_queue *q, struct mb_event *ev);
/* Pop the oldest event or NULL; drains the wake-up pipe. UI thread. */
struct mb_event *mb_queue_pop(struct mb_queue *q);

struct mb_event *mb_event_new(enum mb_event_kind kind, uint64_t job);
/* A transcript line as an event (copies everything). */
struct mb_event *mb_event_tline(uint64_t job, const struct mb_tline *tl);
void mb_event_free(struct mb_event *ev);

#endif
