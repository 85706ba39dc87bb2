/*
 * private.h: what the files of src/ui share: the frame (struct ui), the
 * screen API, modal prompts, jobs seen from the UI, the transcript pane,
 * themes and drawing helpers. This header is the manual for writing a
 * screen; read it top to bottom once.
 *
 * The picture (80x24; the transcript pane goes beside the screen when the
 * terminal is at least UI_WIDE_COLS wide, below it otherwise):
 *
 *     row 0        title bar: screen title ............ key hints, ?:help
 *     rows 1..     the top screen's window        | transcript pane (t)
 *     ...          (a prompt takes the last row of this area while open)
 *     last row     status bar: account · connection · job progress · message
 *
 * Threads. Only the UI thread (the one in mb_ui_main) calls ncurses or
 * touches struct ui. Network work runs in jobs (job.h); a job reports with
 * events which the frame pops and dispatches (ui_screen_ops.event, the
 * transcript pane, the status bar). Nothing here blocks on the network.
 *
 * Writing a screen (see screen_mailbox.c, screen_message.c for examples):
 *
 *     static const struct ui_keydoc my_keys[] = {
 *             {"j k ↓ ↑", "move"}, {"Enter", "open"}, {NULL, NULL}};
 *     static const struct ui_screen_ops my_ops = {
 *             .name = "Outbox", .hints = "Enter:open d:delete", .nfocus = 1,
 *             .draw = my_draw, .key = my_key, .event = my_event,
 *             .keys = my_keys, .free = my_free};
 *     ...
 *     ui_screen_push(ui, &my_ops, priv);
 *
 *  - draw(s, ui, w) paints the whole of window w (the screen's area; its
 *    size is getmaxyx(w)). It is called only when s->dirty is set (the
 *    frame clears it), never from a key handler: handlers change state and
 *    return UI_DIRTY. Draw with werase() + waddstr and friends, never
 *    clear()/refresh(): the frame does wnoutrefresh()/doupdate() once per
 *    loop, so nothing flickers.
 *  - key(s, ui, key) gets every key while the screen is on top and has the
 *    focus (and no modal is open). key is a code point, or UI_FN(KEY_xxx)
 *    for a function key (see UI_K_* below). Return UI_PASS for keys you do
 *    not use: the frame then applies the global keys (?, t, Tab, q, Esc,
 *    c, R, o, L). Return UI_CLOSE to leave the screen (it is freed).
 *  - event(s, ui, ev) sees every job event (transcript lines, progress,
 *    status, done, changed); every screen of the stack gets it, bottom up.
 *  - Text from the network goes through sanitize.h before it is drawn: use
 *    ui_put_net() (single-line fields) or a struct ui_doc (documents), or
 *    mb_sanitize() yourself.
 *
 * Key order: an open modal takes every key; then Ctrl-C (cancel the newest
 * job), then Esc while a job runs (cancel it); then the focused pane (the
 * screen, or the transcript pane after Tab); then, for UI_PASS, the global
 * keys. A screen with text fields (compose, the console) must therefore
 * return UI_DONE for every printable key it takes, q ? t c R o L included,
 * and may keep Tab for its own fields (the frame only cycles panes on a
 * Tab the screen passed). Screens needing a cancel of their own on Esc get
 * it only when no job runs.
 *
 * Screens written elsewhere plug in through the hooks declared below
 * (ui_compose_open, ui_console_open, ui_outbox_open): src/ui/hooks.c holds
 * placeholders; replace them with the real screens' files. After a send,
 * ui_envelope_open_outbox() shows the envelope view and
 * ui_tpane_pick_session(ui, outbox_id) the stored transcripts of that entry.
 */
#ifndef MAILBENCH_UI_PRIVATE_H
#define MAILBENCH_UI_PRIVATE_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/buf.h"
#include "mailbench/cli.h"
#include "mailbench/config.h"
#include "mailbench/error.h"
#include "mailbench/event.h"
#include "mailbench/job.h"
#include "mailbench/store.h"
#include "mailbench/transcript.h"

struct ui;
struct mb_conn;
struct mb_smtp;

/* ---- keys ------------------------------------------------------------------------------- */

/*
 * Keys are ints: a Unicode code point for a character (Ctrl-X is 0x18),
 * or UI_FN(k) for a curses function key k (KEY_UP, KEY_NPAGE, ...).
 */
#define UI_FN(k)       (0x200000 | (k))
#define UI_IS_FN(key)  (((key)&0x200000) != 0)
#define UI_CTRL(c)     ((c)&0x1f)
#define UI_K_ESC       27
#define UI_K_ENTER     '\n'
#define UI_K_TAB       '\t'
#define UI_K_BTAB      UI_FN(KEY_BTAB)
#define UI_K_UP        UI_FN(KEY_UP)
#define UI_K_DOWN      UI_FN(KEY_DOWN)
#define UI_K_LEFT      UI_FN(KEY_LEFT)
#define UI_K_RIGHT     UI_FN(KEY_RIGHT)
#define UI_K_PGUP      UI_FN(KEY_PPAGE)
#define UI_K_PGDN      UI_FN(KEY_NPAGE)
#define UI_K_HOME      UI_FN(KEY_HOME)
#define UI_K_END       UI_FN(KEY_END)
#define UI_K_BACKSPACE UI_FN(KEY_BACKSPACE)
#define UI_K_DC        UI_FN(KEY_DC)
/* A mouse event: the frame calls ui_screen_ops.mouse instead of key. */
#define UI_K_MOUSE UI_FN(KEY_MOUSE)

/* True for Enter in all its spellings (LF, CR, KEY_ENTER). */
bool ui_key_is_enter(int key);
/* A printable name for a key ("j", "PgDn", "^C"), for timings and messages. */
const char *ui_key_name(int key, char *buf, size_t size);

/* ---- result flags of handlers ----------------------------------------------------------- */

enum ui_res {
	UI_PASS = 0,       /* not handled: let the frame try its global keys */
	UI_DONE = 1 << 0,  /* handled */
	UI_DIRTY = 1 << 1, /* handled; redraw this screen (or pane) */
	UI_CLOSE = 1 << 2, /* close this screen (it is popped and freed) */
	UI_QUIT = 1 << 3,  /* leave mailbench */
	UI_ALL = 1 << 4,   /* redraw everything (layout changed) */
};

/* One line of `?` help: the keys as shown and what they do. Arrays end with {NULL, NULL}. */
struct ui_keydoc {
	const char *keys;
	const char *what;
};

/* ---- screens ---------------------------------------------------------------------------- */

struct ui_screen;

struct ui_screen_ops {
	const char *name;  /* "Mailbox": the help title and the default title */
	const char *hints; /* short key hints for the title bar: "Enter:open F:fetch" */
	int nfocus;        /* focus areas inside the screen that Tab cycles (at least 1) */
	/* Paint all of w. Required. */
	void (*draw)(struct ui_screen *s, struct ui *ui, WINDOW *w);
	/* A key (see above). Required. */
	int (*key)(struct ui_screen *s, struct ui *ui, int key);
	/*
	 * A mouse event inside the screen's window: y, x relative to it. Optional
	 * (the wheel falls back to Up/Down keys, a click is ignored).
	 */
	int (*mouse)(struct ui_screen *s, struct ui *ui, int y, int x, mmask_t bstate);
	/* Every job event, while the screen is anywhere in the stack. Optional. */
	void (*event)(struct ui_screen *s, struct ui *ui, const struct mb_event *ev);
	/* The title for the title bar (appended to out); optional (name is used). */
	void (*title)(struct ui_screen *s, struct ui *ui, struct mb_buf *out);
	/* Keys for `?`: static (keys) or computed (keydoc, wins when set). */
	const struct ui_keydoc *keys;
	const struct ui_keydoc *(*keydoc)(struct ui_screen *s);
	/* Free priv (and whatever it owns). The frame frees s itself. Optional. */
	void (*free)(struct ui_screen *s);
};

struct ui_screen {
	const struct ui_screen_ops *ops;
	void *priv;
	struct ui_screen *below; /* the stack: the screen shown when this one closes */
	bool dirty;              /* draw() before the next doupdate() */
	int focus;               /* 0 .. ops->nfocus-1, set by the frame on Tab */
};

/* Push a new screen on top (it gets the focus and is drawn). Returns it. */
struct ui_screen *ui_screen_push(struct ui *ui, const struct ui_screen_ops *ops, void *priv);
/* Close the top screen (as UI_CLOSE does). The bottom screen never closes: q quits there. */
void ui_screen_pop(struct ui *ui);
/* The top screen. */
struct ui_screen *ui_screen_top(struct ui *ui);
/* Does the screen (not the transcript pane) have the focus? */
bool ui_screen_focused(struct ui *ui, const struct ui_screen *s);
/* Mark a screen for redrawing (s NULL: the top one). */
void ui_screen_dirty(struct ui *ui, struct ui_screen *s);
/* Mark everything for redrawing. */
void ui_dirty_all(struct ui *ui);
/* Where the terminal cursor goes after this draw (an input field); call from draw(). */
void ui_cursor(struct ui *ui, WINDOW *w, int y, int x);

/* ---- the frame -------------------------------------------------------------------------- */

/* The transcript pane goes beside the screen from this many columns, else below. */
#define UI_WIDE_COLS 150
/* The smallest terminal drawn at all. */
#define UI_MIN_COLS 40
#define UI_MIN_ROWS 10

enum ui_conn_state {
	UI_CONN_NONE = -1,    /* no connection yet */
	UI_CONN_PLAIN = 0,    /* connected, no TLS */
	UI_CONN_TLS_OK = 1,   /* TLS, certificate verified */
	UI_CONN_TLS_UNVER = 2 /* TLS, certificate NOT verified (tls_verify = no) */
};

struct ui_jobrec;
struct ui_modal;
struct ui_tpane;
struct ui_theme;

struct ui {
	struct mb_cli *cli;
	struct mb_config cfg;
	const struct mb_account *acct; /* the current account (the status bar's) */
	struct mb_store *st;           /* the UI thread's own cache handle */
	char *cache_path;              /* for jobs, which open their own */
	struct mb_queue *q;            /* job events */
	struct ui_theme *theme;
	bool utf8;  /* the locale is UTF-8: box and arrow symbols allowed */
	bool color; /* colours are on */

	struct ui_screen *top;   /* the screen stack */
	struct ui_tpane *tp;     /* the transcript pane (always exists) */
	bool tp_open, tp_focus;  /* shown; has the focus */
	struct ui_modal *modals; /* open prompts/pickers/help, innermost first */
	struct ui_jobrec *jobs;  /* running jobs, newest first */

	/* status bar */
	enum ui_conn_state conn;
	char *conn_desc;  /* "IMAP localhost:10143", or NULL */
	char *job_status; /* the running job's last status text, or NULL */
	char *msg;        /* the last message or error, or NULL */
	bool msg_error;
	uint64_t prog_done, prog_total, prog_bytes, prog_bytes_total;

	/* passwords typed in this run, per account (wiped at exit) */
	char **pw_names, **pw_values;
	size_t npw;

	/* layout: windows are remade on every resize */
	int rows, cols;
	WINDOW *wtitle, *wmain, *wtp, *wstatus;
	bool all_dirty, title_dirty, status_dirty, tp_dirty;
	WINDOW *cur_win; /* cursor request of this draw (ui_cursor) */
	int cur_y, cur_x;
	int lab_state; /* the lab preset's servers: -1 unknown, 0 not running, 1 running */
	struct mb_job *idle_job;            /* the live IDLE connection's job, or NULL */
	uint64_t idle_id;                   /* its id (the job is freed before its done runs) */
	const struct mb_account *idle_acct; /* its account */
	bool quit;
	int exit_code;
	const char *save_dir; /* the directory attachments were last saved to (owned) */
};

/* Status bar: a message (printf format), an error (kept until the next message). */
void ui_msg(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_error(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The error of a failed call: "what: err->msg". */
void ui_error_from(struct ui *ui, const char *what, const struct mb_error *err);
/* Switch the current account (the status bar and new jobs follow). */
void ui_set_account(struct ui *ui, const struct mb_account *acct);

/* ---- modals: prompts, confirmations, pickers, help ------------------------------------- */

/*
 * A modal gets every key until it closes; the screen underneath keeps
 * receiving events and redrawing. Callbacks run after the modal is closed
 * (so a callback may open another modal), exactly once each.
 */

/* A line editor, usable in a prompt or embedded in a screen (compose fields). */
struct ui_edit {
	struct mb_buf text; /* UTF-8, never holds control characters */
	size_t cur;         /* cursor, a byte offset at a character boundary */
	size_t scroll;      /* first byte shown */
	bool mask;          /* shown as '*' (passwords) */
	size_t max;         /* maximum bytes, 0: 4096 */
};

enum ui_edit_res {
	UI_EDIT_PASS = 0, /* not an editing key */
	UI_EDIT_MOVED,    /* the cursor moved */
	UI_EDIT_CHANGED,  /* the text changed */
	UI_EDIT_ENTER,
	UI_EDIT_CANCEL, /* Esc or ^G */
	UI_EDIT_TAB,
};

void ui_edit_init(struct ui_edit *e, const char *initial);
void ui_edit_release(struct ui_edit *e);
void ui_edit_set(struct ui_edit *e, const char *text);
/*
 * Apply a key: printable characters insert; Left/Right, Home/End, ^A/^E,
 * Backspace/^H, Delete/^D, ^U (to start), ^K (to end), ^W (word) edit.
 */
enum ui_edit_res ui_edit_key(struct ui_edit *e, int key);
/* Draw in width columns at (y, x) of w with theme element elem; places the cursor if focused. */
void ui_edit_draw(struct ui *ui, struct ui_edit *e, WINDOW *w, int y, int x, int width, int elem,
                  bool focused);
/* Complete the path before the cursor (Tab in UI_PROMPT_PATH prompts); true if it changed. */
bool ui_edit_complete_path(struct ui_edit *e, struct mb_buf *choices);

enum ui_prompt_flags {
	UI_PROMPT_MASK = 1 << 0, /* a password: echo '*' and wipe the text after use */
	UI_PROMPT_PATH = 1 << 1, /* Tab completes file names */
	UI_PROMPT_LIVE = 1 << 2, /* call change() after every edit */
};

/* text is NULL when the user cancelled (Esc, ^G, ^C). */
typedef void (*ui_prompt_fn)(struct ui *ui, void *ctx, const char *text);

/* A one-line prompt in the last row of the screen area: "label: [text]". */
void ui_prompt(struct ui *ui, const char *label, const char *initial, unsigned flags,
               ui_prompt_fn done, ui_prompt_fn change, void *ctx);
/* A yes/no question: y runs yes, anything else cancels (no is called with NULL if set). */
void ui_confirm(struct ui *ui, const char *question, ui_prompt_fn yes, ui_prompt_fn no, void *ctx);
/*
 * Pick one of n items (already safe text) in a centred box. done gets the
 * index as text ("3") or NULL when cancelled; sel is the first selection.
 */
void ui_pick(struct ui *ui, const char *title, const char *const *items, size_t n, size_t sel,
             ui_prompt_fn done, void *ctx);
/* The help of the current screen (the `?` key). */
void ui_help_open(struct ui *ui);
/* Is a modal open? */
bool ui_modal_open(struct ui *ui);
/* Close every modal, cancelling each (at exit). */
void ui_modal_close_all(struct ui *ui);

/* Internal to the frame: give a key to the innermost modal; draw modals. */
int ui_modal_key(struct ui *ui, int key);
void ui_modal_draw(struct ui *ui);

/* ---- jobs ------------------------------------------------------------------------------- */

/*
 * Starting a job from a screen:
 *
 *     struct ui_jobopts o = {.what = "fetch", .done = fetch_done, .ctx = s};
 *     ui_job_start(ui, &o, fetch_main, arg, free_arg);
 *
 * The job function runs on its own thread: it opens its own cache
 * (mb_store_open(ui->cache_path)), uses a struct ui_work (below) as the
 * transcript sink, the connection hook and for the final MB_EV_DONE, and
 * never touches struct ui. done runs on the UI thread with the MB_EV_DONE
 * event. A screen that passed itself as ctx calls ui_job_forget(ui, ctx)
 * from its free(), so no callback reaches a freed screen.
 */
typedef void (*ui_done_fn)(struct ui *ui, void *ctx, const struct mb_event *done);

struct ui_jobopts {
	const char *what; /* "fetch", "send": the status bar and the cancel message */
	bool quiet;       /* do not open the transcript pane for this job's lines */
	/* runs for long (IDLE): not "busy", not cancelled by Esc, leaves the status bar */
	bool background;
	ui_done_fn done; /* may be NULL */
	void *ctx;
};

struct mb_job *ui_job_start(struct ui *ui, const struct ui_jobopts *o, mb_job_fn fn, void *arg,
                            void (*free_arg)(void *));
/* Is any job running (background jobs aside)? */
bool ui_job_busy(struct ui *ui);
/* Cancel the newest running job (Esc, Ctrl-C); the cancel is noted in the transcript. */
bool ui_job_cancel_newest(struct ui *ui, const char *why);
/* Detach done callbacks whose ctx is ctx (the screen is going away). */
void ui_job_forget(struct ui *ui, void *ctx);
/* Internal to the frame: an event from the queue. */
void ui_job_event(struct ui *ui, const struct mb_event *ev);
/* Internal: cancel all, wait (bounded) and join at exit. */
void ui_job_shutdown(struct ui *ui);

/*
 * The worker's side, on the job's thread:
 *
 *     struct ui_work w;
 *     ui_work_init(&w, job, "IMAP");
 *     opts.sink = ui_work_sink; opts.sink_ctx = &w;
 *     opts.on_conn = ui_work_on_conn; opts.ctx = &w;     (or on_session = ui_work_on_smtp)
 *     ... r = mb_sync(&opts, &stats, &err) ...
 *     ui_work_done(&w, r < 0 ? mb_cli_exit_for(err.kind) : 0, &err, ref);
 *
 * The sink posts transcript lines and the connection state (plain, TLS
 * verified or not) for the status bar; on_conn makes mb_job_cancel() cancel
 * that connection; ui_work_done posts the final MB_EV_DONE with the TLS state.
 */
struct ui_work {
	struct mb_job *job;
	const char *proto; /* "IMAP", "POP3", "SMTP" (static) */
	struct mb_conn *conn;
	int tls; /* enum ui_conn_state last posted */
};

void ui_work_init(struct ui_work *w, struct mb_job *job, const char *proto);
void ui_work_sink(void *ctx, const struct mb_tline *tl);
void ui_work_on_conn(void *ctx, struct mb_conn *c);
void ui_work_on_smtp(void *ctx, struct mb_smtp *s);
void ui_work_done(struct ui_work *w, int exit, const struct mb_error *err, int64_t ref);

/* MB_EV_STATUS events with these refs carry a connection state (text: "IMAP host:port"). */
#define UI_EVREF_CONN_BASE   (-1000)
#define UI_EVREF_CONN(state) (UI_EVREF_CONN_BASE - 1 - (state)) /* state: enum ui_conn_state */

/*
 * A password for acct before a job starts. cb(ui, ctx, pw) runs at once
 * with pw "" when the job can get it itself (no user, a password or a
 * password_command: call ui_work_password() in the job), with the typed
 * password after a masked prompt otherwise (kept for this run; copy it,
 * it is wiped after the call), and with NULL when the user cancelled the
 * prompt. Never prompts on the tty.
 */
void ui_need_password(struct ui *ui, const struct mb_account *acct, const char *what,
                      ui_prompt_fn cb, void *ctx);
/* The password typed for acct in this run, or NULL. */
const char *ui_typed_password(const struct ui *ui, const struct mb_account *acct);
/* Whether ui_need_password would go on without a prompt. */
bool ui_password_at_hand(const struct ui *ui, const struct mb_account *acct);
/* In the job: the password to use (given unless "", else the account's own); *pw NULL: no user. */
int ui_work_password(const struct mb_account *acct, const char *given, char **pw,
                     struct mb_error *err);

/* ---- the sync jobs (sync_job.c) --------------------------------------------------------- */

/* F: fetch new mail for acct (asks for the password first when needed). */
void ui_sync_fetch(struct ui *ui, const struct mb_account *acct);
/* N, and opening an unread message: set a cached message's flags, on the server first;
   quiet: without opening the transcript pane. */
void ui_sync_flags(struct ui *ui, const struct mb_account *acct, int64_t msg_id, unsigned flags,
                   bool quiet);
/*
 * Watch acct's INBOX over IMAP IDLE in a background job, so new mail shows
 * up live; replaces the one of another account. Nothing happens with
 * [ui] idle = no, without IMAP, or when the password would need a prompt.
 */
void ui_idle_start(struct ui *ui, const struct mb_account *acct);
/* ui_idle_start() when acct's IMAP mail was fetched before (a mailbox has its sync state). */
void ui_idle_auto(struct ui *ui, const struct mb_account *acct);
void ui_idle_stop(struct ui *ui);

/* ---- the transcript pane ---------------------------------------------------------------- */

/* Open/close it (t). Opening does not move the focus. */
void ui_tpane_show(struct ui *ui, bool open);
/* The colour of a transcript line: its flags first, then its direction and reply code. */
enum ui_elem ui_tline_elem(enum mb_tdir dir, int flags, int code);
/* Load a stored session into the pane and show it (from a message or an outbox entry). */
int ui_tpane_load_session(struct ui *ui, int64_t session_id);
/* Pick a stored session (newest first; only those of outbox_id when not 0) and show it. */
void ui_tpane_pick_session(struct ui *ui, int64_t outbox_id);
/* Should new sessions show message data in full (D in the pane)? Read it when starting a job. */
bool ui_tpane_show_data(struct ui *ui);
/* Add a note of mailbench's own to the live transcript ("* cancelled by the user"). */
void ui_tpane_note(struct ui *ui, int flags, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Internal to the frame. */
struct ui_tpane *ui_tpane_new(void);
void ui_tpane_free(struct ui_tpane *tp);
void ui_tpane_add(struct ui *ui, const struct mb_event *ev);
void ui_tpane_draw(struct ui *ui, WINDOW *w, bool focused);
int ui_tpane_key(struct ui *ui, int key);
int ui_tpane_mouse(struct ui *ui, int y, int x, mmask_t bstate);
extern const struct ui_keydoc ui_tpane_keys[];

/* ---- hooks for screens built elsewhere (compose, raw console, outbox) ------------------ */

/*
 * What compose opens with. Every string is owned (malloc'd, may be NULL);
 * ui_compose_open() takes them over. Built by ui_reply_prefill().
 */
enum ui_compose_kind {
	UI_COMPOSE_NEW = 0,
	UI_COMPOSE_REPLY,
	UI_COMPOSE_REPLY_ALL,
	UI_COMPOSE_FORWARD,
};

struct ui_compose_prefill {
	enum ui_compose_kind kind;
	char *to, *cc, *bcc; /* address lists as typed: "Bob <bob@x>, c@y" */
	char *subject;       /* "Re: ..." / "Fwd: ..." */
	char *body;          /* the quoted or forwarded text, LF line ends, a cursor line first */
	char *in_reply_to;   /* "<id@host>" of the message answered */
	char *references;    /* its References + its Message-ID, space separated */
	int64_t msg_id;      /* the cached message replied to or forwarded, 0: none */
	int64_t draft_id;    /* open this stored draft instead (0: none) */
};

/* Build the prefill for replying to / forwarding cached message msg_id. */
int ui_reply_prefill(struct ui *ui, int64_t msg_id, enum ui_compose_kind kind,
                     struct ui_compose_prefill *out, struct mb_error *err);
void ui_compose_prefill_release(struct ui_compose_prefill *p);

/*
 * Screens the frame opens by key (src/ui/hooks.c holds placeholders until
 * they are written): compose (c; r/f from a message with a prefill, which
 * the hook takes over), the raw protocol console (R), the outbox (o).
 */
void ui_compose_open(struct ui *ui, struct ui_compose_prefill *p);
void ui_console_open(struct ui *ui);
void ui_outbox_open(struct ui *ui);

/* ---- screens of this directory ------------------------------------------------------------ */

/* The mailbox view: sidebar + message list (the bottom screen). */
void ui_mailbox_open(struct ui *ui);
/* The message view of cached message id. */
int ui_message_open(struct ui *ui, int64_t msg_id);

/* The envelope-versus-headers view. Strings are borrowed for the call. */
struct ui_envelope_in {
	const char *title;        /* "Sent message 12", "Received message" */
	const char *note;         /* a sentence under the title, or NULL */
	const char *env_from;     /* MAIL FROM (NULL: unknown, "" null sender) */
	const char *const *rcpts; /* RCPT TO */
	const int *codes;         /* the server's reply to each RCPT, or NULL */
	size_t nrcpts;
	const char *from, *to, *cc; /* header values as in the message (may be NULL) */
};
void ui_envelope_open(struct ui *ui, const struct ui_envelope_in *in);
/* For a received (cached) message: Return-Path and Delivered-To / Received for. */
int ui_envelope_open_msg(struct ui *ui, int64_t msg_id);
/* For an outbox entry (after a send): its envelope and reply codes. */
int ui_envelope_open_outbox(struct ui *ui, int64_t outbox_id);

/* ---- themes ----------------------------------------------------------------------------- */

/* Theme elements: every attribute the UI draws with has a name in theme files. */
enum ui_elem {
	UI_E_NORMAL = 0,
	UI_E_TITLE,
	UI_E_HINT,
	UI_E_STATUS,
	UI_E_STATUS_ERROR,
	UI_E_STATUS_OK,
	UI_E_STATUS_WARN,
	UI_E_BORDER,
	UI_E_PANE_TITLE,
	UI_E_PANE_TITLE_FOCUS,
	UI_E_SELECTED,
	UI_E_SELECTED_DIM,
	UI_E_COLUMN,
	UI_E_UNREAD,
	UI_E_FLAGGED,
	UI_E_DELETED,
	UI_E_HEADER_NAME,
	UI_E_HEADER_VALUE,
	UI_E_SUBJECT,
	UI_E_QUOTE,
	UI_E_ATTACHMENT,
	UI_E_CTRL,
	UI_E_EOL,
	UI_E_DIM,
	UI_E_TAB,
	UI_E_TAB_ACTIVE,
	UI_E_T_TIME,
	UI_E_T_CLIENT,
	UI_E_T_SERVER_OK,
	UI_E_T_SERVER_TEMP,
	UI_E_T_SERVER_PERM,
	UI_E_T_INFO,
	UI_E_T_TLS,
	UI_E_T_WARN,
	UI_E_T_ERROR,
	UI_E_T_MEANING,
	UI_E_T_SUMMARY,
	UI_E_T_SESSION,
	UI_E_ENV_SAME,
	UI_E_ENV_DIFF,
	UI_E_ENV_EXPLAIN,
	UI_E_ERROR,
	UI_E_WARN,
	UI_E_OK,
	UI_E_HELP_KEY,
	UI_E_PROMPT,
	UI_E_INPUT,
	UI_E_MATCH,
	UI_E_COUNT
};

/* The element's name in theme files ("t_client"). */
const char *ui_elem_name(enum ui_elem e);

/*
 * Load theme name ("dark", "light", "high-contrast", "monochrome", or a
 * path with a '/'). Lookup: $XDG_CONFIG_HOME/mailbench/themes/NAME.theme,
 * then the installed themes directory, then the source tree's themes/.
 * "dark" and "monochrome" work without any file (built in). A bad line
 * fails with "FILE:LINE: what is wrong". Colours are resolved later, by
 * ui_theme_apply(), once curses knows the terminal.
 */
struct ui_theme *ui_theme_load(const char *name, struct mb_error *err);
/* Parse theme text (tests, fuzzing); file is used in messages. */
struct ui_theme *ui_theme_parse(const char *file, const char *text, size_t len,
                                struct mb_error *err);
void ui_theme_free(struct ui_theme *t);
/*
 * Set up colour pairs after initscr(): with colour (has_colors() and not
 * no_color) the theme's colours (256-colour values fall back on 8-colour
 * terminals), else the theme's monochrome attributes.
 */
void ui_theme_apply(struct ui_theme *t, bool color);
/* The curses attributes (pair included) of an element. */
attr_t ui_attr(struct ui *ui, enum ui_elem e);
/* wattrset(w, ui_attr(ui, e)) */
void ui_set(struct ui *ui, WINDOW *w, enum ui_elem e);

/* ---- drawing helpers -------------------------------------------------------------------- */

/*
 * Draw s[0..len) (already sanitised UTF-8) at (y, x) in at most width
 * columns, cut at a character boundary. Returns the columns used.
 */
int ui_put(struct ui *ui, WINDOW *w, int y, int x, const char *s, size_t len, int width);
/* The same with a NUL-terminated string. */
int ui_puts(struct ui *ui, WINDOW *w, int y, int x, const char *s, int width);
/* Sanitise raw network text (single-line mode) and draw it, "…" when cut. */
int ui_put_net(struct ui *ui, WINDOW *w, int y, int x, const char *raw, int width);
/* Draw s made exactly width columns wide (cut with "…" or padded). */
void ui_put_fit(struct ui *ui, WINDOW *w, int y, int x, const char *s, int width);
/* Spaces from x over width columns in the current attributes. */
void ui_fill(WINDOW *w, int y, int x, int width);
/* Lines and a box around all of w, drawn with text (─ │ ┌, or - | + without UTF-8). */
void ui_hline(struct ui *ui, WINDOW *w, int y, int x, int width);
void ui_vline(struct ui *ui, WINDOW *w, int y, int x, int height);
void ui_box(struct ui *ui, WINDOW *w);
/* A symbol in UTF-8, or its ASCII stand-in when the locale is not UTF-8. */
const char *ui_sym(struct ui *ui, const char *utf8, const char *ascii);
/* "1.2K", "34M": a size in at most 5 columns. */
void ui_fmt_size(int64_t n, char *buf, size_t size);
/* A date for a list column: "14:05" today, "Mar 02" this year, "2023-03-02" else. */
void ui_fmt_date(int64_t t, char *buf, size_t size);

/* A scrollable list's position: the cursor row and the first row shown. */
struct ui_list {
	size_t n;   /* rows */
	size_t cur; /* the cursor (0 when n is 0) */
	size_t top; /* the first row shown */
};
/*
 * Movement keys (j k ↓ ↑ g G Home End PgUp PgDn, Space/b as pages) for a
 * list showing page rows. Returns UI_DIRTY when it moved, UI_DONE when the
 * key was a movement that changed nothing, UI_PASS otherwise.
 */
int ui_list_key(struct ui_list *l, int key, int page);
/* Keep the cursor inside the page (after n or page changed). */
void ui_list_fit(struct ui_list *l, int page);

/*
 * A document: logical lines made of styled segments of sanitised text,
 * laid out (wrapped) for a width and scrolled by rows. Message bodies,
 * raw source, the trace, the envelope view and help are documents.
 */
struct ui_seg {
	uint32_t off, len;
	uint16_t elem;
};

struct ui_dline {
	char *text; /* sanitised UTF-8 */
	size_t len;
	struct ui_seg *segs;
	size_t nsegs;
	uint16_t indent; /* columns of indent for wrapped continuation rows */
};

struct ui_drow {
	uint32_t line, off, len; /* a piece of lines[line] */
	uint16_t indent;
};

struct ui_doc {
	struct ui_dline *lines;
	size_t n, cap;
	bool open_line; /* the last line is still being added to */
	int width;      /* the layout's width, 0: none yet */
	struct ui_drow *rows;
	size_t nrows, rows_cap;
	size_t top;  /* first row shown */
	bool nowrap; /* cut long rows instead of wrapping them */
};

void ui_doc_init(struct ui_doc *d);
void ui_doc_release(struct ui_doc *d);
/* Append already-safe text (no control characters) to the current line in element elem. */
void ui_doc_add(struct ui_doc *d, int elem, const char *s, size_t len);
void ui_doc_adds(struct ui_doc *d, int elem, const char *s);
void ui_doc_addf(struct ui_doc *d, int elem, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/*
 * Append network text, sanitised: LINE mode for one field (stays on the
 * current line), TEXT mode for bodies (its line breaks start new lines).
 */
void ui_doc_add_net(struct ui_doc *d, int elem, const char *raw, size_t len, int mode);
/* End the current line (an empty line when nothing was added). */
void ui_doc_newline(struct ui_doc *d);
/* Continuation rows of the current line are indented by this many columns. */
void ui_doc_indent(struct ui_doc *d, int cols);
/* Lay out for width (cheap when unchanged) and draw rows top.. in h rows of w at (y, x). */
void ui_doc_draw(struct ui *ui, struct ui_doc *d, WINDOW *w, int y, int x, int h, int width);
/* Scroll keys for a document shown in page rows. Same results as ui_list_key(). */
int ui_doc_key(struct ui_doc *d, int key, int page);
/* The rows of the current layout (after a draw). */
size_t ui_doc_rows(struct ui_doc *d, int width);

/* ---- misc ------------------------------------------------------------------------------- */

/* Write timings when MAILBENCH_UI_TIMING names a file (benchmarks). */
void ui_timing_mark(struct ui *ui, const char *what, double ms);
double ui_now_ms(void);

/*
 * The lab preset's IMAP port answers? Run in a job at start (true when one
 * started: the current account is the lab); when it answers, IDLE starts.
 */
bool ui_probe_lab(struct ui *ui);

#endif
