/*
 * ui.c: the frame of the full-screen interface: options, the log file that
 * takes stderr, curses set-up, the poll() loop on stdin + the job event
 * pipe + a signal self-pipe (SIGWINCH, SIGTERM, SIGHUP), key dispatch (modal,
 * transcript pane or screen first, then the global keys), the screen stack,
 * layout, the title and status bars, and drawing from dirty flags with one
 * doupdate() per loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailbench/cli.h"
#include "mailbench/sanitize.h"
#include "mailbench/ui.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sig_term;

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: mailbench [--config FILE] [--cache FILE] [--account NAME] [--theme NAME]\n"
	        "\n"
	        "Opens the full-screen interface on the account NAME (default: [ui]\n"
	        "default_account, else the first account of the config file, else 'lab').\n"
	        "Themes: dark (default), light, high-contrast, monochrome, or a file path;\n"
	        "NO_COLOR or --no-color turn colours off. Press ? inside for every key.\n"
	        "stderr goes to $XDG_STATE_HOME/mailbench/mailbench.log while it runs.\n");
}

/* ---- signals ---------------------------------------------------------------------------- */

static void
on_signal(int sig)
{
	int saved = errno;
	char c = sig == SIGWINCH ? 'w' : 't';
	ssize_t r;

	if (sig != SIGWINCH)
		sig_term = 1;
	r = write(sig_pipe[1], &c, 1);
	(void)r;
	errno = saved;
}

static int
signals_start(void)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return 0;
}

static void
signals_stop(void)
{
	signal(SIGWINCH, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (sig_pipe[0] >= 0) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
	}
	sig_pipe[0] = sig_pipe[1] = -1;
}

/* ---- the log file that takes stderr ----------------------------------------------------- */

static char *
log_path(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return xasprintf("%s/mailbench/mailbench.log", x);
	if (home == NULL || home[0] == '\0')
		home = "/tmp";
	return xasprintf("%s/.local/state/mailbench/mailbench.log", home);
}

/* mkdir -p of the directory part of path, mode 0700. */
static void
mkdirs_for(const char *path)
{
	char *d = xstrdup(path), *p;

	for (p = d + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			break;
		*p = '/';
	}
	free(d);
}

/*
 * GnuTLS and libetpan may print on stderr, which would scribble over the
 * screen: send it to the log (mode 0600) while curses runs. Returns the
 * saved descriptor of the old stderr, or -1.
 */
static int
log_start(void)
{
	char *path = log_path();
	int fd, saved;

	mkdirs_for(path);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return -1;
	(void)fchmod(fd, 0600);
	fflush(stderr);
	saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (dup2(fd, 2) < 0) {
		close(fd);
		if (saved >= 0)
			close(saved);
		return -1;
	}
	close(fd);
	return saved;
}

static void
log_stop(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/* ---- screens ---------------------------------------------------------------------------- */

struct ui_screen *
ui_screen_push(struct ui *ui, const struct ui_screen_ops *ops, void *priv)
{
	struct ui_screen *s = xcalloc(1, sizeof *s);

	s->ops = ops;
	s->priv = priv;
	s->below = ui->top;
	s->dirty = true;
	ui->top = s;
	ui->tp_focus = false;
	ui->title_dirty = true;
	return s;
}

static void
screen_free(struct ui *ui, struct ui_screen *s)
{
	if (s->ops->free != NULL)
		s->ops->free(s);
	free(s);
}

void
ui_screen_pop(struct ui *ui)
{
	struct ui_screen *s = ui->top;

	if (s == NULL || s->below == NULL)
		return;
	ui->top = s->below;
	screen_free(ui, s);
	ui->top->dirty = true;
	ui->title_dirty = true;
	ui->tp_focus = false;
}

struct ui_screen *
ui_screen_top(struct ui *ui)
{
	return ui->top;
}

bool
ui_screen_focused(struct ui *ui, const struct ui_screen *s)
{
	return s == ui->top && !ui->tp_focus;
}

void
ui_screen_dirty(struct ui *ui, struct ui_screen *s)
{
	if (s == NULL)
		s = ui->top;
	if (s != NULL)
		s->dirty = true;
	ui->title_dirty = true;
}

void
ui_dirty_all(struct ui *ui)
{
	ui->all_dirty = true;
}

void
ui_cursor(struct ui *ui, WINDOW *w, int y, int x)
{
	ui->cur_win = w;
	ui->cur_y = y;
	ui->cur_x = x;
}

/* ---- status messages -------------------------------------------------------------------- */

static void set_msg(struct ui *ui, bool error, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

static void
set_msg(struct ui *ui, bool error, const char *fmt, va_list ap)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_buf_vaddf(&b, fmt, ap);
	free(ui->msg);
	/* messages may quote network text: keep them to one safe line */
	ui->msg = mb_sanitize(b.data, MB_SANITIZE_LINE);
	ui->msg_error = error;
	ui->status_dirty = true;
	mb_buf_release(&b);
}

void
ui_msg(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(ui, false, fmt, ap);
	va_end(ap);
}

void
ui_error(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(ui, true, fmt, ap);
	va_end(ap);
}

void
ui_error_from(struct ui *ui, const char *what, const struct mb_error *err)
{
	ui_error(ui, "%s: %s", what, err->msg[0] ? err->msg : "failed");
}

void
ui_set_account(struct ui *ui, const struct mb_account *acct)
{
	if (acct == ui->acct)
		return;
	ui->acct = acct;
	ui->conn = UI_CONN_NONE;
	XFREE(ui->conn_desc);
	ui->status_dirty = true;
	ui->title_dirty = true;
}

/* ---- layout ----------------------------------------------------------------------------- */

static void
windows_free(struct ui *ui)
{
	WINDOW **ws[] = {&ui->wtitle, &ui->wmain, &ui->wtp, &ui->wstatus};
	size_t i;

	for (i = 0; i < sizeof ws / sizeof ws[0]; i++) {
		if (*ws[i] != NULL)
			delwin(*ws[i]);
		*ws[i] = NULL;
	}
}

static bool
too_small(const struct ui *ui)
{
	return ui->rows < UI_MIN_ROWS || ui->cols < UI_MIN_COLS;
}

/* Make the windows for the current terminal size and the pane state. */
static void
layout(struct ui *ui)
{
	int mh, mw, th, tw;

	windows_free(ui);
	ui->rows = LINES;
	ui->cols = COLS;
	if (too_small(ui)) {
		ui->wmain = newwin(ui->rows, ui->cols, 0, 0);
		ui->all_dirty = true;
		return;
	}
	ui->wtitle = newwin(1, ui->cols, 0, 0);
	ui->wstatus = newwin(1, ui->cols, ui->rows - 1, 0);
	mh = ui->rows - 2;
	mw = ui->cols;
	if (ui->tp_open && ui->cols >= UI_WIDE_COLS) {
		tw = ui->cols * 45 / 100;
		mw = ui->cols - tw;
		ui->wmain = newwin(mh, mw, 1, 0);
		ui->wtp = newwin(mh, tw, 1, mw);
	} else if (ui->tp_open) {
		th = mh * 45 / 100;
		if (th < 5)
			th = 5;
		ui->wmain = newwin(mh - th, mw, 1, 0);
		ui->wtp = newwin(th, mw, 1 + mh - th, 0);
	} else {
		ui->wmain = newwin(mh, mw, 1, 0);
	}
	/* erased cells take the theme's normal colours (a theme may set a background) */
	wbkgdset(ui->wmain, ' ' | ui_attr(ui, UI_E_NORMAL));
	if (ui->wtp != NULL)
		wbkgdset(ui->wtp, ' ' | ui_attr(ui, UI_E_NORMAL));
	ui->all_dirty = true;
}

void
ui_tpane_show(struct ui *ui, bool open)
{
	if (open == ui->tp_open)
		return;
	ui->tp_open = open;
	if (!open)
		ui->tp_focus = false;
	layout(ui);
}

/* ---- title and status bars -------------------------------------------------------------- */

static void
draw_title(struct ui *ui)
{
	WINDOW *w = ui->wtitle;
	struct mb_buf t = MB_BUF_INIT;
	const char *hints = ui->top != NULL && ui->top->ops->hints ? ui->top->ops->hints : "";
	char right[256];
	int used, rw;

	ui_set(ui, w, UI_E_TITLE);
	ui_fill(w, 0, 0, ui->cols);
	mb_buf_addstr(&t, " mailbench ");
	mb_buf_addstr(&t, ui_sym(ui, "\xe2\x94\x82 ", "| "));
	if (ui->top != NULL && ui->top->ops->title != NULL)
		ui->top->ops->title(ui->top, ui, &t);
	else if (ui->top != NULL)
		mb_buf_addstr(&t, ui->top->ops->name);
	/* the hints shrink first, then the title; "?:help" always stays */
	snprintf(right, sizeof right, "%s%st:transcript ?:help ", hints, hints[0] ? " " : "");
	rw = (int)mb_display_width(right, strlen(right));
	used = (int)mb_display_width(t.data, t.len);
	if (used + 1 + rw > ui->cols) {
		snprintf(right, sizeof right, "t:transcript ?:help ");
		rw = (int)strlen(right);
	}
	if (used + 1 + rw > ui->cols) {
		snprintf(right, sizeof right, "?:help ");
		rw = (int)strlen(right);
	}
	used = ui_puts(ui, w, 0, 0, t.data, ui->cols - rw - 1);
	(void)used;
	ui_set(ui, w, UI_E_HINT);
	ui_puts(ui, w, 0, ui->cols - rw, right, rw);
	mb_buf_release(&t);
	wnoutrefresh(w);
}

static const char *
conn_text(struct ui *ui, enum ui_elem *elem)
{
	switch (ui->conn) {
	case UI_CONN_PLAIN:
		*elem = UI_E_STATUS;
		return "plain (no TLS)";
	case UI_CONN_TLS_OK:
		*elem = UI_E_STATUS_OK;
		return "TLS verified";
	case UI_CONN_TLS_UNVER:
		*elem = UI_E_STATUS_WARN;
		return "TLS NOT verified";
	default:
		*elem = UI_E_STATUS;
		return "not connected";
	}
}

static void
draw_status(struct ui *ui)
{
	WINDOW *w = ui->wstatus;
	const char *sep = ui_sym(ui, " \xe2\x94\x82 ", " | ");
	struct mb_buf b = MB_BUF_INIT;
	enum ui_elem ce;
	const char *ct = conn_text(ui, &ce);
	int x = 0, left;
	char sz1[16], sz2[16];

	ui_set(ui, w, UI_E_STATUS);
	ui_fill(w, 0, 0, ui->cols);
	mb_buf_addf(&b, " %s", ui->acct != NULL ? ui->acct->name : "(no account)");
	x += ui_puts(ui, w, 0, x, b.data, ui->cols - x);
	x += ui_puts(ui, w, 0, x, sep, ui->cols - x);
	if (ui->conn_desc != NULL) {
		x += ui_puts(ui, w, 0, x, ui->conn_desc, ui->cols - x);
		x += ui_puts(ui, w, 0, x, " ", ui->cols - x);
	}
	ui_set(ui, w, ce);
	x += ui_puts(ui, w, 0, x, ct, ui->cols - x);
	ui_set(ui, w, UI_E_STATUS);
	if (ui->idle_job != NULL) {
		x += ui_puts(ui, w, 0, x, sep, ui->cols - x);
		x += ui_puts(ui, w, 0, x, "live", ui->cols - x);
	}
	if (ui_job_busy(ui)) {
		mb_buf_reset(&b);
		mb_buf_addstr(&b, sep);
		mb_buf_addstr(&b, ui->job_status != NULL ? ui->job_status : "working");
		if (ui->prog_total > 0)
			mb_buf_addf(&b, " %llu/%llu", (unsigned long long)ui->prog_done,
			            (unsigned long long)ui->prog_total);
		if (ui->prog_bytes > 0) {
			ui_fmt_size((int64_t)ui->prog_bytes, sz1, sizeof sz1);
			ui_fmt_size((int64_t)ui->prog_bytes_total, sz2, sizeof sz2);
			if (ui->prog_bytes_total > 0)
				mb_buf_addf(&b, " (%s of %s)", sz1, sz2);
			else
				mb_buf_addf(&b, " (%s)", sz1);
		}
		mb_buf_addstr(&b, " [Esc cancels]");
		x += ui_puts(ui, w, 0, x, b.data, ui->cols - x);
	}
	if (ui->msg != NULL && x + 4 < ui->cols) {
		x += ui_puts(ui, w, 0, x, sep, ui->cols - x);
		left = ui->cols - x;
		ui_set(ui, w, ui->msg_error ? UI_E_STATUS_ERROR : UI_E_STATUS);
		ui_put_fit(ui, w, 0, x, ui->msg, left);
	}
	mb_buf_release(&b);
	wnoutrefresh(w);
}

/* ---- drawing ---------------------------------------------------------------------------- */

static void
draw_too_small(struct ui *ui)
{
	WINDOW *w = ui->wmain;
	char msg[96];

	werase(w);
	snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d", ui->cols, ui->rows,
	         UI_MIN_COLS, UI_MIN_ROWS);
	ui_set(ui, w, UI_E_ERROR);
	ui_puts(ui, w, 0, 0, msg, ui->cols);
	ui_set(ui, w, UI_E_NORMAL);
	if (ui->rows > 1)
		ui_puts(ui, w, 1, 0, "make it bigger, or press q to quit", ui->cols);
	wnoutrefresh(w);
}

/* Draw what is dirty and update the terminal once. Returns true when something was drawn. */
static bool
redraw(struct ui *ui)
{
	bool any = false;

	if (ui->all_dirty) {
		ui->title_dirty = ui->status_dirty = ui->tp_dirty = true;
		if (ui->top != NULL)
			ui->top->dirty = true;
	}
	ui->cur_win = NULL;
	if (too_small(ui)) {
		if (ui->all_dirty || (ui->top != NULL && ui->top->dirty)) {
			draw_too_small(ui);
			any = true;
		}
		if (ui->top != NULL)
			ui->top->dirty = false;
		ui->all_dirty = ui->title_dirty = ui->status_dirty = ui->tp_dirty = false;
		goto update;
	}
	if (ui->top != NULL && ui->top->dirty) {
		ui->top->dirty = false;
		werase(ui->wmain);
		ui->top->ops->draw(ui->top, ui, ui->wmain);
		wnoutrefresh(ui->wmain);
		any = true;
	}
	if (ui->tp_open && ui->tp_dirty && ui->wtp != NULL) {
		ui->tp_dirty = false;
		werase(ui->wtp);
		ui_tpane_draw(ui, ui->wtp, ui->tp_focus);
		wnoutrefresh(ui->wtp);
		any = true;
	}
	if (ui->title_dirty) {
		ui->title_dirty = false;
		draw_title(ui);
		any = true;
	}
	if (ui->status_dirty) {
		ui->status_dirty = false;
		draw_status(ui);
		any = true;
	}
	/* modals sit on top of everything: paint them last, every time (cheap) */
	if (ui->modals != NULL) {
		ui_modal_draw(ui);
		any = true;
	}
	ui->all_dirty = false;
update:
	if (ui->cur_win != NULL) {
		wmove(ui->cur_win, ui->cur_y, ui->cur_x);
		wnoutrefresh(ui->cur_win);
		curs_set(1);
	} else {
		curs_set(0);
	}
	if (any)
		doupdate();
	return any;
}

/* ---- keys ------------------------------------------------------------------------------- */

bool
ui_key_is_enter(int key)
{
	return key == '\n' || key == '\r' || key == UI_FN(KEY_ENTER);
}

const char *
ui_key_name(int key, char *buf, size_t size)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
	        {UI_K_UP, "Up"},       {UI_K_DOWN, "Down"},
	        {UI_K_LEFT, "Left"},   {UI_K_RIGHT, "Right"},
	        {UI_K_PGUP, "PgUp"},   {UI_K_PGDN, "PgDn"},
	        {UI_K_HOME, "Home"},   {UI_K_END, "End"},
	        {UI_K_BTAB, "S-Tab"},  {UI_K_TAB, "Tab"},
	        {UI_K_ESC, "Esc"},     {UI_K_ENTER, "Enter"},
	        {UI_K_MOUSE, "Mouse"}, {UI_K_BACKSPACE, "Backspace"},
	        {UI_K_DC, "Delete"},
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key) {
			snprintf(buf, size, "%s", names[i].name);
			return buf;
		}
	if (UI_IS_FN(key))
		snprintf(buf, size, "key%d", key & 0xfff);
	else if (key < 0x20)
		snprintf(buf, size, "^%c", key + '@');
	else if (key < 0x80)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "U+%04X", (unsigned)key);
	return buf;
}

/* Tab: the next focus area (the screen's, then the transcript pane's). */
static void
focus_next(struct ui *ui, bool back)
{
	struct ui_screen *s = ui->top;
	int n = s->ops->nfocus > 0 ? s->ops->nfocus : 1;

	if (!back) {
		if (ui->tp_focus) {
			ui->tp_focus = false;
			s->focus = 0;
		} else if (s->focus + 1 < n) {
			s->focus++;
		} else if (ui->tp_open) {
			ui->tp_focus = true;
		} else {
			s->focus = 0;
		}
	} else {
		if (ui->tp_focus) {
			ui->tp_focus = false;
			s->focus = n - 1;
		} else if (s->focus > 0) {
			s->focus--;
		} else if (ui->tp_open) {
			ui->tp_focus = true;
		} else {
			s->focus = n - 1;
		}
	}
	s->dirty = true;
	ui->tp_dirty = true;
}

static int
global_key(struct ui *ui, int key)
{
	switch (key) {
	case '?':
		ui_help_open(ui);
		return UI_DONE;
	case 't':
		ui_tpane_show(ui, !ui->tp_open);
		return UI_ALL;
	case UI_K_TAB:
		focus_next(ui, false);
		return UI_DONE;
	case UI_K_BTAB:
		focus_next(ui, true);
		return UI_DONE;
	case 'q':
	case UI_K_ESC:
		if (ui->tp_focus) {
			ui->tp_focus = false;
			ui->tp_dirty = true;
			ui_screen_dirty(ui, NULL);
			return UI_DONE;
		}
		if (ui->top->below != NULL)
			return UI_CLOSE;
		return key == 'q' ? UI_QUIT : UI_DONE;
	case 'c':
		ui_compose_open(ui, NULL);
		return UI_DONE;
	case 'R':
		ui_console_open(ui);
		return UI_DONE;
	case 'o':
		ui_outbox_open(ui);
		return UI_DONE;
	case 'L':
		ui_tpane_pick_session(ui, 0);
		return UI_DONE;
	case UI_CTRL('l'):
		clearok(curscr, TRUE);
		return UI_ALL;
	default:
		return UI_PASS;
	}
}

static void
apply_result(struct ui *ui, int r)
{
	if (r & UI_DIRTY)
		ui_screen_dirty(ui, NULL);
	if (r & UI_ALL)
		ui->all_dirty = true;
	if (r & UI_CLOSE)
		ui_screen_pop(ui);
	if (r & UI_QUIT)
		ui->quit = true;
}

static void
mouse_event(struct ui *ui)
{
	MEVENT me;
	int by, bx, h, w, r = UI_PASS, i;
	bool wheel_up, wheel_down;

	if (getmouse(&me) != OK || ui->modals != NULL || too_small(ui))
		return;
	wheel_up = (me.bstate & BUTTON4_PRESSED) != 0;
#ifdef BUTTON5_PRESSED
	wheel_down = (me.bstate & BUTTON5_PRESSED) != 0;
#else
	wheel_down = false;
#endif
	if (ui->wtp != NULL && wenclose(ui->wtp, me.y, me.x)) {
		getbegyx(ui->wtp, by, bx);
		if (!ui->tp_focus && (me.bstate & BUTTON1_PRESSED)) {
			ui->tp_focus = true;
			ui_screen_dirty(ui, NULL);
		}
		r = ui_tpane_mouse(ui, me.y - by, me.x - bx, me.bstate);
		ui->tp_dirty = true;
		apply_result(ui, r);
		return;
	}
	if (!wenclose(ui->wmain, me.y, me.x))
		return;
	getbegyx(ui->wmain, by, bx);
	getmaxyx(ui->wmain, h, w);
	(void)h;
	(void)w;
	if (ui->tp_focus && (me.bstate & BUTTON1_PRESSED)) {
		ui->tp_focus = false;
		ui->tp_dirty = true;
		ui_screen_dirty(ui, NULL);
	}
	if (ui->top->ops->mouse != NULL)
		r = ui->top->ops->mouse(ui->top, ui, me.y - by, me.x - bx, me.bstate);
	if (r == UI_PASS && (wheel_up || wheel_down))
		for (i = 0; i < 3; i++)
			r |= ui->top->ops->key(ui->top, ui, wheel_up ? UI_K_UP : UI_K_DOWN);
	apply_result(ui, r);
}

static void
dispatch_key(struct ui *ui, int key)
{
	int r;

	if (key == UI_FN(KEY_RESIZE))
		return; /* the SIGWINCH pipe does the work */
	if (ui->modals != NULL) {
		apply_result(ui, ui_modal_key(ui, key) & ~UI_DIRTY);
		return;
	}
	if (key == UI_K_MOUSE) {
		mouse_event(ui);
		return;
	}
	if (key == UI_CTRL('c')) {
		if (!ui_job_cancel_newest(ui, "Ctrl-C"))
			ui_msg(ui, "nothing to cancel; press q to quit");
		return;
	}
	if (too_small(ui)) {
		if (key == 'q')
			ui->quit = true;
		return;
	}
	if (key == UI_K_ESC && ui_job_cancel_newest(ui, "Esc"))
		return;
	if (ui->tp_focus) {
		r = ui_tpane_key(ui, key);
		if (r & UI_DIRTY)
			ui->tp_dirty = true;
		if (r != UI_PASS) {
			apply_result(ui, r & ~UI_DIRTY);
			return;
		}
	} else {
		r = ui->top->ops->key(ui->top, ui, key);
		if (r != UI_PASS) {
			apply_result(ui, r);
			return;
		}
	}
	apply_result(ui, global_key(ui, key));
}

/* ---- the loop --------------------------------------------------------------------------- */

static void
on_resize(struct ui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	layout(ui);
}

static void
read_keys(struct ui *ui, WINDOW *in)
{
	wint_t ch;
	int r, key, n;
	double t0;
	char name[32];

	for (n = 0; n < 4096; n++) {
		r = wget_wch(in, &ch);
		if (r == ERR)
			break;
		key = r == KEY_CODE_YES ? UI_FN((int)ch) : (int)ch;
		t0 = ui_now_ms();
		dispatch_key(ui, key);
		if (ui->quit)
			break;
		redraw(ui);
		ui_timing_mark(ui, ui_key_name(key, name, sizeof name), ui_now_ms() - t0);
	}
}

static void
drain_events(struct ui *ui)
{
	struct mb_event *ev;
	int n;

	for (n = 0; n < 100000 && (ev = mb_queue_pop(ui->q)) != NULL; n++) {
		ui_job_event(ui, ev);
		mb_event_free(ev);
	}
}

static void
loop(struct ui *ui, WINDOW *in)
{
	struct pollfd fds[3];
	char buf[64];
	ssize_t r;
	bool first = true;

	while (!ui->quit) {
		redraw(ui);
		if (first) {
			first = false;
			ui_timing_mark(ui, "first_screen", -1);
		}
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		fds[1].fd = mb_queue_fd(ui->q);
		fds[1].events = POLLIN;
		fds[2].fd = sig_pipe[0];
		fds[2].events = POLLIN;
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[2].revents & POLLIN) {
			while ((r = read(sig_pipe[0], buf, sizeof buf)) > 0)
				if (memchr(buf, 'w', (size_t)r) != NULL)
					on_resize(ui);
			if (sig_term)
				ui->quit = true;
		}
		if (fds[1].revents & POLLIN)
			drain_events(ui);
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (fds[0].revents & (POLLHUP | POLLERR) && !(fds[0].revents & POLLIN))
				ui->quit = true; /* the terminal went away */
			read_keys(ui, in);
		}
	}
}

/* ---- start and end ---------------------------------------------------------------------- */

static int
parse_args(int argc, char **argv, const char **account, const char **theme)
{
	static const struct option longopts[] = {
	        {"account", required_argument, NULL, 'a'},
	        {"theme", required_argument, NULL, 'T'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	mb_cli_getopt_reset();
	while ((c = mb_cli_getopt(NULL, argc, argv, "a:h", longopts)) != -1) {
		switch (c) {
		case 'a':
			*account = optarg;
			break;
		case 'T':
			*theme = optarg;
			break;
		case 'h':
			usage(stdout);
			return MB_EXIT_OK + 100;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return mb_cli_usage_error(NULL, "unexpected argument '%s'", argv[optind]);
	return -1;
}

static void
ui_release(struct ui *ui)
{
	size_t i;

	while (ui->top != NULL) {
		struct ui_screen *s = ui->top;

		ui->top = s->below;
		screen_free(ui, s);
	}
	ui_tpane_free(ui->tp);
	mb_queue_free(ui->q);
	mb_store_close(ui->st);
	free(ui->cache_path);
	ui_theme_free(ui->theme);
	for (i = 0; i < ui->npw; i++) {
		mb_password_free(ui->pw_values[i]);
		free(ui->pw_names[i]);
	}
	free(ui->pw_values);
	free(ui->pw_names);
	free(ui->conn_desc);
	free(ui->job_status);
	free(ui->msg);
	free((char *)ui->save_dir);
	mb_config_release(&ui->cfg);
}

/* Everything that can fail before curses starts: config, account, theme, cache. */
static int
prepare(struct ui *ui, const char *account, const char *theme)
{
	struct mb_error err = MB_ERROR_INIT;
	size_t n;

	if (mb_config_load(&ui->cfg, ui->cli->config_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		return MB_EXIT_CONFIG;
	}
	ui->acct = account != NULL ? mb_config_account(&ui->cfg, account)
	                           : mb_config_default(&ui->cfg);
	if (ui->acct == NULL) {
		mb_cli_err(NULL, "no account named '%s' (see mailbench config)", account);
		return MB_EXIT_NOTFOUND;
	}
	if (theme == NULL)
		theme = ui->cfg.theme != NULL ? ui->cfg.theme : "dark";
	if (ui->cli->no_color)
		theme = "monochrome"; /* colour themes rely on colour to show the cursor */
	ui->theme = ui_theme_load(theme, &err);
	if (ui->theme == NULL) {
		mb_cli_err(NULL, "%s", err.msg);
		return MB_EXIT_CONFIG;
	}
	if (mb_store_open(&ui->st, ui->cli->cache_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		return mb_cli_exit_for(err.kind);
	}
	ui->cache_path = xstrdup(mb_store_path(ui->st));
	/* a send interrupted by a crash must not look queued */
	if (mb_store_outbox_recover(ui->st, &n, &err) < 0)
		mb_error_clear(&err);
	return 0;
}

/* The theme wants colour but the terminal has none: fall back to monochrome. */
static void
theme_for_terminal(struct ui *ui)
{
	struct mb_error err = MB_ERROR_INIT;
	struct ui_theme *mono;

	ui->color = !ui->cli->no_color && has_colors();
	if (ui->color) {
		start_color();
		use_default_colors();
	} else if ((mono = ui_theme_load("monochrome", &err)) != NULL) {
		ui_theme_free(ui->theme);
		ui->theme = mono;
	}
	ui_theme_apply(ui->theme, ui->color);
}

int
mb_ui_main(struct mb_cli *cli, int argc, char **argv)
{
	struct ui ui;
	const char *account = NULL, *theme = NULL;
	int r, saved_err;
	WINDOW *in;

	memset(&ui, 0, sizeof ui);
	ui.cli = cli;
	ui.conn = UI_CONN_NONE;
	ui.lab_state = -1;
	ui_timing_mark(&ui, NULL, 0); /* the clock starts */
	r = parse_args(argc, argv, &account, &theme);
	if (r >= 0)
		return r >= 100 ? r - 100 : r;
	/* a bad config, theme or cache is reported first, terminal or not */
	r = prepare(&ui, account, theme);
	if (r != 0) {
		ui_release(&ui);
		return r;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		mb_cli_err(NULL, "the full-screen interface needs a terminal (mailbench --help "
		                 "lists the commands)");
		ui_release(&ui);
		return MB_EXIT_USAGE;
	}
	ui.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	ui.q = mb_queue_new();
	ui.tp = ui_tpane_new();
	ui.exit_code = MB_EXIT_OK;

	saved_err = log_start();
	if (initscr() == NULL) {
		log_stop(saved_err);
		mb_cli_err(NULL, "cannot start the screen (TERM=%s)", getenv("TERM"));
		ui_release(&ui);
		return MB_EXIT_FAIL;
	}
	signals_start();
	raw();
	noecho();
	set_escdelay(25);
	theme_for_terminal(&ui);
	in = newwin(1, 1, 0, 0);
	keypad(in, TRUE);
	nodelay(in, TRUE);
	mousemask(ALL_MOUSE_EVENTS, NULL);
	mouseinterval(0);
	curs_set(0);
	layout(&ui);

	ui_mailbox_open(&ui);
	/* live updates: for the lab once it answers, for any other account now */
	if (!ui_probe_lab(&ui))
		ui_idle_auto(&ui, ui.acct);
	loop(&ui, in);

	ui_modal_close_all(&ui);
	ui_job_shutdown(&ui);
	mousemask(0, NULL);
	delwin(in);
	windows_free(&ui);
	endwin();
	signals_stop();
	log_stop(saved_err);
	r = ui.exit_code;
	ui_release(&ui);
	return r;
}
