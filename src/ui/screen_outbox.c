/*
 * screen_outbox.c: the outbox (o): the messages queued and failed (and the
 * sent ones with a), each with its status, attempts, date, recipients and
 * subject; under the list, the selected message's details: the envelope,
 * the last error and what the server said to each recipient. r retries it
 * in a job (a message whose last attempt may have been delivered is only
 * sent again after the user says so), d deletes it (after asking), Enter
 * or e opens its envelope view, T its stored transcripts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/screens.h"

struct outbox {
	struct ui *ui;
	struct ui_screen *s;
	bool all;
	struct mb_outbox_list l;
	struct ui_list list;
	int page;
	struct ui_doc detail;
	int64_t detail_id;
	int detail_w;
};

static const struct ui_keydoc outbox_keys[] = {
        {"j k ↓ ↑", "select a message"},
        {"PgUp PgDn g G", "page / first / last"},
        {"r", "retry: send it again now (asks first when it may have been delivered)"},
        {"d", "delete it from the outbox (asks first)"},
        {"Enter  e", "envelope versus headers of the message"},
        {"T", "the stored transcripts of its sessions (open in the transcript pane)"},
        {"a", "show the sent messages too / only queued and failed"},
        {"q Esc", "back"},
        {NULL, NULL},
};

/* The last attempt may have delivered it: resending needs the user's word. */
static bool
unknown_fate(const struct mb_outbox *o)
{
	return o->status == MB_OUTBOX_FAILED &&
	       (o->interrupted || strcmp(o->last_error_kind, "unknown") == 0);
}

static const char *
status_text(const struct mb_outbox *o)
{
	if (unknown_fate(o))
		return "unknown";
	return o->status == MB_OUTBOX_FAILED ? "FAILED" : mb_outbox_status_name(o->status);
}

static int
status_elem(const struct mb_outbox *o)
{
	if (unknown_fate(o))
		return UI_E_WARN;
	switch (o->status) {
	case MB_OUTBOX_FAILED:
		return UI_E_ERROR;
	case MB_OUTBOX_SENT:
		return UI_E_OK;
	case MB_OUTBOX_SENDING:
		return UI_E_WARN;
	default:
		return UI_E_NORMAL;
	}
}

static const struct mb_outbox *
current(const struct outbox *ob)
{
	return ob->list.cur < ob->l.n ? &ob->l.v[ob->list.cur] : NULL;
}

/* Read the list again, keeping the selection on the same message when it is still there. */
static void
load(struct outbox *ob)
{
	struct mb_error err = MB_ERROR_INIT;
	const struct mb_outbox *o = current(ob);
	int64_t keep = o != NULL ? o->id : 0;
	size_t i;

	mb_outbox_list_release(&ob->l);
	memset(&ob->l, 0, sizeof ob->l);
	if (mb_store_outbox_list(ob->ui->st, NULL, ob->all, &ob->l, &err) < 0)
		ui_error_from(ob->ui, "cannot read the outbox", &err);
	ob->list.n = ob->l.n;
	for (i = 0; i < ob->l.n; i++)
		if (ob->l.v[i].id == keep)
			ob->list.cur = i;
	ui_list_fit(&ob->list, ob->page > 0 ? ob->page : 1);
	ob->detail_id = -1; /* rebuild */
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* Recipients for the list: the envelope's, comma separated. */
static void
rcpt_text(const struct mb_outbox *o, struct mb_buf *b)
{
	size_t i;

	for (i = 0; i < o->nrcpts; i++)
		mb_buf_addf(b, "%s%s", i ? ", " : "", o->rcpts[i]);
}

/* The same as RCPT TO:<a> commands. */
static void
rcpt_cmds(const struct mb_outbox *o, struct mb_buf *b)
{
	size_t i;

	for (i = 0; i < o->nrcpts; i++)
		mb_buf_addf(b, "%sRCPT TO:<%s>", i ? "  " : "", o->rcpts[i]);
}

static void
draw_row(struct ui *ui, WINDOW *w, int y, int width, const struct mb_outbox *o, bool sel,
         bool focused)
{
	struct mb_buf b = MB_BUF_INIT;
	char date[32], num[32];
	int x = 0, rw = width >= 100 ? 30 : 20, sw;

	ui_set(ui, w, sel ? (focused ? UI_E_SELECTED : UI_E_SELECTED_DIM) : UI_E_NORMAL);
	ui_fill(w, y, 0, width);
	if (!sel)
		ui_set(ui, w, status_elem(o));
	ui_put_fit(ui, w, y, x, status_text(o), 8);
	x += 8;
	ui_set(ui, w, sel ? (focused ? UI_E_SELECTED : UI_E_SELECTED_DIM) : UI_E_NORMAL);
	snprintf(num, sizeof num, "#%lld", (long long)o->id);
	ui_put_fit(ui, w, y, x, num, 6);
	x += 6;
	snprintf(num, sizeof num, "%d", o->attempts);
	ui_put_fit(ui, w, y, x, num, 4);
	x += 4;
	ui_fmt_date(o->updated, date, sizeof date);
	ui_put_fit(ui, w, y, x, date, 11);
	x += 11;
	rcpt_text(o, &b);
	{
		char *safe = mb_sanitize(b.data, MB_SANITIZE_LINE);

		ui_put_fit(ui, w, y, x, safe, rw);
		free(safe);
	}
	x += rw + 1;
	sw = width - x;
	if (sw > 0) {
		char *safe =
		        mb_sanitize(o->subject[0] ? o->subject : "(no subject)", MB_SANITIZE_LINE);

		ui_put_fit(ui, w, y, x, safe, sw);
		free(safe);
	}
	ui_set(ui, w, UI_E_NORMAL);
	mb_buf_release(&b);
}

static void
field(struct ui_doc *d, const char *name, const char *value)
{
	ui_doc_addf(d, UI_E_HEADER_NAME, "%-10s", name);
	ui_doc_indent(d, 10);
	ui_doc_add_net(d, UI_E_HEADER_VALUE, value, strlen(value), MB_SANITIZE_LINE);
	ui_doc_newline(d);
}

static void
build_detail(struct outbox *ob, const struct mb_outbox *o)
{
	struct ui_doc *d = &ob->detail;
	struct mb_buf b = MB_BUF_INIT;
	char when[64];
	time_t t = (time_t)o->created;
	struct tm tm;
	const char *p, *nl;

	ui_doc_release(d);
	ui_doc_init(d);
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	ui_doc_addf(d, status_elem(o), "%s", status_text(o));
	ui_doc_addf(d, UI_E_NORMAL, "  #%lld  account ", (long long)o->id);
	ui_doc_add_net(d, UI_E_NORMAL, o->account, strlen(o->account), MB_SANITIZE_LINE);
	ui_doc_addf(d, UI_E_NORMAL, "  queued %s  %d attempt%s", when, o->attempts,
	            o->attempts == 1 ? "" : "s");
	if (o->sent_at > 0) {
		t = (time_t)o->sent_at;
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		ui_doc_addf(d, UI_E_OK, "  sent %s", when);
	}
	ui_doc_newline(d);
	field(d, "From:", o->from);
	if (o->to[0])
		field(d, "To:", o->to);
	if (o->cc[0])
		field(d, "Cc:", o->cc);
	mb_buf_addf(&b, "MAIL FROM:<%s>  ", o->envelope_from);
	rcpt_cmds(o, &b);
	field(d, "Envelope:", b.data);
	if (o->last_error[0]) {
		ui_doc_addf(d, UI_E_HEADER_NAME, "%-10s", "Error:");
		ui_doc_indent(d, 10);
		ui_doc_add_net(d, unknown_fate(o) ? UI_E_WARN : UI_E_ERROR, o->last_error,
		               strlen(o->last_error), MB_SANITIZE_LINE);
		if (o->last_error_kind[0])
			ui_doc_addf(d, UI_E_DIM, " (%s)", o->last_error_kind);
		ui_doc_newline(d);
	}
	for (p = o->rcpt_results; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (nl > p) {
			int code = atoi(strchr(p, ' ') ? strchr(p, ' ') + 1 : "0");

			ui_doc_addf(d, UI_E_HEADER_NAME, "%-10s",
			            p == o->rcpt_results ? "Replies:" : "");
			ui_doc_indent(d, 10);
			ui_doc_add_net(d, code / 100 == 2 ? UI_E_OK : UI_E_ERROR, p,
			               (size_t)(nl - p), MB_SANITIZE_LINE);
			ui_doc_newline(d);
		}
		if (*nl == '\0')
			break;
	}
	if (unknown_fate(o)) {
		ui_doc_adds(d, UI_E_WARN,
		            "It may have been delivered: check the recipient's mailbox before r.");
		ui_doc_newline(d);
	}
	ui_doc_adds(d, UI_E_DIM, "r retry  d delete  Enter envelope  T transcripts  a sent too");
	ui_doc_newline(d);
	mb_buf_release(&b);
	ob->detail_id = o->id;
}

static void
outbox_draw(struct ui_screen *s, struct ui *ui, WINDOW *w)
{
	struct outbox *ob = s->priv;
	bool focused = ui_screen_focused(ui, s);
	const struct mb_outbox *o;
	int h, wd, dh, r;

	getmaxyx(w, h, wd);
	/* the list as long as it needs (up to half), the details below take the rest */
	ob->page = ob->l.n < 3 ? 3 : (int)ob->l.n;
	if (ob->page > h / 2)
		ob->page = h / 2;
	if (ob->page < 1)
		ob->page = 1;
	dh = h - ob->page - 2;
	ui_set(ui, w, UI_E_COLUMN);
	ui_fill(w, 0, 0, wd);
	ui_puts(ui, w, 0, 0, "Status  #     Try Date       Recipients", wd);
	ui_puts(ui, w, 0, 29 + (wd >= 100 ? 30 : 20) + 1, "Subject", wd);
	ui_set(ui, w, UI_E_NORMAL);
	ui_list_fit(&ob->list, ob->page);
	for (r = 0; r < ob->page && ob->list.top + (size_t)r < ob->l.n; r++)
		draw_row(ui, w, r + 1, wd, &ob->l.v[ob->list.top + (size_t)r],
		         ob->list.top + (size_t)r == ob->list.cur, focused);
	if (ob->l.n == 0) {
		ui_set(ui, w, UI_E_DIM);
		ui_puts(ui, w, 2, 2,
		        ob->all ? "The outbox is empty: nothing was ever queued here."
		                : "Nothing queued or failed. a shows the sent messages too.",
		        wd - 2);
		ui_set(ui, w, UI_E_NORMAL);
	}
	ui_set(ui, w, UI_E_BORDER);
	ui_hline(ui, w, h - dh - 1, 0, wd);
	ui_set(ui, w, UI_E_NORMAL);
	o = current(ob);
	if (o == NULL)
		return;
	if (ob->detail_id != o->id || ob->detail_w != wd - 2) {
		build_detail(ob, o);
		ob->detail_w = wd - 2;
	}
	ui_doc_draw(ui, &ob->detail, w, h - dh, 1, dh, wd - 2);
}

static void
outbox_title(struct ui_screen *s, struct ui *ui, struct mb_buf *out)
{
	struct outbox *ob = s->priv;

	mb_buf_addf(out, "Outbox %s %zu message%s %s", ui_sym(ui, "\xc2\xb7", "-"), ob->l.n,
	            ob->l.n == 1 ? "" : "s", ob->all ? "(all)" : "(queued and failed)");
}

/* ---- actions ---------------------------------------------------------------------------- */

static const struct mb_account *
account_of(struct outbox *ob, const struct mb_outbox *o)
{
	const struct mb_account *a = mb_config_account(&ob->ui->cfg, o->account);

	if (a == NULL)
		ui_error(ob->ui, "cannot send #%lld: its account '%s' is not in the config",
		         (long long)o->id, o->account);
	return a;
}

struct act {
	struct outbox *ob;
	int64_t id;
	const struct mb_account *acct;
};

static void
retry_yes(struct ui *ui, void *ctx, const char *text)
{
	struct act *a = ctx;

	(void)text;
	ui_msg(ui, "sending outbox message %lld again...", (long long)a->id);
	ui_send_outbox_start(ui, a->acct, a->id, true, false);
	free(a);
}

static void
act_no(struct ui *ui, void *ctx, const char *text)
{
	(void)ui;
	(void)text;
	free(ctx);
}

static void
retry(struct outbox *ob)
{
	const struct mb_outbox *o = current(ob);
	const struct mb_account *acct;
	struct act *a;

	if (o == NULL)
		return;
	if (o->status == MB_OUTBOX_SENT) {
		ui_msg(ob->ui, "#%lld was sent already: nothing to retry", (long long)o->id);
		return;
	}
	if (o->status == MB_OUTBOX_SENDING) {
		ui_msg(ob->ui, "#%lld is being sent right now", (long long)o->id);
		return;
	}
	if ((acct = account_of(ob, o)) == NULL)
		return;
	if (!unknown_fate(o)) {
		ui_msg(ob->ui, "sending outbox message %lld again...", (long long)o->id);
		ui_send_outbox_start(ob->ui, acct, o->id, false, false);
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->ob = ob;
	a->id = o->id;
	a->acct = acct;
	ui_confirm(ob->ui,
	           o->interrupted ? "The last attempt was interrupted: the message may have been "
	                            "delivered (check the mailbox). Send it again?"
	                          : "The connection broke after the whole message was sent: it may "
	                            "have been delivered (check the mailbox). Send it again?",
	           retry_yes, act_no, a);
}

static void
delete_yes(struct ui *ui, void *ctx, const char *text)
{
	struct act *a = ctx;
	struct mb_error err = MB_ERROR_INIT;

	(void)text;
	if (mb_store_outbox_delete(ui->st, a->id, &err) < 0)
		ui_error_from(ui, "cannot delete it", &err);
	else
		ui_msg(ui, "outbox message %lld deleted", (long long)a->id);
	load(a->ob);
	ui_screen_dirty(ui, a->ob->s);
	free(a);
}

static void
delete_ask(struct outbox *ob)
{
	const struct mb_outbox *o = current(ob);
	struct act *a;
	char q[200];

	if (o == NULL)
		return;
	if (o->status == MB_OUTBOX_SENDING) {
		ui_msg(ob->ui, "#%lld is being sent right now: it cannot be deleted",
		       (long long)o->id);
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->ob = ob;
	a->id = o->id;
	snprintf(q, sizeof q, "Delete outbox message #%lld (%s)?", (long long)o->id,
	         status_text(o));
	ui_confirm(ob->ui, q, delete_yes, act_no, a);
}

static int
outbox_key(struct ui_screen *s, struct ui *ui, int key)
{
	struct outbox *ob = s->priv;
	const struct mb_outbox *o = current(ob);

	switch (key) {
	case 'r':
		retry(ob);
		return UI_DIRTY;
	case 'd':
	case UI_K_DC:
		delete_ask(ob);
		return UI_DIRTY;
	case 'e':
	case UI_K_ENTER:
	case '\r':
		if (o != NULL)
			ui_envelope_open_outbox(ui, o->id);
		return UI_DONE;
	case 'T':
		if (o != NULL)
			ui_tpane_pick_session(ui, o->id);
		return UI_DONE;
	case 'a':
		ob->all = !ob->all;
		load(ob);
		ui_msg(ui, "%s",
		       ob->all ? "all messages, sent ones too" : "queued and failed only");
		return UI_DIRTY;
	default:
		break;
	}
	if (ui_key_is_enter(key)) {
		if (o != NULL)
			ui_envelope_open_outbox(ui, o->id);
		return UI_DONE;
	}
	return ui_list_key(&ob->list, key, ob->page);
}

static int
outbox_mouse(struct ui_screen *s, struct ui *ui, int y, int x, mmask_t bstate)
{
	struct outbox *ob = s->priv;

	(void)ui;
	(void)x;
	if (!(bstate & BUTTON1_PRESSED))
		return UI_PASS; /* the wheel: Up and Down */
	if (y >= 1 && y <= ob->page && ob->list.top + (size_t)(y - 1) < ob->l.n)
		ob->list.cur = ob->list.top + (size_t)(y - 1);
	return UI_DIRTY;
}

static void
outbox_event(struct ui_screen *s, struct ui *ui, const struct mb_event *ev)
{
	struct outbox *ob = s->priv;

	if (ev->kind != MB_EV_CHANGED && ev->kind != MB_EV_DONE)
		return;
	load(ob);
	ui_screen_dirty(ui, s);
}

static void
outbox_free(struct ui_screen *s)
{
	struct outbox *ob = s->priv;

	mb_outbox_list_release(&ob->l);
	ui_doc_release(&ob->detail);
	free(ob);
}

static const struct ui_screen_ops outbox_ops = {
        .name = "Outbox",
        .hints = "r:retry d:delete Enter:envelope",
        .nfocus = 1,
        .draw = outbox_draw,
        .key = outbox_key,
        .mouse = outbox_mouse,
        .event = outbox_event,
        .title = outbox_title,
        .keys = outbox_keys,
        .free = outbox_free,
};

void
ui_outbox_open(struct ui *ui)
{
	struct outbox *ob;
	struct ui_screen *s;

	/* o from the outbox itself does nothing new */
	for (s = ui->top; s != NULL; s = s->below)
		if (s->ops == &outbox_ops) {
			ui_msg(ui, "the outbox is open already (q goes back to it)");
			return;
		}
	ob = xcalloc(1, sizeof *ob);
	ob->ui = ui;
	ui_doc_init(&ob->detail);
	ob->detail_id = -1;
	load(ob);
	ob->s = ui_screen_push(ui, &outbox_ops, ob);
}
