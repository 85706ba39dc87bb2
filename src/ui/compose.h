/*
 * compose.h: the compose screen's state, shared by its two files:
 * screen_compose.c (fields, checks as you type, the envelope panel,
 * drawing, keys) and compose_draft.c (drafts in the cache, attachments,
 * the external editor, building and queueing the message).
 */
#ifndef MAILBENCH_UI_COMPOSE_H
#define MAILBENCH_UI_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/envelope.h"
#include "mailbench/store.h"
#include "ui/screens.h"

/* The single-line fields, in screen (and Tab) order; the body comes after them. */
enum compose_field {
	CF_TO = 0,
	CF_CC,
	CF_BCC,
	CF_SUBJECT,
	CF_ENV_FROM, /* MAIL FROM: follows From: until edited */
	CF_ENV_RCPT, /* RCPT TO: follows To, Cc and Bcc until edited */
	CF_NFIELDS,
	CF_BODY = CF_NFIELDS,
};

struct compose {
	struct ui *ui;
	struct ui_screen *s;
	const struct mb_account *acct;
	char *from; /* the From: header, from the account */
	struct ui_edit f[CF_NFIELDS];
	struct ui_body body;
	int focus;               /* enum compose_field */
	int row[CF_NFIELDS + 1]; /* where each field (and the body) was drawn, -1: not shown */
	bool env_edited[2];      /* MAIL FROM, RCPT TO typed by the user (else derived) */
	/* checks as you type: why a field is wrong, and the bytes of the bad entry */
	char *err[CF_NFIELDS];
	size_t bad_from[CF_NFIELDS], bad_to[CF_NFIELDS];
	char **att; /* attachment paths */
	size_t natt;
	bool html; /* send an HTML alternative made from the text */
	enum ui_compose_kind kind;
	char *in_reply_to, *references;
	int64_t draft_id; /* 0: not saved yet */
	bool changed;     /* since the last save */
	double saved_at;  /* ui_now_ms() of the last save */
	/* the envelope compared with the headers (strings kept in strs) */
	struct mb_env_report rep;
	char **strs;
	size_t nstrs;
};

/* compose_fields.c */
extern const char *const compose_labels[CF_NFIELDS]; /* "To", ... "RCPT TO" */
/* Recheck every field and the envelope after a change from outside. */
void compose_refresh(struct compose *c);
/* After field i was typed into: recheck, and an envelope field becomes the user's. */
void compose_changed(struct compose *c, int i);
/* MAIL FROM as typed, without <> ("" for the null sender), malloc'd. */
char *compose_env_from(const struct compose *c);
/* The text of a field. */
const char *compose_text(const struct compose *c, int field);
/*
 * Split an address list at its top-level commas; cb gets each entry's
 * bytes [from, to) trimmed of blanks. Returns the number of entries.
 */
size_t compose_entries(const char *text,
                       void (*cb)(void *ctx, const char *text, size_t from, size_t to), void *ctx);

/* compose_draft.c: drafts and attachments */
/* Nothing typed yet (the envelope fields only follow the headers). */
bool compose_is_empty(const struct compose *c);
/* Save the draft now (when something changed, or always with force); -1 on error (shown). */
int compose_save(struct compose *c, bool force);
/* Load draft id into c (replacing what it holds). */
int compose_load_draft(struct compose *c, int64_t id, struct mb_error *err);
/* ^O: pick one of the account's drafts and open it here. */
void compose_pick_draft(struct compose *c);
/* ^Q: delete the draft and close, after asking. */
void compose_discard(struct compose *c);
/* ^T / ^R: attach a file (path prompt with Tab completion), remove one. */
void compose_attach(struct compose *c);
void compose_detach(struct compose *c);
/* compose_send.c: the external editor, the HTML alternative, sending */
/* ^V: edit the body in $VISUAL or $EDITOR; returns UI_ALL (the screen is redrawn). */
int compose_external_editor(struct compose *c);
/* ^X: build, queue in the outbox, start sending; true when compose should close. */
bool compose_send(struct compose *c);
/* The HTML alternative made from the text (escaped paragraphs), malloc'd. */
char *compose_html_from_text(const char *text);

#endif
