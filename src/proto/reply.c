/*
 * reply.c: SMTP reply lines and replies (RFC 5321 section 4.2), enhanced
 * status codes (RFC 3463 and its updates), and the transcript annotators of
 * SMTP, POP3 and IMAP that give each server line a code and a meaning.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mailbench/reply.h"

/* --- SMTP reply lines --- */

int
mb_smtp_reply_line(const char *line, size_t len, int *code, bool *last, size_t *text_off)
{
	int c;

	if (len < 3 || !isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]))
		return -1;
	c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (c < 200 || c > 599 || line[1] > '5')
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	*code = c;
	*last = len == 3 || line[3] == ' ';
	*text_off = len > 3 ? 4 : 3;
	return 0;
}

size_t
mb_enhanced_status(const char *text, size_t len, char *out)
{
	size_t i = 0, start, parts = 0;

	if (len < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.')
		return 0;
	for (parts = 0; parts < 3; parts++) {
		start = i;
		if (parts > 0) {
			if (i >= len || text[i] != '.')
				return 0;
			start = ++i;
		}
		while (i < len && isdigit((unsigned char)text[i]) && i - start < 3)
			i++;
		if (i == start)
			return 0;
	}
	if (i < len && text[i] != ' ')
		return 0;
	if (i >= 16)
		return 0;
	memcpy(out, text, i);
	out[i] = '\0';
	return i < len ? i + 1 : i;
}

void
mb_smtp_reply_init(struct mb_smtp_reply *r)
{
	memset(r, 0, sizeof *r);
	mb_buf_init(&r->text);
}

void
mb_smtp_reply_release(struct mb_smtp_reply *r)
{
	mb_buf_release(&r->text);
	mb_smtp_reply_init(r);
}

int
mb_smtp_reply_feed(struct mb_smtp_reply *r, const char *line, size_t len, struct mb_error *err)
{
	int code;
	bool last;
	size_t off;

	if (mb_smtp_reply_line(line, len, &code, &last, &off) < 0)
		return mb_error_set(
		        err, MB_ERR_PROTO,
		        "server sent a line that is not an SMTP reply (no 3-digit code): "
		        "'%.*s'",
		        (int)(len < 60 ? len : 60), line);
	if (r->nlines > 0 && code != r->code)
		return mb_error_set(
		        err, MB_ERR_PROTO,
		        "server changed the reply code inside a multi-line reply (%d, then "
		        "%d)",
		        r->code, code);
	if (r->nlines >= MB_SMTP_REPLY_MAX_LINES || r->text.len + len > MB_SMTP_REPLY_MAX_BYTES)
		return mb_error_set(
		        err, MB_ERR_PROTO,
		        "server reply too long (more than %d lines or %d bytes): session "
		        "aborted",
		        MB_SMTP_REPLY_MAX_LINES, MB_SMTP_REPLY_MAX_BYTES);
	if (r->nlines == 0) {
		r->code = code;
		mb_enhanced_status(line + off, len - off, r->status);
	} else
		mb_buf_addch(&r->text, '\n');
	mb_buf_add(&r->text, line + off, len - off);
	r->nlines++;
	return last ? 1 : 0;
}

const char *
mb_smtp_reply_first(const struct mb_smtp_reply *r, size_t *len)
{
	const char *nl = memchr(r->text.data, '\n', r->text.len);

	*len = nl ? (size_t)(nl - r->text.data) : r->text.len;
	return r->text.data;
}

/* --- meanings --- */

const char *
mb_smtp_code_meaning(int code)
{
	switch (code) {
	case 211:
		return "system status";
	case 214:
		return "help message";
	case 220:
		return "service ready";
	case 221:
		return "closing the connection";
	case 235:
		return "authentication succeeded";
	case 250:
		return "requested action okay, completed";
	case 251:
		return "user not local; will forward";
	case 252:
		return "cannot verify the user, but will accept the message";
	case 334:
		return "authentication challenge: send the next part";
	case 354:
		return "start mail input; end with <CRLF>.<CRLF>";
	case 421:
		return "service not available, closing the connection (try later)";
	case 432:
		return "a password transition is needed";
	case 450:
		return "mailbox unavailable for now (busy, or greylisting: try later)";
	case 451:
		return "local error in processing: try later";
	case 452:
		return "insufficient system storage, or too many recipients: try later";
	case 454:
		return "temporary failure (TLS not available, or authentication)";
	case 455:
		return "server unable to accommodate the parameters now";
	case 500:
		return "syntax error, command unrecognised";
	case 501:
		return "syntax error in parameters or arguments";
	case 502:
		return "command not implemented";
	case 503:
		return "bad sequence of commands";
	case 504:
		return "command parameter not implemented";
	case 521:
		return "this host does not accept mail";
	case 523:
		return "encryption needed";
	case 530:
		return "authentication required (often: STARTTLS first)";
	case 534:
		return "authentication mechanism too weak";
	case 535:
		return "authentication credentials invalid";
	case 538:
		return "encryption required for this authentication mechanism";
	case 550:
		return "mailbox unavailable (no such user, or not allowed)";
	case 551:
		return "user not local";
	case 552:
		return "exceeded storage allocation (message too big?)";
	case 553:
		return "mailbox name not allowed";
	case 554:
		return "transaction failed";
	case 555:
		return "MAIL FROM/RCPT TO parameters not recognised";
	}
	switch (code / 100) {
	case 2:
		return "success";
	case 3:
		return "intermediate: send more";
	case 4:
		return "temporary failure: try again later";
	case 5:
		return "permanent failure";
	}
	return NULL;
}

static const struct {
	const char *sd; /* subject.detail */
	const char *meaning;
} enhanced[] = {
        {"0.0", "other undefined status"},
        {"1.0", "other address status"},
        {"1.1", "bad destination mailbox address (no such user)"},
        {"1.2", "bad destination system address"},
        {"1.3", "bad destination mailbox address syntax"},
        {"1.4", "destination mailbox address ambiguous"},
        {"1.5", "destination address valid"},
        {"1.6", "destination mailbox has moved"},
        {"1.7", "bad sender's mailbox address syntax"},
        {"1.8", "bad sender's system address"},
        {"1.10", "recipient address has a null MX"},
        {"2.0", "other or undefined mailbox status"},
        {"2.1", "mailbox disabled, not accepting messages"},
        {"2.2", "mailbox full"},
        {"2.3", "message length exceeds administrative limit"},
        {"2.4", "mailing list expansion problem"},
        {"3.0", "other or undefined mail system status"},
        {"3.1", "mail system full"},
        {"3.2", "system not accepting network messages"},
        {"3.3", "system not capable of selected features"},
        {"3.4", "message too big for system"},
        {"3.5", "system incorrectly configured"},
        {"4.0", "other or undefined network or routing status"},
        {"4.1", "no answer from host"},
        {"4.2", "bad connection"},
        {"4.3", "directory server failure"},
        {"4.4", "unable to route"},
        {"4.5", "mail system congestion"},
        {"4.6", "routing loop detected"},
        {"4.7", "delivery time expired"},
        {"5.0", "other or undefined protocol status"},
        {"5.1", "invalid command"},
        {"5.2", "syntax error"},
        {"5.3", "too many recipients"},
        {"5.4", "invalid command arguments"},
        {"5.5", "wrong protocol version"},
        {"5.6", "authentication exchange line too long"},
        {"6.0", "other or undefined media error"},
        {"6.1", "media not supported"},
        {"6.2", "conversion required and prohibited"},
        {"6.3", "conversion required but not supported"},
        {"6.4", "conversion with loss performed"},
        {"6.5", "conversion failed"},
        {"6.7", "non-ASCII addresses not permitted"},
        {"6.8", "UTF-8 string reply required but not permitted"},
        {"6.9", "UTF-8 header message cannot be transferred"},
        {"7.0", "other or undefined security status"},
        {"7.1", "delivery not authorized, message refused (relaying denied or policy)"},
        {"7.2", "mailing list expansion prohibited"},
        {"7.3", "security conversion required but not possible"},
        {"7.4", "security features not supported"},
        {"7.5", "cryptographic failure"},
        {"7.6", "cryptographic algorithm not supported"},
        {"7.7", "message integrity failure"},
        {"7.8", "authentication credentials invalid"},
        {"7.9", "authentication mechanism is too weak"},
        {"7.10", "encryption needed"},
        {"7.11", "encryption required for requested authentication mechanism"},
        {"7.12", "a password transition is needed"},
        {"7.13", "user account disabled"},
        {"7.14", "trust relationship required"},
        {"7.15", "priority level is too low"},
        {"7.16", "message is too big for the specified priority"},
        {"7.17", "mailbox owner has changed"},
        {"7.18", "domain owner has changed"},
        {"7.19", "RRVS test cannot be completed"},
        {"7.20", "no passing DKIM signature found"},
        {"7.21", "no acceptable DKIM signature found"},
        {"7.22", "no valid author-matched DKIM signature found"},
        {"7.23", "SPF validation failed"},
        {"7.24", "SPF validation error"},
        {"7.25", "reverse DNS validation failed"},
        {"7.26", "multiple authentication checks failed"},
        {"7.27", "sender address has a null MX"},
        {"7.28", "mail flood detected"},
        {"7.29", "ARC validation failure"},
        {"7.30", "REQUIRETLS support required"},
};

const char *
mb_enhanced_meaning(const char *status)
{
	size_t i;

	if (status == NULL || status[0] == '\0' || status[1] != '.')
		return NULL;
	for (i = 0; i < sizeof enhanced / sizeof enhanced[0]; i++)
		if (strcmp(status + 2, enhanced[i].sd) == 0)
			return enhanced[i].meaning;
	return NULL;
}

/* --- ESMTP extensions --- */

static const struct {
	const char *kw, *meaning;
} smtp_exts[] = {
        {"PIPELINING", "commands may go in groups without waiting for each reply (RFC 2920)"},
        {"SIZE", "the largest message the server takes, in bytes; 0 or none: no limit (RFC 1870)"},
        {"8BITMIME", "8-bit message bodies are accepted with BODY=8BITMIME (RFC 6152)"},
        {"SMTPUTF8", "UTF-8 addresses and headers are accepted (RFC 6531)"},
        {"STARTTLS", "the session can switch to TLS before anything private is sent (RFC 3207)"},
        {"AUTH", "these authentication mechanisms are offered (RFC 4954)"},
        {"ENHANCEDSTATUSCODES", "replies carry codes like 5.1.1 that say more (RFC 2034, 3463)"},
        {"DSN", "delivery status notifications can be asked for (RFC 3461)"},
        {"CHUNKING", "BDAT sends the message in sized chunks instead of DATA (RFC 3030)"},
        {"BINARYMIME", "binary message bodies are accepted with BDAT (RFC 3030)"},
        {"VRFY", "VRFY asks whether a mailbox exists (RFC 5321)"},
        {"ETRN", "ETRN asks the server to flush its queue for a domain (RFC 1985)"},
        {"EXPN", "EXPN expands a mailing list (RFC 5321)"},
        {"HELP", "HELP gives some help text (RFC 5321)"},
        {"DELIVERBY", "a deadline for delivery can be set (RFC 2852)"},
        {"REQUIRETLS", "the message can require TLS on every hop (RFC 8689)"},
        {"MT-PRIORITY", "messages can carry a priority (RFC 6710)"},
        {"LIMITS", "the server's limits on recipients and transactions (RFC 9422)"},
};

const char *
mb_smtp_ext_meaning(const char *line, size_t len)
{
	size_t i, kl;

	for (i = 0; i < sizeof smtp_exts / sizeof smtp_exts[0]; i++) {
		kl = strlen(smtp_exts[i].kw);
		if (len >= kl && strncasecmp(line, smtp_exts[i].kw, kl) == 0 &&
		    (len == kl || line[kl] == ' ' || line[kl] == '='))
			return smtp_exts[i].meaning;
	}
	return NULL;
}

/* --- annotators --- */

static _Thread_local char ann_status[16];
static _Thread_local char ann_meaning[256];

void
mb_smtp_annotate(const char *text, size_t len, struct mb_tline *out)
{
	int code;
	bool last;
	size_t off;
	const char *m, *em;

	if (mb_smtp_reply_line(text, len, &code, &last, &off) < 0) {
		out->meaning = "not a valid SMTP reply line";
		return;
	}
	out->code = code;
	if (mb_enhanced_status(text + off, len - off, ann_status) > 0) {
		out->status = ann_status;
	}
	if (!last)
		return; /* the meaning goes with the last line of the reply */
	m = mb_smtp_code_meaning(code);
	em = out->status ? mb_enhanced_meaning(out->status) : NULL;
	/* "X.Y.0" details say nothing the reply code does not, except for failures */
	if (em != NULL && code < 400 && strlen(out->status) >= 5 &&
	    strcmp(out->status + strlen(out->status) - 2, ".0") == 0)
		em = NULL;
	if (m && em)
		snprintf(ann_meaning, sizeof ann_meaning, "%s: %s", m, em);
	else
		snprintf(ann_meaning, sizeof ann_meaning, "%s", m ? m : em ? em : "unknown code");
	out->meaning = ann_meaning;
}

/* The "[CODE" response code of POP3 (RFC 2449) or IMAP after a status word. */
static const char *
bracket_code(const char *p, const char *end, size_t *len)
{
	const char *q;

	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '[')
		return NULL;
	p++;
	for (q = p; q < end && *q != ']' && *q != ' '; q++)
		;
	*len = (size_t)(q - p);
	return p;
}

static bool
code_is(const char *c, size_t len, const char *s)
{
	return strlen(s) == len && strncasecmp(c, s, len) == 0;
}

void
mb_pop3_annotate(const char *text, size_t len, struct mb_tline *out)
{
	const char *rc;
	size_t rclen;
	const char *extra = NULL;

	if (len >= 3 && strncmp(text, "+OK", 3) == 0) {
		out->code = 1;
		out->meaning = "success";
		return;
	}
	if (len >= 4 && strncmp(text, "-ERR", 4) == 0) {
		out->code = 2;
		rc = bracket_code(text + 4, text + len, &rclen);
		if (rc != NULL) {
			if (code_is(rc, rclen, "IN-USE"))
				extra = "the mailbox is locked by another session";
			else if (code_is(rc, rclen, "LOGIN-DELAY"))
				extra = "logging in again too soon";
			else if (code_is(rc, rclen, "SYS/TEMP"))
				extra = "a temporary problem on the server";
			else if (code_is(rc, rclen, "SYS/PERM"))
				extra = "a permanent problem on the server";
			else if (code_is(rc, rclen, "AUTH"))
				extra = "authentication failed: check user and password";
		}
		snprintf(ann_meaning, sizeof ann_meaning, "the command failed%s%s",
		         extra ? ": " : "", extra ? extra : "");
		out->meaning = ann_meaning;
		return;
	}
	if (len >= 1 && text[0] == '+')
		out->meaning = "continue authentication";
}

static const struct {
	const char *code;
	const char *meaning;
} imap_codes[] = {
        {"ALERT", "the server asks that this text be shown to the user"},
        {"CAPABILITY", "the server lists its capabilities"},
        {"UIDVALIDITY", "the mailbox's UID validity: cached UIDs stay valid while it is the same"},
        {"UIDNEXT", "the UID the next message will get"},
        {"UNSEEN", "the first unseen message"},
        {"PERMANENTFLAGS", "flags the client may change for good"},
        {"READ-ONLY", "the mailbox is open read-only"},
        {"READ-WRITE", "the mailbox is open read-write"},
        {"TRYCREATE", "the target mailbox does not exist: create it first"},
        {"HIGHESTMODSEQ", "the mailbox's highest modification sequence (CONDSTORE)"},
        {"NOMODSEQ", "the mailbox keeps no modification sequences"},
        {"CLOSED", "the previous mailbox is closed"},
        {"AUTHENTICATIONFAILED", "authentication failed: check user and password"},
        {"AUTHORIZATIONFAILED", "not allowed to act as that user"},
        {"EXPIRED", "the credentials have expired"},
        {"PRIVACYREQUIRED", "encryption is required first (STARTTLS)"},
        {"CONTACTADMIN", "contact the system administrator"},
        {"NOPERM", "no permission for this"},
        {"INUSE", "the mailbox is in use by another session"},
        {"EXPUNGEISSUED", "another session removed messages"},
        {"CORRUPTION", "the server found corruption in the mailbox"},
        {"SERVERBUG", "the server met a bug of its own"},
        {"CLIENTBUG", "the server thinks this client made an error"},
        {"CANNOT", "the operation can never succeed"},
        {"LIMIT", "a server limit was exceeded"},
        {"OVERQUOTA", "the quota is exceeded"},
        {"ALREADYEXISTS", "the mailbox already exists"},
        {"NONEXISTENT", "no such mailbox"},
        {"UNAVAILABLE", "temporarily unavailable: try later"},
        {"APPENDUID", "the UID the appended message got"},
        {"COPYUID", "the UIDs the copied messages got"},
};

static const char *
imap_untagged_meaning(const char *w, size_t wlen, const char *num)
{
	static const struct {
		const char *word, *meaning;
	} words[] = {
	        {"EXISTS", "messages in the mailbox"},
	        {"RECENT", "messages new since the last session"},
	        {"EXPUNGE", "this message was removed; later numbers shift down"},
	        {"FETCH", "message data"},
	        {"CAPABILITY", "the server's capabilities"},
	        {"LIST", "a mailbox"},
	        {"LSUB", "a subscribed mailbox"},
	        {"FLAGS", "the flags this mailbox knows"},
	        {"SEARCH", "the messages that match"},
	        {"ESEARCH", "the messages that match"},
	        {"STATUS", "a mailbox's counters"},
	        {"ENABLED", "extensions now enabled"},
	        {"VANISHED", "these UIDs were removed (QRESYNC)"},
	        {"NAMESPACE", "where personal and shared mailboxes live"},
	        {"ID", "the server's identity"},
	};
	size_t i;

	(void)num;
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (code_is(w, wlen, words[i].word))
			return words[i].meaning;
	return NULL;
}

void
mb_imap_annotate(const char *text, size_t len, struct mb_tline *out)
{
	const char *p = text, *end = text + len, *w, *num = NULL, *rc;
	size_t wlen, rclen, i;
	static const char *const status[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};

	if (len >= 1 && text[0] == '+') {
		out->meaning = "continue: the server waits for the client";
		return;
	}
	/* tag or '*' */
	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	w = p;
	while (p < end && *p != ' ')
		p++;
	wlen = (size_t)(p - w);
	if (wlen > 0 && isdigit((unsigned char)w[0]) && text[0] == '*') {
		/* "* 3 EXISTS" */
		num = w;
		while (p < end && *p == ' ')
			p++;
		w = p;
		while (p < end && *p != ' ')
			p++;
		wlen = (size_t)(p - w);
	}
	for (i = 0; i < sizeof status / sizeof status[0]; i++) {
		if (!code_is(w, wlen, status[i]))
			continue;
		out->code = (int)i + 1;
		rc = bracket_code(p, end, &rclen);
		if (rc != NULL) {
			size_t j;

			for (j = 0; j < sizeof imap_codes / sizeof imap_codes[0]; j++)
				if (code_is(rc, rclen, imap_codes[j].code)) {
					out->meaning = imap_codes[j].meaning;
					return;
				}
		}
		switch (i) {
		case 0:
			out->meaning = text[0] == '*' ? "status: ok" : "command completed";
			break;
		case 1:
			out->meaning = "command failed (NO)";
			break;
		case 2:
			out->meaning = "protocol error: command not understood (BAD)";
			break;
		case 3:
			out->meaning = "already authenticated (PREAUTH): no login happens";
			break;
		case 4:
			out->meaning = "the server is closing the connection";
			break;
		}
		return;
	}
	if (text[0] == '*')
		out->meaning = imap_untagged_meaning(w, wlen, num);
}
