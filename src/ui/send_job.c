/*
 * send_job.c: sending one outbox row from the TUI, for compose (after the
 * message is queued) and for the outbox's retry. The job runs
 * mb_send_outbox() exactly as `mailbench send` does, with the frame's
 * struct ui_work as transcript sink and session hook, so the transcript
 * pane streams the conversation and Esc/Ctrl-C cancel it. When it ends the
 * status bar says how the message fared (sent, partly, refused, failed:
 * it then stays in the outbox) and the envelope view of the row opens.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/cli.h"
#include "mailbench/send.h"
#include "mailbench/xalloc.h"
#include "ui/screens.h"

struct send_arg {
	const struct mb_account *acct;
	char *cache_path;
	char *password; /* typed in the UI, or NULL: the job gets it itself */
	int64_t outbox_id;
	bool confirmed;
	bool show_data;
};

static void
send_arg_free(void *p)
{
	struct send_arg *a = p;

	if (a == NULL)
		return;
	free(a->cache_path);
	mb_password_free(a->password);
	free(a);
}

/* The exit code and the message of a finished send (err is what the done event carries). */
static int
outcome(int rc, const struct mb_send_item *it, struct mb_error *err)
{
	size_t i;
	struct mb_buf b = MB_BUF_INIT;

	if (rc < 0)
		return mb_cli_exit_for(err->kind);
	if (it->sent && it->res.nrefused == 0)
		return MB_EXIT_OK;
	if (it->sent) {
		mb_buf_addf(&b, "%zu of %zu recipients accepted; refused:", it->res.naccepted,
		            it->res.nrcpts);
		for (i = 0; i < it->res.nrcpts; i++)
			if (it->res.rcpts[i].addr != NULL && it->res.rcpts[i].code / 100 != 2)
				mb_buf_addf(&b, " %s (%d)", it->res.rcpts[i].addr,
				            it->res.rcpts[i].code);
		mb_error_set(err, MB_ERR_RESP, "%s", b.data);
		mb_buf_release(&b);
		return MB_EXIT_PARTIAL;
	}
	*err = it->err;
	if (it->err.kind == MB_ERR_RESP || it->err.kind == MB_OK)
		return MB_EXIT_REFUSED;
	return mb_cli_exit_for(it->err.kind);
}

static void
send_main(struct mb_job *job, void *arg)
{
	struct send_arg *a = arg;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_send_item item = {0};
	struct mb_send_opts so = {0};
	enum mb_smtp_phase phase = MB_SMTP_CONNECT;
	struct mb_store *st = NULL;
	struct mb_event *ev;
	struct ui_work w;
	char *pw = NULL;
	int rc = -1, exit;

	ui_work_init(&w, job, "SMTP");
	mb_job_status(job, "sending #%lld", (long long)a->outbox_id); /* short: 80 columns */
	item.outbox_id = a->outbox_id;
	if (mb_store_open(&st, a->cache_path, &err) == 0 &&
	    ui_work_password(a->acct, a->password, &pw, &err) == 0) {
		so.acct = a->acct;
		so.password = pw;
		so.st = st;
		so.show_data = a->show_data;
		so.confirmed = a->confirmed;
		so.sink = ui_work_sink;
		so.sink_ctx = &w;
		so.on_session = ui_work_on_smtp;
		so.ctx = &w;
		rc = mb_send_outbox(&so, &item, 1, NULL, &phase, &err);
	}
	exit = outcome(rc, &item, &err);
	/* the outbox screen and the mailbox reload on this */
	ev = mb_event_new(MB_EV_CHANGED, 0);
	mb_job_post(job, ev);
	ui_work_done(&w, exit, &err, a->outbox_id);
	mb_send_item_release(&item);
	mb_password_free(pw);
	mb_store_close(st);
}

static void
send_done(struct ui *ui, void *ctx, const struct mb_event *ev)
{
	int64_t id = ev->done.ref;
	struct mb_outbox o;
	struct mb_error err = MB_ERROR_INIT;
	bool envelope = ctx != NULL; /* compose's sends show the envelope view after */

	switch (ev->done.exit) {
	case MB_EXIT_OK:
		ui_msg(ui, "sent: outbox message %lld, every recipient accepted it", (long long)id);
		break;
	case MB_EXIT_PARTIAL:
		ui_error(ui, "sent, partly: outbox message %lld: %s", (long long)id,
		         ev->done.err.msg);
		break;
	case MB_EXIT_CANCEL:
		ui_error(ui, "send cancelled: message %lld stays in the outbox (o)", (long long)id);
		return;
	default:
		ui_error(ui, "send failed: %s (message %lld stays in the outbox: o)",
		         ev->done.err.msg[0] ? ev->done.err.msg : "unknown error", (long long)id);
		break;
	}
	/* nothing to compare when the session never got to the envelope */
	if (envelope && mb_store_outbox_get(ui->st, id, &o, &err) == 0) {
		bool any = o.rcpt_results[0] != '\0' || o.status == MB_OUTBOX_SENT;

		mb_outbox_release(&o);
		if (any)
			ui_envelope_open_outbox(ui, id);
	}
}

struct pw_wait {
	struct send_arg *a;
	bool envelope;
};

static int envelope_token; /* a non-NULL done ctx: open the envelope view */

static void
with_password(struct ui *ui, void *ctx, const char *pw)
{
	struct pw_wait *p = ctx;
	struct ui_jobopts o = {.what = "send", .done = send_done};

	o.ctx = p->envelope ? &envelope_token : NULL;
	if (pw == NULL) {
		ui_error(ui, "not sent: no password (message %lld stays in the outbox: o)",
		         (long long)p->a->outbox_id);
		send_arg_free(p->a);
		free(p);
		return;
	}
	if (pw[0] != '\0')
		p->a->password = xstrdup(pw);
	ui_job_start(ui, &o, send_main, p->a, send_arg_free);
	free(p);
}

void
ui_send_outbox_start(struct ui *ui, const struct mb_account *acct, int64_t outbox_id,
                     bool confirmed, bool envelope)
{
	struct pw_wait *p = xcalloc(1, sizeof *p);

	p->envelope = envelope;
	p->a = xcalloc(1, sizeof *p->a);
	p->a->acct = acct;
	p->a->cache_path = xstrdup(ui->cache_path);
	p->a->outbox_id = outbox_id;
	p->a->confirmed = confirmed;
	p->a->show_data = ui_tpane_show_data(ui);
	ui_need_password(ui, acct, "smtp", with_password, p);
}
