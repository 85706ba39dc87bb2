/*
 * sync_job.c: the jobs that bring the server's mail into the cache: F
 * (fetch: mb_sync), N (read/unread: mb_sync_set_flags, the server first),
 * and the live IMAP IDLE connection (mb_sync_idle) that runs in the
 * background while the TUI is open, so new mail appears without a key.
 *
 * Each job runs on its own thread with its own cache handle; the
 * screens reload on MB_EV_CHANGED. IDLE starts for an account once its
 * mail has been fetched (now or in an earlier run) and only when its
 * password is known without asking: a background connection never opens
 * a prompt. `[ui] idle = no` turns it off.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/cli.h"
#include "mailbench/sync.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

enum sync_kind {
	SYNC_FETCH,
	SYNC_FLAGS,
	SYNC_IDLE,
};

struct sync_arg {
	enum sync_kind kind;
	const struct mb_account *acct;
	char *cache_path;
	char *password; /* typed in the UI, or NULL */
	bool show_data;
	int64_t msg_id; /* flags: the message */
	unsigned flags;
	bool quiet; /* the transcript pane is not opened for it */
};

static void
sync_arg_free(void *p)
{
	struct sync_arg *a = p;

	free(a->cache_path);
	mb_password_free(a->password);
	free(a);
}

/* ---- the worker side -------------------------------------------------------------------- */

static void
on_progress(void *ctx, const struct mb_sync_progress *p)
{
	struct ui_work *w = ctx;

	mb_job_progress(w->job, p->done, p->total, p->bytes, p->bytes_total);
	if (p->mailbox != NULL && p->done == 0)
		mb_job_status(w->job, "fetching %s", p->mailbox);
}

static void
on_change(void *ctx, int64_t mailbox_id)
{
	struct ui_work *w = ctx;
	struct mb_event *ev = mb_event_new(MB_EV_CHANGED, 0);

	ev->ref = mailbox_id;
	mb_job_post(w->job, ev);
}

static void
sync_main(struct mb_job *job, void *arg)
{
	struct sync_arg *a = arg;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_sync_stats stats = {0};
	struct mb_sync_opts o = {0};
	struct mb_store *st = NULL;
	struct ui_work w;
	char *pw = NULL;
	int r;

	ui_work_init(&w, job, a->acct->imap.host != NULL ? "IMAP" : "POP3");
	r = mb_store_open(&st, a->cache_path, &err);
	if (r == 0)
		r = ui_work_password(a->acct, a->password, &pw, &err);
	if (r == 0) {
		o.acct = a->acct;
		o.password = pw;
		o.st = st;
		o.show_data = a->show_data;
		o.sink = ui_work_sink;
		o.sink_ctx = &w;
		o.progress = on_progress;
		o.on_conn = ui_work_on_conn;
		o.on_change = on_change;
		o.ctx = &w;
		switch (a->kind) {
		case SYNC_FETCH:
			mb_job_status(job, "fetching for %s", a->acct->name);
			r = mb_sync(&o, &stats, &err);
			break;
		case SYNC_FLAGS:
			mb_job_status(job, "setting flags");
			r = mb_sync_set_flags(&o, a->msg_id, a->flags, &err);
			break;
		case SYNC_IDLE:
			o.protocol = MB_SYNC_IMAP;
			o.mailbox = "INBOX";
			r = mb_sync_idle(&o, &err);
			break;
		}
	}
	on_change(&w, 0);
	ui_work_done(&w, r < 0 ? (int)mb_cli_exit_for(err.kind) : 0, &err, (int64_t)stats.new_msgs);
	mb_password_free(pw);
	mb_store_close(st);
}

/* ---- the UI side ------------------------------------------------------------------------ */

static struct sync_arg *
arg_new(struct ui *ui, enum sync_kind kind, const struct mb_account *acct)
{
	struct sync_arg *a = xcalloc(1, sizeof *a);

	a->kind = kind;
	a->acct = acct;
	a->cache_path = xstrdup(ui->cache_path);
	a->show_data = ui_tpane_show_data(ui);
	return a;
}

static void
fetch_done(struct ui *ui, void *ctx, const struct mb_event *ev)
{
	const struct mb_account *acct = ctx;

	if (ev->done.exit != 0)
		return;
	ui_msg(ui, "fetch: %lld new message%s", (long long)ev->done.ref,
	       ev->done.ref == 1 ? "" : "s");
	ui_idle_start(ui, acct);
}

static void
start_with_password(struct ui *ui, void *ctx, const char *pw)
{
	struct sync_arg *a = ctx;
	struct ui_jobopts o = {0};

	if (pw == NULL) {
		sync_arg_free(a);
		return;
	}
	if (pw[0] != '\0')
		a->password = xstrdup(pw);
	o.what = a->kind == SYNC_FETCH ? "fetch" : "read/unread";
	o.quiet = a->quiet;
	if (a->kind == SYNC_FETCH) {
		o.done = fetch_done;
		o.ctx = (void *)a->acct; /* an account outlives every job */
	}
	ui_job_start(ui, &o, sync_main, a, sync_arg_free);
}

static bool
can_fetch(struct ui *ui, const struct mb_account *acct)
{
	if (acct->imap.host == NULL && acct->pop3.host == NULL) {
		ui_error(ui, "account '%s' has no IMAP or POP3 server to fetch from", acct->name);
		return false;
	}
	return true;
}

void
ui_sync_fetch(struct ui *ui, const struct mb_account *acct)
{
	if (can_fetch(ui, acct))
		ui_need_password(ui, acct, "fetch", start_with_password,
		                 arg_new(ui, SYNC_FETCH, acct));
}

void
ui_sync_flags(struct ui *ui, const struct mb_account *acct, int64_t msg_id, unsigned flags,
              bool quiet)
{
	struct sync_arg *a;

	if (!can_fetch(ui, acct))
		return;
	a = arg_new(ui, SYNC_FLAGS, acct);
	a->msg_id = msg_id;
	a->flags = flags;
	a->quiet = quiet;
	ui_need_password(ui, acct, "flags", start_with_password, a);
}

/* ---- IDLE ------------------------------------------------------------------------------- */

static void
idle_done(struct ui *ui, void *ctx, const struct mb_event *ev)
{
	(void)ctx;
	if (ui->idle_job == NULL || ui->idle_id != ev->job)
		return; /* an earlier one, replaced */
	ui->idle_job = NULL;
	ui->idle_acct = NULL;
	if (ev->done.exit != 0 && ev->done.exit != MB_EXIT_CANCEL)
		ui_error(ui, "IDLE stopped: %s (F fetches, then watches again)",
		         ev->done.err.msg[0] ? ev->done.err.msg : "unknown error");
	ui->status_dirty = true;
}

void
ui_idle_stop(struct ui *ui)
{
	if (ui->idle_job != NULL)
		mb_job_cancel(ui->idle_job);
	ui->idle_job = NULL;
	ui->idle_acct = NULL;
	ui->status_dirty = true;
}

void
ui_idle_start(struct ui *ui, const struct mb_account *acct)
{
	struct ui_jobopts o = {.what = "IDLE", .quiet = true, .background = true};
	const char *typed = ui_typed_password(ui, acct);
	struct sync_arg *a;

	if (ui->cfg.no_idle || acct == NULL || acct->imap.host == NULL)
		return;
	if (ui->idle_job != NULL && ui->idle_acct == acct)
		return;
	/* never a prompt for a connection the user did not ask for */
	if (acct->user != NULL && acct->password == NULL && acct->password_command == NULL &&
	    typed == NULL)
		return;
	ui_idle_stop(ui);
	a = arg_new(ui, SYNC_IDLE, acct);
	if (typed != NULL)
		a->password = xstrdup(typed);
	o.done = idle_done;
	ui->idle_job = ui_job_start(ui, &o, sync_main, a, sync_arg_free);
	ui->idle_id = mb_job_id(ui->idle_job);
	ui->idle_acct = acct;
	ui->status_dirty = true;
}

void
ui_idle_auto(struct ui *ui, const struct mb_account *acct)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_mailbox_list ml = {0};
	int64_t aid = 0;
	size_t i;
	bool fetched = false;

	if (acct == NULL || acct->imap.host == NULL || ui->st == NULL)
		return;
	if (mb_store_account_find(ui->st, acct->name, &aid, &err) == 0 && aid != 0 &&
	    mb_store_mailbox_list(ui->st, aid, &ml, &err) == 0)
		for (i = 0; i < ml.n; i++)
			if (ml.v[i].protocol == MB_STORE_IMAP && ml.v[i].uidvalidity != 0)
				fetched = true; /* synchronised with a server, not only stored */
	mb_mailbox_list_release(&ml);
	if (fetched)
		ui_idle_start(ui, acct);
}
