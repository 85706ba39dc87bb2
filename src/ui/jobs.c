/*
 * jobs.c: jobs seen from the UI: starting them, their events (status bar,
 * transcript pane, screens, done callbacks), cancelling with Esc/Ctrl-C,
 * and the worker-side helpers (struct ui_work) that post transcript lines,
 * the connection state and the final MB_EV_DONE. Also passwords asked in
 * the UI (never on the tty under curses), the lab probe and the timings
 * file for benchmarks.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/cli.h"
#include "mailbench/net.h"
#include "mailbench/smtp.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

#define SHUTDOWN_WAIT_MS 3000

struct ui_jobrec {
	struct mb_job *job;
	uint64_t id;
	char *what;
	bool quiet;
	bool background;
	bool cancelled;
	ui_done_fn done;
	void *ctx;
	struct ui_jobrec *next;
};

/* ---- the UI side ------------------------------------------------------------------------ */

struct mb_job *
ui_job_start(struct ui *ui, const struct ui_jobopts *o, mb_job_fn fn, void *arg,
             void (*free_arg)(void *))
{
	struct ui_jobrec *r = xcalloc(1, sizeof *r);

	r->what = xstrdup(o->what != NULL ? o->what : "job");
	r->quiet = o->quiet;
	r->background = o->background;
	r->done = o->done;
	r->ctx = o->ctx;
	r->next = ui->jobs;
	ui->jobs = r;
	if (!o->background) {
		free(ui->job_status);
		ui->job_status = xstrdup(r->what);
		ui->prog_done = ui->prog_total = ui->prog_bytes = ui->prog_bytes_total = 0;
	}
	if (!o->quiet) {
		XFREE(ui->msg);
		ui->msg_error = false;
	}
	ui->status_dirty = true;
	r->job = mb_job_start(ui->q, fn, arg, free_arg);
	r->id = mb_job_id(r->job);
	return r->job;
}

/* The newest job that is not in the background, or NULL. */
static struct ui_jobrec *
foreground(struct ui *ui)
{
	struct ui_jobrec *r;

	for (r = ui->jobs; r != NULL && r->background; r = r->next)
		;
	return r;
}

bool
ui_job_busy(struct ui *ui)
{
	return foreground(ui) != NULL;
}

static struct ui_jobrec *
find(struct ui *ui, uint64_t id)
{
	struct ui_jobrec *r;

	for (r = ui->jobs; r != NULL; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

bool
ui_job_cancel_newest(struct ui *ui, const char *why)
{
	struct ui_jobrec *r;

	for (r = ui->jobs; r != NULL && (r->cancelled || r->background); r = r->next)
		;
	if (r == NULL)
		return false;
	r->cancelled = true;
	ui_tpane_note(ui, MB_TL_WARN, "%s: cancel requested by the user (%s)", r->what, why);
	ui_msg(ui, "cancelling %s...", r->what);
	mb_job_cancel(r->job);
	return true;
}

void
ui_job_forget(struct ui *ui, void *ctx)
{
	struct ui_jobrec *r;

	for (r = ui->jobs; r != NULL; r = r->next)
		if (r->ctx == ctx) {
			r->done = NULL;
			r->ctx = NULL;
		}
}

static void
job_remove(struct ui *ui, struct ui_jobrec *r)
{
	struct ui_jobrec **p;

	for (p = &ui->jobs; *p != NULL; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	mb_job_join(r->job);
	free(r->what);
	free(r);
}

static void
on_done(struct ui *ui, struct ui_jobrec *r, const struct mb_event *ev)
{
	ui_done_fn fn = r->done;
	void *ctx = r->ctx;
	struct ui_jobrec *fg;

	if (r->background) {
		/* its own done callback says what matters */
		job_remove(ui, r);
		if (fn != NULL)
			fn(ui, ctx, ev);
		ui->status_dirty = true;
		return;
	}
	if (ev->done.tls >= 0 && ev->done.tls <= 2 && ui->conn_desc != NULL)
		ui->conn = (enum ui_conn_state)ev->done.tls;
	if (ev->done.exit == MB_EXIT_OK)
		ui_msg(ui, "%s: done", r->what);
	else if (ev->done.exit == MB_EXIT_CANCEL || ev->done.err.kind == MB_ERR_CANCEL)
		ui_error(ui, "%s: cancelled", r->what);
	else
		ui_error(ui, "%s failed: %s", r->what,
		         ev->done.err.msg[0] ? ev->done.err.msg : "unknown error");
	if (r->cancelled && ev->done.exit != MB_EXIT_OK)
		ui_tpane_note(ui, MB_TL_WARN, "%s: cancelled", r->what);
	job_remove(ui, r);
	XFREE(ui->job_status);
	if ((fg = foreground(ui)) != NULL)
		ui->job_status = xstrdup(fg->what);
	/* the callback may set its own message, after the generic one */
	if (fn != NULL)
		fn(ui, ctx, ev);
	ui->status_dirty = true;
}

void
ui_job_event(struct ui *ui, const struct mb_event *ev)
{
	struct ui_jobrec *r = find(ui, ev->job);
	struct ui_screen *stack[64], *s;
	int n = 0, i;

	switch (ev->kind) {
	case MB_EV_TLINE:
		if (r != NULL && !r->quiet && !ui->tp_open)
			ui_tpane_show(ui, true);
		ui_tpane_add(ui, ev);
		break;
	case MB_EV_PROGRESS:
		if (r != NULL && r->background)
			break;
		ui->prog_done = ev->progress.done;
		ui->prog_total = ev->progress.total;
		ui->prog_bytes = ev->progress.bytes;
		ui->prog_bytes_total = ev->progress.bytes_total;
		ui->status_dirty = true;
		break;
	case MB_EV_STATUS:
		if (ev->ref <= UI_EVREF_CONN(UI_CONN_NONE) && ev->ref >= UI_EVREF_CONN(2)) {
			/* a background connection shows while nothing else runs */
			if (r != NULL && r->background && ui_job_busy(ui))
				break;
			ui->conn = (enum ui_conn_state)(UI_EVREF_CONN_BASE - 1 - ev->ref);
			free(ui->conn_desc);
			ui->conn_desc = ev->text != NULL ? xstrdup(ev->text) : NULL;
		} else if (ev->text != NULL && (r == NULL || !r->background)) {
			free(ui->job_status);
			ui->job_status = xstrdup(ev->text);
		}
		ui->status_dirty = true;
		break;
	default:
		break;
	}
	/* screens see every event (a console screen reads the replies) */
	for (s = ui->top; s != NULL && n < 64; s = s->below)
		stack[n++] = s;
	for (i = n - 1; i >= 0; i--)
		if (stack[i]->ops->event != NULL)
			stack[i]->ops->event(stack[i], ui, ev);
	if (ev->kind == MB_EV_DONE && r != NULL)
		on_done(ui, r, ev);
}

void
ui_job_shutdown(struct ui *ui)
{
	struct ui_jobrec *r;
	struct mb_event *ev;
	struct pollfd pfd;
	double end = ui_now_ms() + SHUTDOWN_WAIT_MS;
	int guard;

	for (r = ui->jobs; r != NULL; r = r->next)
		mb_job_cancel(r->job);
	for (guard = 0; ui->jobs != NULL && guard < 100000; guard++) {
		while ((ev = mb_queue_pop(ui->q)) != NULL) {
			if (ev->kind == MB_EV_DONE && (r = find(ui, ev->job)) != NULL) {
				r->done = NULL;
				job_remove(ui, r);
			}
			mb_event_free(ev);
		}
		if (ui->jobs == NULL || ui_now_ms() > end)
			break;
		pfd.fd = mb_queue_fd(ui->q);
		pfd.events = POLLIN;
		poll(&pfd, 1, 50);
	}
	/* a job that ignores its cancel is left behind: the process ends anyway */
	while (ui->jobs != NULL) {
		r = ui->jobs;
		ui->jobs = r->next;
		free(r->what);
		free(r);
	}
}

/* ---- the worker side -------------------------------------------------------------------- */

void
ui_work_init(struct ui_work *w, struct mb_job *job, const char *proto)
{
	memset(w, 0, sizeof *w);
	w->job = job;
	w->proto = proto;
	w->tls = UI_CONN_NONE - 1; /* nothing posted yet */
}

static void
post_conn(struct ui_work *w, int state)
{
	struct mb_event *ev;

	if (state == w->tls)
		return;
	w->tls = state;
	ev = mb_event_new(MB_EV_STATUS, 0);
	ev->ref = UI_EVREF_CONN(state);
	if (w->conn != NULL && mb_conn_peer(w->conn)[0] != '\0')
		ev->text = xasprintf("%s %s", w->proto, mb_conn_peer(w->conn));
	else
		ev->text = xasprintf("%s", w->proto);
	mb_job_post(w->job, ev);
}

static int
conn_state(struct mb_conn *c)
{
	if (c == NULL || mb_conn_peer(c)[0] == '\0')
		return UI_CONN_NONE;
	if (!mb_conn_is_tls(c))
		return UI_CONN_PLAIN;
	return mb_conn_tls_verified(c) ? UI_CONN_TLS_OK : UI_CONN_TLS_UNVER;
}

void
ui_work_sink(void *ctx, const struct mb_tline *tl)
{
	struct ui_work *w = ctx;

	mb_job_tsink(w->job, tl);
	if (w->conn != NULL)
		post_conn(w, conn_state(w->conn));
}

static void
cancel_conn(void *ctx)
{
	mb_conn_cancel(ctx);
}

void
ui_work_on_conn(void *ctx, struct mb_conn *c)
{
	struct ui_work *w = ctx;

	if (c == NULL && w->conn != NULL)
		post_conn(w, conn_state(w->conn));
	w->conn = c;
	mb_job_set_cancel_hook(w->job, c != NULL ? cancel_conn : NULL, c);
}

static void
cancel_smtp(void *ctx)
{
	mb_smtp_cancel(ctx);
}

void
ui_work_on_smtp(void *ctx, struct mb_smtp *s)
{
	struct ui_work *w = ctx;

	if (s == NULL && w->conn != NULL)
		post_conn(w, conn_state(w->conn));
	w->conn = s != NULL ? mb_smtp_conn(s) : NULL;
	mb_job_set_cancel_hook(w->job, s != NULL ? cancel_smtp : NULL, s);
}

void
ui_work_done(struct ui_work *w, int exit, const struct mb_error *err, int64_t ref)
{
	struct mb_event *ev = mb_event_new(MB_EV_DONE, 0);

	ev->done.exit = exit;
	if (err != NULL && exit != 0)
		ev->done.err = *err;
	if (exit != 0 && mb_job_cancelled(w->job)) {
		ev->done.exit = MB_EXIT_CANCEL;
		ev->done.err.kind = MB_ERR_CANCEL;
	}
	ev->done.ref = ref;
	ev->done.tls = w->tls >= UI_CONN_PLAIN ? w->tls : -1;
	mb_job_post(w->job, ev);
}

/* ---- passwords -------------------------------------------------------------------------- */

struct pw_ask {
	const struct mb_account *acct;
	ui_prompt_fn cb;
	void *ctx;
};

static void
pw_typed(struct ui *ui, void *ctx, const char *text)
{
	struct pw_ask *a = ctx;

	if (text != NULL && text[0] != '\0') {
		ui->pw_names = xreallocarray(ui->pw_names, ui->npw + 1, sizeof *ui->pw_names);
		ui->pw_values = xreallocarray(ui->pw_values, ui->npw + 1, sizeof *ui->pw_values);
		ui->pw_names[ui->npw] = xstrdup(a->acct->name);
		ui->pw_values[ui->npw] = xstrdup(text);
		ui->npw++;
		a->cb(ui, a->ctx, text);
	} else {
		ui_msg(ui, "no password given: nothing done");
		a->cb(ui, a->ctx, NULL);
	}
	free(a);
}

const char *
ui_typed_password(const struct ui *ui, const struct mb_account *acct)
{
	size_t i;

	for (i = 0; i < ui->npw; i++)
		if (strcmp(ui->pw_names[i], acct->name) == 0)
			return ui->pw_values[i];
	return NULL;
}

void
ui_need_password(struct ui *ui, const struct mb_account *acct, const char *what, ui_prompt_fn cb,
                 void *ctx)
{
	const char *typed;
	struct pw_ask *a;
	char *label;

	if (acct->user == NULL || acct->password != NULL || acct->password_command != NULL) {
		cb(ui, ctx, "");
		return;
	}
	if ((typed = ui_typed_password(ui, acct)) != NULL) {
		cb(ui, ctx, typed);
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->acct = acct;
	a->cb = cb;
	a->ctx = ctx;
	label = xasprintf("Password for %s (%s)", acct->user, what != NULL ? what : acct->name);
	ui_prompt(ui, label, NULL, UI_PROMPT_MASK, pw_typed, NULL, a);
	free(label);
}

bool
ui_password_at_hand(const struct ui *ui, const struct mb_account *acct)
{
	return acct->user == NULL || acct->password != NULL || acct->password_command != NULL ||
	       ui_typed_password(ui, acct) != NULL;
}

int
ui_work_password(const struct mb_account *acct, const char *given, char **pw, struct mb_error *err)
{
	*pw = NULL;
	if (given != NULL && given[0] != '\0') {
		*pw = xstrdup(given);
		return 0;
	}
	if (acct->user == NULL)
		return 0;
	if (acct->password == NULL && acct->password_command == NULL)
		/* mb_account_password() would prompt on the tty, under curses: never */
		return mb_error_set(err, MB_ERR_CONFIG, "no password for account '%s'", acct->name);
	return mb_account_password(acct, NULL, pw, err);
}

/* ---- the lab probe ---------------------------------------------------------------------- */

struct probe {
	int port;
};

static void
probe_main(struct mb_job *job, void *arg)
{
	struct probe *p = arg;
	struct sockaddr_in sa;
	struct mb_event *ev = mb_event_new(MB_EV_DONE, 0);
	struct pollfd pfd;
	int fd, r = -1, soerr = 0;
	socklen_t sl = sizeof soerr;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)p->port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
		if (r < 0 && errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			r = poll(&pfd, 1, 1000) == 1 &&
			                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) ==
			                            0 &&
			                    soerr == 0
			            ? 0
			            : -1;
		}
		close(fd);
	}
	ev->done.exit = 0;
	ev->done.tls = -1;
	ev->done.ref = r == 0 ? 1 : 0; /* 1: the lab answers */
	mb_job_post(job, ev);
}

static void
probe_done(struct ui *ui, void *ctx, const struct mb_event *ev)
{
	ui->lab_state = ev->done.ref == 1 ? 1 : 0;
	if (ev->done.ref == 0 && ui->acct != NULL && strcmp(ui->acct->name, "lab") == 0)
		ui_msg(ui, "the lab is not running: start it with 'mailbench lab start'");
	else
		XFREE(ui->msg);
	if (ui->lab_state == 1)
		ui_idle_auto(ui, ui->acct);
	ui->status_dirty = true;
	ui_dirty_all(ui);
}

bool
ui_probe_lab(struct ui *ui)
{
	struct ui_jobopts o = {.what = "checking the lab", .quiet = true, .done = probe_done};
	struct probe *p;

	if (ui->acct == NULL || !ui->acct->builtin || strcmp(ui->acct->name, "lab") != 0 ||
	    ui->acct->imap.host == NULL)
		return false;
	p = xcalloc(1, sizeof *p);
	p->port = mb_endpoint_port(&ui->acct->imap, "imap");
	ui_job_start(ui, &o, probe_main, p, free);
	return true;
}

/* ---- timings ---------------------------------------------------------------------------- */

double
ui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

void
ui_timing_mark(struct ui *ui, const char *what, double ms)
{
	static double start;
	static FILE *f;
	static bool tried;
	const char *path;
	struct rusage ru;

	(void)ui;
	if (what == NULL) {
		start = ui_now_ms();
		return;
	}
	if (!tried) {
		tried = true;
		path = getenv("MAILBENCH_UI_TIMING");
		if (path != NULL && path[0] != '\0') {
			int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
			              0600);

			if (fd >= 0)
				f = fdopen(fd, "a");
		}
	}
	if (f == NULL)
		return;
	if (ms < 0)
		ms = ui_now_ms() - start;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(f, "%s %.3f ms maxrss %ld KiB\n", what, ms, ru.ru_maxrss);
	fflush(f);
}
