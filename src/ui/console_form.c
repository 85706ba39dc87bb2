/*
 * console_form.c: the raw console's first screen, a short form: the
 * account (any with a server), the protocol (those it has), host and port
 * (the account's, editable) and the security (none, starttls, tls: the
 * account's, overridable; starttls means plain until the user types
 * STARTTLS). Enter connects.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/xalloc.h"
#include "ui/console.h"

const char *const console_proto_names[3] = {"SMTP", "POP3", "IMAP"};
const char *const console_proto_keys[3] = {"smtp", "pop3", "imap"};

static const struct mb_endpoint *
endpoint(const struct mb_account *a, enum mb_proto p)
{
	return p == MB_PROTO_POP3 ? &a->pop3 : p == MB_PROTO_IMAP ? &a->imap : &a->smtp;
}

/* Host, port and security from the account's endpoint for the protocol. */
void
console_form_fill(struct console *c)
{
	const struct mb_account *a = c->accts[c->acct_i];
	const struct mb_endpoint *ep = endpoint(a, c->proto);
	char port[16];
	int i;

	/* a protocol the account has no server for: the next one it has */
	for (i = 0; i < 3 && ep->host == NULL; i++) {
		c->proto = (enum mb_proto)((c->proto + 1) % 3);
		ep = endpoint(a, c->proto);
	}
	ui_edit_set(&c->host, ep->host != NULL ? ep->host : "localhost");
	snprintf(port, sizeof port, "%d", mb_endpoint_port(ep, console_proto_keys[c->proto]));
	ui_edit_set(&c->port, port);
	c->sec = ep->security;
}

static void
form_cycle(struct console *c, int dir)
{
	int i;

	switch (c->ff) {
	case FF_ACCOUNT:
		c->acct_i =
		        (c->acct_i + c->nacct + (size_t)(dir > 0 ? 1 : c->nacct - 1)) % c->nacct;
		console_form_fill(c);
		break;
	case FF_PROTO:
		for (i = 0; i < 3; i++) {
			c->proto = (enum mb_proto)((c->proto + (dir > 0 ? 1 : 2)) % 3);
			if (endpoint(c->accts[c->acct_i], c->proto)->host != NULL)
				break;
		}
		console_form_fill(c);
		break;
	case FF_SECURITY:
		c->sec = (enum mb_security)((c->sec + (dir > 0 ? 1 : 2)) % 3);
		break;
	default:
		break;
	}
}

static const char *
sec_help(enum mb_security s)
{
	switch (s) {
	case MB_SEC_NONE:
		return "plain text all the way";
	case MB_SEC_STARTTLS:
		return "plain at first; TLS when you type STARTTLS (STLS in POP3)";
	default:
		return "TLS from the first byte (465, 993, 995 usually)";
	}
}

void
console_form_draw(struct ui *ui, struct console *c, WINDOW *w, bool focused)
{
	static const char *const labels[FF_N] = {"Account", "Protocol", "Host", "Port", "Security"};
	const char *lt = ui_sym(ui, "\xe2\x97\x82 ", "< "), *gt = ui_sym(ui, " \xe2\x96\xb8", " >");
	char buf[200];
	int h, wd, y = 1, i;

	getmaxyx(w, h, wd);
	(void)h;
	ui_set(ui, w, UI_E_PANE_TITLE);
	ui_puts(ui, w, 0, 1, "Raw protocol console: you type the commands, as with ncat -C",
	        wd - 2);
	ui_set(ui, w, UI_E_DIM);
	ui_puts(ui, w, y++, 1, "mailbench adds CRLF and shows each reply's meaning.", wd - 2);
	y++;
	for (i = 0; i < FF_N; i++, y++) {
		bool f = focused && c->ff == i;

		ui_set(ui, w, f ? UI_E_HELP_KEY : UI_E_HEADER_NAME);
		ui_puts(ui, w, y, 2, labels[i], 10);
		if (i == FF_HOST || i == FF_PORT) {
			ui_edit_draw(ui, i == FF_HOST ? &c->host : &c->port, w, y, 13,
			             i == FF_HOST ? (wd - 14 < 40 ? wd - 14 : 40) : 8, UI_E_INPUT,
			             f);
			continue;
		}
		if (i == FF_ACCOUNT)
			snprintf(buf, sizeof buf, "%s%s%s", lt, c->accts[c->acct_i]->name, gt);
		else if (i == FF_PROTO)
			snprintf(buf, sizeof buf, "%s%s%s", lt, console_proto_names[c->proto], gt);
		else
			snprintf(buf, sizeof buf, "%s%s%s", lt, mb_security_name(c->sec), gt);
		ui_set(ui, w, f ? UI_E_SELECTED : UI_E_INPUT);
		ui_put_net(ui, w, y, 13, buf, wd - 14);
		if (f)
			ui_cursor(ui, w, y, 13);
		if (i == FF_SECURITY) {
			ui_set(ui, w, UI_E_DIM);
			ui_puts(ui, w, y + 1, 13, sec_help(c->sec), wd - 14);
		}
	}
	y += 2;
	ui_set(ui, w, UI_E_HELP_KEY);
	ui_puts(ui, w, y, 2, "Enter connects", wd - 3);
	ui_set(ui, w, UI_E_DIM);
	ui_puts(ui, w, y, 17,
	        ui_sym(ui,
	               " \xc2\xb7 \xe2\x86\x93\xe2\x86\x91 move \xc2\xb7 \xe2\x86\x90\xe2\x86\x92 "
	               "change "
	               "\xc2\xb7 Esc back",
	               " - Up/Down move - Left/Right change - Esc back"),
	        wd - 18);
	ui_set(ui, w, UI_E_NORMAL);
}

/* ---- keys ----------------------------------------------------------------------------- */

int
console_form_key(struct console *c, int key)
{
	struct ui_edit *e = c->ff == FF_HOST ? &c->host : c->ff == FF_PORT ? &c->port : NULL;

	if (ui_key_is_enter(key)) {
		console_connect(c);
		return UI_ALL;
	}
	switch (key) {
	case UI_K_DOWN:
	case UI_K_TAB:
		c->ff = (c->ff + 1) % FF_N;
		return UI_DIRTY;
	case UI_K_UP:
	case UI_K_BTAB:
		c->ff = (c->ff + FF_N - 1) % FF_N;
		return UI_DIRTY;
	case UI_K_ESC:
		return UI_CLOSE;
	default:
		break;
	}
	if (e == NULL) {
		if (key == UI_K_LEFT || key == UI_K_RIGHT || key == ' ') {
			form_cycle(c, key == UI_K_LEFT ? -1 : 1);
			return UI_DIRTY;
		}
		return UI_PASS; /* q, ?, t ... */
	}
	if (c->ff == FF_PORT && key < 0x80 && key >= 0x20 && (key < '0' || key > '9'))
		return UI_DONE;
	switch (ui_edit_key(e, key)) {
	case UI_EDIT_PASS:
		return UI_IS_FN(key) || key < 0x20 ? UI_PASS : UI_DONE;
	default:
		return UI_DIRTY;
	}
}
