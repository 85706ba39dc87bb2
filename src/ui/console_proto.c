/*
 * console_proto.c: where a raw console session stands, worked out from the
 * transcript lines only (the commands the user sent and the replies), and
 * the hint line that follows from it: the legal next commands of SMTP
 * (EHLO, MAIL FROM, RCPT TO, DATA, the message, QUIT; STARTTLS and AUTH
 * when the server offers them), POP3 (USER/PASS, STAT, LIST, RETR, DELE,
 * QUIT; STLS) and IMAP (tagged commands with the next tag suggested).
 * No I/O, no curses: events in, state and a sentence out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailbench/xalloc.h"
#include "ui/screens.h"

void
console_proto_reset(struct console_proto *c, enum mb_proto proto, bool tls)
{
	memset(c, 0, sizeof *c);
	c->proto = proto;
	c->ps = CP_CONNECTING;
	c->tls = tls;
	c->tag = 1;
}

static bool
has_word(const char *text, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = text; (p = strcasestr(p, w)) != NULL; p += n)
		if ((p == text || p[-1] == ' ' || p[-1] == '-') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '='))
			return true;
	return false;
}

/* What a client line says about what comes next. */
static void
on_client(struct console_proto *c, const struct mb_event *ev)
{
	char *t = xmemdup0(ev->tline.text, ev->tline.len), *p = t;
	size_t k = 0;

	if (ev->tline.flags & MB_TL_BODY) {
		free(t);
		return;
	}
	if (c->proto == MB_PROTO_IMAP)
		p += strcspn(p, " "), p += strspn(p, " ");
	while (p[k] != '\0' && p[k] != ' ' && p[k] != ':' && k + 1 < sizeof c->verb) {
		c->verb[k] = (char)(p[k] >= 'a' && p[k] <= 'z' ? p[k] - 32 : p[k]);
		k++;
	}
	c->verb[k] = '\0';
	if (strcmp(t, ".") == 0)
		snprintf(c->verb, sizeof c->verb, ".");
	if (strcmp(c->verb, "EHLO") == 0 || strcmp(c->verb, "HELO") == 0) {
		c->starttls_offered = c->auth_offered = false;
		c->ehlo_reply = true;
	}
	free(t);
}

static void
smtp_reply(struct console_proto *c, int code)
{
	const char *v = c->verb;

	c->ehlo_reply = false; /* its lines were read for STARTTLS and AUTH already */
	if (code >= 400) {
		c->refused = true;
		return;
	}
	c->refused = false;
	if (v[0] == '\0' && code == 220)
		c->ps = CP_GREETED;
	else if ((strcmp(v, "EHLO") == 0 || strcmp(v, "HELO") == 0) && code == 250)
		c->ps = CP_HELLO;
	else if (strcmp(v, "MAIL") == 0)
		c->ps = CP_MAIL;
	else if (strcmp(v, "RCPT") == 0)
		c->ps = CP_RCPT;
	else if (strcmp(v, "DATA") == 0 && code == 354)
		c->ps = CP_DATA, c->data = true;
	else if (strcmp(v, ".") == 0)
		c->ps = CP_QUEUED;
	else if (strcmp(v, "RSET") == 0 && c->ps >= CP_MAIL)
		c->ps = CP_HELLO;
	else if (strcmp(v, "QUIT") == 0)
		c->ps = CP_QUIT;
	else if (strcmp(v, "AUTH") == 0 && code == 235)
		c->authed = true;
}

static void
pop3_reply(struct console_proto *c, int code)
{
	const char *v = c->verb;

	c->refused = code == 2;
	if (code != 1)
		return;
	if (v[0] == '\0')
		c->ps = CP_GREETED;
	else if (strcmp(v, "USER") == 0)
		c->ps = CP_HELLO;
	else if (strcmp(v, "PASS") == 0 || strcmp(v, "AUTH") == 0 || strcmp(v, "APOP") == 0)
		c->ps = CP_AUTHED;
	else if (strcmp(v, "QUIT") == 0)
		c->ps = CP_QUIT;
}

static void
imap_reply(struct console_proto *c, int code, const char *text)
{
	const char *v = c->verb;
	bool tagged = text[0] != '*' && text[0] != '+';

	if (!tagged) {
		if (c->ps == CP_CONNECTING && (code == 1 || code == 4))
			c->ps = code == 4 ? CP_AUTHED : CP_GREETED;
		if (code == 5)
			c->ps = CP_QUIT;
		return;
	}
	c->refused = code == 2 || code == 3;
	if (code != 1)
		return;
	if (strcmp(v, "LOGIN") == 0 || strcmp(v, "AUTHENTICATE") == 0)
		c->ps = CP_AUTHED;
	else if (strcmp(v, "SELECT") == 0 || strcmp(v, "EXAMINE") == 0)
		c->ps = CP_SELECTED;
	else if (strcmp(v, "CLOSE") == 0 || strcmp(v, "UNSELECT") == 0)
		c->ps = CP_AUTHED;
}

static void
on_server(struct console_proto *c, const struct mb_event *ev)
{
	char *t;

	if (ev->tline.flags & MB_TL_BODY)
		return;
	t = xmemdup0(ev->tline.text, ev->tline.len);
	if (c->proto == MB_PROTO_SMTP) {
		if (c->ehlo_reply && ev->tline.code == 250) {
			c->starttls_offered |= has_word(t, "STARTTLS");
			c->auth_offered |= has_word(t, "AUTH");
		}
		if (ev->tline.flags & MB_TL_LAST)
			smtp_reply(c, ev->tline.code);
	} else if (c->proto == MB_PROTO_POP3) {
		if (ev->tline.code == 1 || ev->tline.code == 2)
			pop3_reply(c, ev->tline.code);
	} else if (ev->tline.code > 0) {
		imap_reply(c, ev->tline.code, t);
	}
	free(t);
}

/* ---- the hint line ---------------------------------------------------------------------- */

void
console_proto_hint(const struct console_proto *c, const char *in, struct mb_buf *b)
{
	char tag[16];

	if (c->data) {
		if (in[0] == '.' && in[1] != '\0')
			mb_buf_addf(b,
			            "sent as '.%s': a line starting with '.' gets one more "
			            "(dot-stuffing); the server removes it",
			            in);
		else if (strcmp(in, ".") == 0)
			mb_buf_addstr(
			        b, "a lone '.' ends the message: the server answers 250 (queued)");
		else
			mb_buf_addstr(b, "DATA: headers, an empty line, the body; a lone '.' ends "
			                 "the message");
		return;
	}
	if (c->refused)
		mb_buf_addstr(b, "refused (5xx: fix the command; 4xx: later). ");
	snprintf(tag, sizeof tag, "a%d", c->tag);
	switch (c->proto) {
	case MB_PROTO_SMTP:
		switch (c->ps) {
		case CP_CONNECTING:
			mb_buf_addstr(b, "waiting for the greeting (220)");
			break;
		case CP_GREETED:
			mb_buf_addstr(b, "next: EHLO your.name (or HELO)");
			break;
		case CP_QUEUED:
			mb_buf_addstr(b,
			              "queued. next: MAIL FROM:<...> for another message, or QUIT");
			break;
		case CP_HELLO:
			mb_buf_addstr(b, "next: MAIL FROM:<you@domain>");
			if (c->starttls_offered && !c->tls)
				mb_buf_addstr(b, ", or STARTTLS first");
			if (c->auth_offered && !c->authed)
				mb_buf_addstr(b, ", AUTH PLAIN (^P)");
			break;
		case CP_TLS_AGAIN:
			mb_buf_addstr(b, "TLS is on: EHLO again (the server forgot the first one)");
			break;
		case CP_MAIL:
			mb_buf_addstr(b, "next: RCPT TO:<recipient@domain>");
			break;
		case CP_RCPT:
			mb_buf_addstr(b, "next: more RCPT TO:<...>, or DATA");
			break;
		case CP_QUIT:
			mb_buf_addstr(b, "the server closes the connection");
			break;
		default:
			break;
		}
		break;
	case MB_PROTO_POP3:
		switch (c->ps) {
		case CP_CONNECTING:
			mb_buf_addstr(b, "waiting for the greeting (+OK)");
			break;
		case CP_GREETED:
		case CP_TLS_AGAIN:
			mb_buf_addstr(b, "next: USER name then PASS secret (^P: AUTH PLAIN), CAPA");
			if (!c->tls)
				mb_buf_addstr(b, ", STLS");
			break;
		case CP_HELLO:
			mb_buf_addstr(b, "next: PASS your-password (masked in the transcript)");
			break;
		case CP_AUTHED:
			mb_buf_addstr(
			        b, "next: STAT, LIST, UIDL, RETR n, TOP n 0, DELE n, RSET, QUIT");
			break;
		default:
			mb_buf_addstr(b, "QUIT: deletions (DELE) happen now; the server closes");
			break;
		}
		break;
	default:
		switch (c->ps) {
		case CP_CONNECTING:
			mb_buf_addstr(b, "waiting for the greeting (* OK)");
			break;
		case CP_GREETED:
		case CP_TLS_AGAIN:
			mb_buf_addf(b, "next: %s CAPABILITY, %s LOGIN user pass (^P)", tag, tag);
			if (!c->tls)
				mb_buf_addf(b, ", %s STARTTLS", tag);
			break;
		case CP_AUTHED:
			mb_buf_addf(b, "next: %s LIST \"\" \"*\", %s SELECT INBOX, %s LOGOUT", tag,
			            tag, tag);
			break;
		case CP_SELECTED:
			mb_buf_addf(
			        b,
			        "next: %s FETCH 1 (FLAGS BODY[HEADER]), %s SEARCH ALL, %s LOGOUT",
			        tag, tag, tag);
			break;
		default:
			mb_buf_addstr(b, "the server closes the connection");
			break;
		}
		break;
	}
}

void
console_proto_line(struct console_proto *c, const struct mb_event *ev)
{
	if (ev->tline.dir == MB_TDIR_CLIENT) {
		on_client(c, ev);
	} else if (ev->tline.dir == MB_TDIR_SERVER) {
		on_server(c, ev);
	} else if (ev->tline.dir == MB_TDIR_TLS && !(ev->tline.flags & MB_TL_ERROR)) {
		/* TLS after a STARTTLS: the server starts afresh */
		if (!c->tls && c->ps != CP_CONNECTING)
			c->ps = CP_TLS_AGAIN;
		c->tls = true;
	}
}

void
console_proto_sent(struct console_proto *c, const char *line)
{
	char tag[16];

	if (c->data && strcmp(line, ".") == 0) {
		c->data = false; /* the lone dot ends the message */
		return;
	}
	if (c->proto != MB_PROTO_IMAP || c->data)
		return;
	snprintf(tag, sizeof tag, "a%d ", c->tag);
	if (strncmp(line, tag, strlen(tag)) == 0)
		c->tag++;
}
