/*
 * tap.c: the transcript tap: bytes of both directions in, transcript lines
 * out, with secrets masked, data summarised and server limits enforced.
 *
 * The tap keeps, per direction, the line being assembled (never more than
 * MB_NET_LINE_MAX bytes of it) and a mode: plain lines, message data (SMTP
 * DATA from the client, POP3 RETR/TOP from the server: lines until a lone
 * "."), or an IMAP literal (a byte count). A small queue of the commands
 * sent pairs each reply with its command: that gives round-trip times and
 * tells which replies open data (354 after DATA, +OK after RETR) and when a
 * client line is an answer to an authentication challenge (masked).
 *
 * Everything here is pure computation; src/net/conn.c feeds it.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mailbench/base64.h"
#include "mailbench/buf.h"
#include "mailbench/tap.h"
#include "mailbench/xalloc.h"

#define TAP_QUEUE     1024 /* commands in flight (pipelining depth is far lower) */
#define TAP_SHOWN_MAX 4096 /* bytes of a data line kept for display */

enum tap_mode {
	MODE_LINE = 0, /* protocol lines */
	MODE_DATA,     /* message data: lines until a lone "." */
	MODE_MULTI,    /* a multi-line POP3 reply shown in full (LIST, UIDL, CAPA) */
	MODE_LITERAL,  /* an IMAP literal: a count of bytes */
};

struct tap_cmd {
	char line[160]; /* the command as shown (masked), cut */
	char verb[16];
	char tag[24]; /* IMAP tag */
	bool has_args;
	int64_t sent_us; /* monotonic */
};

struct tap_side {
	struct mb_buf line; /* the line being assembled (capped) */
	size_t line_total;  /* its real length, beyond what was kept */
	bool private;       /* some byte of this line was flagged secret */
	enum tap_mode mode;
	uint64_t literal_left;
	uint64_t data_bytes, data_lines; /* counters of the data being summarised */
	uint64_t literal_size;
	bool mask_literal; /* the literal being read is a secret (IMAP LOGIN) */
};

struct mb_tap {
	enum mb_proto proto;
	struct {
		mb_tsink_fn fn;
		void *ctx;
	} sinks[MB_TAP_SINKS];
	int nsinks;
	mb_annotate_fn annotate;
	uint64_t session;
	uint32_t seq;
	char *user;
	bool show_data;

	struct tap_side client, server;

	/* commands sent and not yet answered, oldest first */
	struct tap_cmd queue[TAP_QUEUE];
	size_t qhead, qlen;

	/* state of the exchange */
	bool in_reply; /* a multi-line SMTP reply is being read */
	int reply_rtt; /* rtt of the reply being read */
	bool auth;     /* the client is answering SASL challenges */
	char auth_mech[24];
	int auth_step;               /* answers given so far */
	char auth_tag[24];           /* IMAP: the AUTHENTICATE command's tag */
	bool masking_cmd;            /* IMAP: the rest of this command is secret (LOGIN) */
	bool idle;                   /* IMAP: IDLE in progress, "DONE" is not a command */
	struct tap_cmd *last_pushed; /* the queue entry of the client line being processed */
	char answered[160];          /* the command the reply being emitted answers */
};

/* --- time and emission --- */

static int64_t
now_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
emit(struct mb_tap *tap, struct mb_tline *tl)
{
	int i;

	tl->session = tap->session;
	tl->seq = ++tap->seq;
	tl->ts_us = now_us(CLOCK_REALTIME);
	for (i = 0; i < tap->nsinks; i++)
		tap->sinks[i].fn(tap->sinks[i].ctx, tl);
}

static void
emit_text(struct mb_tap *tap, enum mb_tdir dir, int flags, const char *text, size_t len)
{
	struct mb_tline tl = {0};

	tl.dir = dir;
	tl.text = text;
	tl.len = len;
	tl.flags = flags;
	tl.rtt_ms = -1;
	emit(tap, &tl);
}

void
mb_tap_vnote(struct mb_tap *tap, enum mb_tdir dir, int flags, const char *fmt, va_list ap)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_buf_vaddf(&b, fmt, ap);
	emit_text(tap, dir, flags, b.data, b.len);
	mb_buf_release(&b);
}

void
mb_tap_note(struct mb_tap *tap, enum mb_tdir dir, int flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mb_tap_vnote(tap, dir, flags, fmt, ap);
	va_end(ap);
}

/* "3 120" style grouping, as the transcript shows sizes */
static void
add_grouped(struct mb_buf *b, uint64_t n)
{
	char digits[32];
	int len, i;

	len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			mb_buf_addch(b, ' ');
		mb_buf_addch(b, digits[i]);
	}
}

/* --- the command queue --- */

static struct tap_cmd *
queue_head(struct mb_tap *tap)
{
	return tap->qlen ? &tap->queue[tap->qhead] : NULL;
}

static void
queue_push(struct mb_tap *tap, const char *verb, size_t vlen, const char *tag, size_t tlen,
           bool has_args)
{
	struct tap_cmd *c;

	if (tap->qlen == TAP_QUEUE) { /* drop the oldest: only timing is lost */
		tap->qhead = (tap->qhead + 1) % TAP_QUEUE;
		tap->qlen--;
	}
	c = &tap->queue[(tap->qhead + tap->qlen) % TAP_QUEUE];
	tap->qlen++;
	memset(c, 0, sizeof *c);
	if (vlen >= sizeof c->verb)
		vlen = sizeof c->verb - 1;
	memcpy(c->verb, verb, vlen);
	for (size_t i = 0; i < vlen; i++)
		c->verb[i] = (char)toupper((unsigned char)c->verb[i]);
	if (tlen >= sizeof c->tag)
		tlen = sizeof c->tag - 1;
	memcpy(c->tag, tag, tlen);
	c->has_args = has_args;
	c->sent_us = now_us(CLOCK_MONOTONIC);
	/* client_emit_line() fills in the line as shown, once masked */
	tap->last_pushed = c;
}

static void
queue_pop(struct mb_tap *tap)
{
	if (tap->qlen == 0)
		return;
	tap->qhead = (tap->qhead + 1) % TAP_QUEUE;
	tap->qlen--;
}

static int
rtt_of(const struct tap_cmd *c)
{
	int64_t d;

	if (c == NULL)
		return -1;
	d = (now_us(CLOCK_MONOTONIC) - c->sent_us) / 1000;
	return d > 0x7fffffff ? 0x7fffffff : (int)d;
}

/* Find an IMAP command by tag, copy it out and remove it from the queue. */
static bool
queue_take_tag(struct mb_tap *tap, const char *tag, size_t tlen, struct tap_cmd *out)
{
	size_t i, j;

	for (i = 0; i < tap->qlen; i++) {
		struct tap_cmd *c = &tap->queue[(tap->qhead + i) % TAP_QUEUE];

		if (strlen(c->tag) == tlen && memcmp(c->tag, tag, tlen) == 0) {
			*out = *c;
			for (j = i; j + 1 < tap->qlen; j++)
				tap->queue[(tap->qhead + j) % TAP_QUEUE] =
				        tap->queue[(tap->qhead + j + 1) % TAP_QUEUE];
			tap->qlen--;
			return true;
		}
	}
	return false;
}

/* --- small parsing helpers --- */

/* The next space-separated word of [*p, end). */
static bool
next_word(const char **p, const char *end, const char **w, size_t *wlen)
{
	while (*p < end && **p == ' ')
		(*p)++;
	if (*p >= end)
		return false;
	*w = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	*wlen = (size_t)(*p - *w);
	return true;
}

static bool
word_is(const char *w, size_t wlen, const char *s)
{
	return strlen(s) == wlen && strncasecmp(w, s, wlen) == 0;
}

/*
 * A trailing IMAP literal marker "{123}", "{123+}" or "~{123}": returns
 * true and the size. An absurd number reads as UINT64_MAX.
 */
static bool
trailing_literal(const char *s, size_t len, uint64_t *size)
{
	size_t i;
	uint64_t n = 0;

	if (len < 3 || s[len - 1] != '}')
		return false;
	i = len - 1;
	if (s[i - 1] == '+')
		i--;
	if (i == 0 || !isdigit((unsigned char)s[i - 1]))
		return false;
	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	if (i == 0 || s[i - 1] != '{')
		return false;
	for (; s[i] != '}' && s[i] != '+'; i++) {
		if (n > UINT64_MAX / 10 - 10) {
			n = UINT64_MAX;
			break;
		}
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	*size = n;
	return true;
}

/*
 * The user named by a SASL PLAIN response (authzid NUL authcid NUL passwd),
 * or by a LOGIN username response, for "<masked: user alice>".
 */
static void
sasl_user(struct mb_tap *tap, const char *b64, size_t len, bool plain, struct mb_buf *user)
{
	struct mb_buf dec = MB_BUF_INIT;
	const char *p, *e;

	if (mb_b64_decode(b64, len, 1, &dec) == 0 && dec.len > 0) {
		if (!plain) {
			mb_buf_add(user, dec.data, strnlen(dec.data, dec.len));
		} else if ((p = memchr(dec.data, '\0', dec.len)) != NULL) {
			p++;
			e = memchr(p, '\0', dec.len - (size_t)(p - dec.data));
			if (e != NULL)
				mb_buf_add(user, p, (size_t)(e - p));
		}
	}
	/* wipe: the decoded buffer held the password */
	if (dec.cap)
		memset(dec.data, 0, dec.cap);
	mb_buf_release(&dec);
	if (user->len == 0 && tap->user != NULL)
		mb_buf_addstr(user, tap->user);
	/* the name is shown: keep it printable and short */
	for (size_t i = 0; i < user->len; i++)
		if ((unsigned char)user->data[i] < 0x20 || user->data[i] == 0x7f)
			user->data[i] = '?';
	if (user->len > 64)
		mb_buf_truncate(user, 64);
}

static void
masked_user(struct mb_tap *tap, struct mb_buf *out, const char *b64, size_t len, bool plain)
{
	struct mb_buf user = MB_BUF_INIT;

	sasl_user(tap, b64, len, plain, &user);
	if (user.len)
		mb_buf_addf(out, "<masked: user %s>", user.data);
	else
		mb_buf_addstr(out, "<masked>");
	mb_buf_release(&user);
}

/*
 * Mask one answer to a SASL challenge: LOGIN's first answer names the
 * user, its second is the password; PLAIN's only answer holds both.
 */
static void
mask_sasl_answer(struct mb_tap *tap, const char *line, size_t len, struct mb_buf *out)
{
	if (len == 1 && line[0] == '*') { /* the client cancels the exchange */
		mb_buf_add(out, "*", 1);
		return;
	}
	if (strcasecmp(tap->auth_mech, "PLAIN") == 0)
		masked_user(tap, out, line, len, true);
	else if (strcasecmp(tap->auth_mech, "LOGIN") == 0 && tap->auth_step == 0)
		masked_user(tap, out, line, len, false);
	else if (strcasecmp(tap->auth_mech, "LOGIN") == 0)
		mb_buf_addstr(out, "<masked: password>");
	else if (strcasecmp(tap->auth_mech, "CRAM-MD5") == 0 && tap->auth_step == 0)
		mb_buf_addstr(out, "<masked: user and digest>");
	else
		mb_buf_addstr(out, "<masked>");
	tap->auth_step++;
}

/* "AUTH PLAIN <b64>" with an initial response: mask the response. */
static void
mask_auth_command(struct mb_tap *tap, const char *line, size_t len, const char *ir, size_t irlen,
                  struct mb_buf *out)
{
	mb_buf_add(out, line, (size_t)(ir - line));
	if (irlen == 1 && ir[0] == '=') /* an empty initial response */
		mb_buf_add(out, "=", 1);
	else
		mask_sasl_answer(tap, ir, irlen, out);
}

static void
start_auth(struct mb_tap *tap, const char *mech, size_t mlen)
{
	tap->auth = true;
	tap->auth_step = 0;
	if (mlen >= sizeof tap->auth_mech)
		mlen = sizeof tap->auth_mech - 1;
	memcpy(tap->auth_mech, mech, mlen);
	tap->auth_mech[mlen] = '\0';
}

/* --- the client side --- */

/* SMTP and POP3 command lines: masking and the queue. */
static void
client_line_smtp_pop3(struct mb_tap *tap, const char *line, size_t len, struct mb_buf *shown,
                      int *flags)
{
	const char *p = line, *end = line + len, *verb, *w1, *w2;
	size_t vlen, w1len, w2len;
	bool pop3 = tap->proto == MB_PROTO_POP3;

	if (tap->auth) {
		/* an answer to a challenge, never a command */
		mask_sasl_answer(tap, line, len, shown);
		*flags |= MB_TL_MASKED;
		return;
	}
	if (!next_word(&p, end, &verb, &vlen)) {
		queue_push(tap, "", 0, "", 0, false);
		return;
	}
	if (word_is(verb, vlen, "AUTH") && next_word(&p, end, &w1, &w1len)) {
		start_auth(tap, w1, w1len);
		if (next_word(&p, end, &w2, &w2len)) {
			mask_auth_command(tap, line, len, w2, w2len, shown);
			*flags |= MB_TL_MASKED;
		}
	} else if (pop3 && word_is(verb, vlen, "PASS")) {
		mb_buf_addstr(shown, "PASS <masked: password>");
		*flags |= MB_TL_MASKED;
	} else if (pop3 && word_is(verb, vlen, "APOP") && next_word(&p, end, &w1, &w1len)) {
		mb_buf_add(shown, line, (size_t)(w1 + w1len - line));
		mb_buf_addstr(shown, " <masked: digest>");
		*flags |= MB_TL_MASKED;
	}
	w1 = p;
	queue_push(tap, verb, vlen, "", 0, next_word(&w1, end, &w2, &w2len));
}

/* IMAP command lines: LOGIN and AUTHENTICATE masking, tags, literals. */
static void
client_line_imap(struct mb_tap *tap, const char *line, size_t len, struct mb_buf *shown, int *flags,
                 uint64_t literal)
{
	const char *p = line, *end = line + len, *tag, *verb, *w1;
	size_t tlen, vlen, w1len;
	bool has_literal = literal != UINT64_MAX;

	if (tap->masking_cmd) {
		/* the rest of a LOGIN sent with literals */
		mb_buf_addstr(shown, "<masked>");
		*flags |= MB_TL_MASKED;
		tap->masking_cmd = has_literal;
		tap->client.mask_literal = has_literal;
		return;
	}
	if (tap->auth) {
		mask_sasl_answer(tap, line, len, shown);
		*flags |= MB_TL_MASKED;
		return;
	}
	if (tap->idle && len == 4 && strncasecmp(line, "DONE", 4) == 0) {
		tap->idle = false;
		return;
	}
	if (!next_word(&p, end, &tag, &tlen) || !next_word(&p, end, &verb, &vlen))
		return;
	queue_push(tap, verb, vlen, tag, tlen, p < end);
	if (word_is(verb, vlen, "LOGIN")) {
		/* show the tag, the verb and a plain user name; mask the rest */
		const char *rest = p;

		if (next_word(&p, end, &w1, &w1len) && w1[0] != '{' && w1 + w1len < end) {
			mb_buf_add(shown, line, (size_t)(w1 + w1len - line));
			mb_buf_addstr(shown, " <masked: password>");
		} else {
			mb_buf_add(shown, line, (size_t)(rest - line));
			mb_buf_addstr(shown, " <masked>");
		}
		*flags |= MB_TL_MASKED;
		tap->masking_cmd = has_literal;
		tap->client.mask_literal = has_literal;
	} else if (word_is(verb, vlen, "AUTHENTICATE") && next_word(&p, end, &w1, &w1len)) {
		const char *ir, *mech = w1;
		size_t irlen, mlen = w1len;

		start_auth(tap, mech, mlen);
		memcpy(tap->auth_tag, tag,
		       tlen < sizeof tap->auth_tag ? tlen : sizeof tap->auth_tag - 1);
		tap->auth_tag[tlen < sizeof tap->auth_tag ? tlen : sizeof tap->auth_tag - 1] = '\0';
		if (next_word(&p, end, &ir, &irlen)) {
			mask_auth_command(tap, line, len, ir, irlen, shown);
			*flags |= MB_TL_MASKED;
		}
	} else if (word_is(verb, vlen, "IDLE")) {
		tap->idle = true;
	}
}

static void
client_emit_line(struct mb_tap *tap)
{
	struct tap_side *cs = &tap->client;
	struct mb_buf shown = MB_BUF_INIT;
	const char *line = cs->line.data;
	size_t len = cs->line.len;
	int flags = 0;
	uint64_t literal = UINT64_MAX;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	else
		flags |= MB_TL_NOCR;
	if (cs->line_total > cs->line.len)
		flags |= MB_TL_TRUNC;

	if (tap->proto == MB_PROTO_IMAP)
		trailing_literal(line, len, &literal);
	tap->last_pushed = NULL;
	switch (tap->proto) {
	case MB_PROTO_SMTP:
	case MB_PROTO_POP3:
		client_line_smtp_pop3(tap, line, len, &shown, &flags);
		break;
	case MB_PROTO_IMAP:
		client_line_imap(tap, line, len, &shown, &flags, literal);
		break;
	case MB_PROTO_RAW:
		break;
	}
	if (cs->private && !(flags & MB_TL_MASKED)) {
		/* a library flagged it secret and no rule above recognised it */
		mb_buf_reset(&shown);
		mb_buf_addstr(&shown, "<masked>");
		flags |= MB_TL_MASKED;
	}
	if (tap->last_pushed != NULL) {
		const char *t = (flags & MB_TL_MASKED) ? shown.data : line;
		size_t n = (flags & MB_TL_MASKED) ? shown.len : len;

		if (n >= sizeof tap->last_pushed->line)
			n = sizeof tap->last_pushed->line - 1;
		memcpy(tap->last_pushed->line, t, n);
		tap->last_pushed->line[n] = '\0';
		tap->last_pushed = NULL;
	}
	if (flags & MB_TL_MASKED)
		emit_text(tap, MB_TDIR_CLIENT, flags, shown.data, shown.len);
	else
		emit_text(tap, MB_TDIR_CLIENT, flags, line, len);
	mb_buf_release(&shown);

	if (literal != UINT64_MAX) {
		cs->mode = MODE_LITERAL;
		cs->literal_left = cs->literal_size = literal;
		cs->data_bytes = 0;
	}
	mb_buf_reset(&cs->line);
	cs->line_total = 0;
	cs->private = false;
}

/* A line of message data the client sends (SMTP DATA). */
static void
client_data_line(struct mb_tap *tap)
{
	struct tap_side *cs = &tap->client;
	const char *line = cs->line.data;
	size_t len = cs->line.len, total = cs->line_total;
	struct mb_buf sum = MB_BUF_INIT;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 1 && line[0] == '.' && total <= 3) {
		mb_buf_addstr(&sum, "DATA: ");
		add_grouped(&sum, cs->data_lines);
		mb_buf_addstr(&sum, cs->data_lines == 1 ? " line, " : " lines, ");
		add_grouped(&sum, cs->data_bytes);
		mb_buf_addstr(&sum, cs->data_bytes == 1 ? " byte" : " bytes");
		emit_text(tap, MB_TDIR_INFO, MB_TL_SUMMARY, sum.data, sum.len);
		mb_buf_release(&sum);
		emit_text(tap, MB_TDIR_CLIENT, 0, ".", 1);
		queue_push(tap, ".", 1, "", 0, false);
		strcpy(tap->last_pushed->line, "(end of data) .");
		tap->last_pushed = NULL;
		cs->mode = MODE_LINE;
	} else {
		cs->data_lines++;
		cs->data_bytes += total;
		if (tap->show_data)
			emit_text(tap, MB_TDIR_CLIENT,
			          MB_TL_BODY | (total > cs->line.len ? MB_TL_TRUNC : 0), line, len);
	}
	mb_buf_reset(&cs->line);
	cs->line_total = 0;
}

/* Append to a side's line buffer, keeping at most cap bytes. */
static void
side_append(struct tap_side *s, const char *p, size_t n, size_t cap)
{
	size_t room = s->line.len < cap ? cap - s->line.len : 0;

	mb_buf_add(&s->line, p, n < room ? n : room);
	s->line_total += n;
}

/* The client's literal bytes (IMAP APPEND, LOGIN with literals). */
static size_t
client_literal(struct mb_tap *tap, const char *p, size_t n)
{
	struct tap_side *cs = &tap->client;
	size_t take = n < cs->literal_left ? n : (size_t)cs->literal_left;

	cs->literal_left -= take;
	if (cs->literal_left == 0) {
		if (cs->mask_literal)
			emit_text(tap, MB_TDIR_CLIENT, MB_TL_MASKED, "<masked>", 8);
		else {
			struct mb_buf sum = MB_BUF_INIT;

			mb_buf_addf(&sum, "{%llu bytes}", (unsigned long long)cs->literal_size);
			emit_text(tap, MB_TDIR_CLIENT, MB_TL_SUMMARY | MB_TL_LITERAL, sum.data,
			          sum.len);
			mb_buf_release(&sum);
		}
		cs->mask_literal = false;
		cs->mode = MODE_LINE;
	}
	return take;
}

void
mb_tap_client(struct mb_tap *tap, const void *data, size_t len, bool private)
{
	struct tap_side *cs = &tap->client;
	const char *p = data, *end = p + len, *nl;

	while (p < end) {
		if (cs->mode == MODE_LITERAL) {
			p += client_literal(tap, p, (size_t)(end - p));
			continue;
		}
		if (private)
			cs->private = true;
		nl = memchr(p, '\n', (size_t)(end - p));
		side_append(cs, p, (size_t)((nl ? nl : end) - p),
		            cs->mode == MODE_DATA ? TAP_SHOWN_MAX : MB_NET_LINE_MAX);
		if (nl == NULL)
			break;
		cs->line_total++; /* the LF */
		if (cs->mode == MODE_DATA)
			client_data_line(tap);
		else
			client_emit_line(tap);
		p = nl + 1;
	}
}

/* --- the server side --- */

/* Name the command a reply answers (copied: the queue entry may go). */
static void
set_answers(struct mb_tap *tap, struct mb_tline *tl, const struct tap_cmd *cmd)
{
	if (cmd == NULL || cmd->line[0] == '\0')
		return;
	memcpy(tap->answered, cmd->line, sizeof tap->answered);
	tl->answers = tap->answered;
}

/* POP3: which replies open data or a multi-line listing. */
static void
pop3_after_status(struct mb_tap *tap, const struct tap_cmd *cmd, bool okay)
{
	struct tap_side *ss = &tap->server;

	if (!okay || cmd == NULL)
		return;
	if (strcmp(cmd->verb, "RETR") == 0 || strcmp(cmd->verb, "TOP") == 0) {
		ss->mode = MODE_DATA;
		ss->data_bytes = ss->data_lines = 0;
	} else if (strcmp(cmd->verb, "CAPA") == 0 ||
	           ((strcmp(cmd->verb, "LIST") == 0 || strcmp(cmd->verb, "UIDL") == 0) &&
	            !cmd->has_args)) {
		ss->mode = MODE_MULTI;
	}
}

/* Decode a SASL challenge for the reader: "334 VXNlcm5hbWU6" means "Username:". */
static void
challenge_meaning(const char *b64, size_t len, struct mb_buf *out)
{
	struct mb_buf dec = MB_BUF_INIT;
	size_t i;

	if (len == 0 || mb_b64_decode(b64, len, 1, &dec) < 0 || dec.len == 0 || dec.len > 200) {
		mb_buf_release(&dec);
		return;
	}
	for (i = 0; i < dec.len; i++)
		if ((unsigned char)dec.data[i] < 0x20 || (unsigned char)dec.data[i] >= 0x7f)
			dec.data[i] = '.';
	mb_buf_addf(out, "challenge, decoded: %s", dec.data);
	mb_buf_release(&dec);
}

static void
server_line_smtp(struct mb_tap *tap, const char *line, size_t len, struct mb_tline *tl,
                 struct mb_buf *meaning)
{
	bool last = len < 4 || line[3] != '-';
	struct tap_cmd *cmd = queue_head(tap);

	if (!tap->in_reply) {
		tap->reply_rtt = rtt_of(cmd);
		tap->in_reply = true;
	} else
		tl->flags |= MB_TL_CONT;
	if (!last)
		return;
	/* the round trip shows with the meaning, on the reply's last line */
	tl->rtt_ms = tap->reply_rtt;
	tl->flags |= MB_TL_LAST;
	set_answers(tap, tl, cmd);
	tap->in_reply = false;
	if (tl->code == 334 && len > 4)
		challenge_meaning(line + 4, len - 4, meaning);
	if (cmd != NULL && strcmp(cmd->verb, "AUTH") == 0 && tl->code == 334)
		return; /* the exchange goes on: the client answers next */
	if (cmd != NULL && strcmp(cmd->verb, "AUTH") == 0)
		tap->auth = false;
	if (cmd != NULL && strcmp(cmd->verb, "DATA") == 0 && tl->code == 354) {
		tap->client.mode = MODE_DATA;
		tap->client.data_bytes = tap->client.data_lines = 0;
	}
	queue_pop(tap);
}

static void
server_line_pop3(struct mb_tap *tap, const char *line, size_t len, struct mb_tline *tl,
                 struct mb_buf *meaning)
{
	struct tap_cmd *cmd = queue_head(tap), copy;
	bool okay = len >= 3 && strncmp(line, "+OK", 3) == 0;

	if (len >= 1 && line[0] == '+' && !okay) {
		/* "+ challenge" during AUTH */
		tl->rtt_ms = rtt_of(cmd);
		if (len > 2)
			challenge_meaning(line + 2, len - 2, meaning);
		return;
	}
	tl->rtt_ms = rtt_of(cmd);
	tl->flags |= MB_TL_LAST;
	set_answers(tap, tl, cmd);
	if (cmd != NULL && strcmp(cmd->verb, "AUTH") == 0)
		tap->auth = false;
	if (cmd != NULL)
		copy = *cmd;
	queue_pop(tap);
	pop3_after_status(tap, cmd ? &copy : NULL, okay);
}

static void
server_line_imap(struct mb_tap *tap, const char *line, size_t len, struct mb_tline *tl,
                 struct mb_buf *meaning)
{
	const char *p = line, *end = line + len, *tag;
	size_t tlen;
	struct tap_cmd cmd;

	if (!next_word(&p, end, &tag, &tlen))
		return;
	if (tlen == 1 && tag[0] == '+') {
		if (tap->auth && p + 1 < end)
			challenge_meaning(p + 1, (size_t)(end - p - 1), meaning);
		return;
	}
	if (tlen == 1 && tag[0] == '*')
		return;
	if (queue_take_tag(tap, tag, tlen, &cmd)) {
		tl->rtt_ms = rtt_of(&cmd);
		tl->flags |= MB_TL_LAST;
		set_answers(tap, tl, &cmd);
		if (tap->auth && strlen(tap->auth_tag) == tlen &&
		    memcmp(tap->auth_tag, tag, tlen) == 0)
			tap->auth = false;
		if (strcmp(cmd.verb, "IDLE") == 0)
			tap->idle = false;
	}
}

static int
server_emit_line(struct mb_tap *tap, struct mb_error *err)
{
	struct tap_side *ss = &tap->server;
	struct mb_tline tl = {0};
	struct mb_buf meaning = MB_BUF_INIT;
	const char *line = ss->line.data;
	size_t len = ss->line.len;
	uint64_t literal;
	int rc = 0;

	tl.dir = MB_TDIR_SERVER;
	tl.rtt_ms = -1;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	else
		tl.flags |= MB_TL_NOCR;
	tl.text = line;
	tl.len = len;
	if (tap->annotate != NULL)
		tap->annotate(line, len, &tl);
	switch (tap->proto) {
	case MB_PROTO_SMTP:
		server_line_smtp(tap, line, len, &tl, &meaning);
		break;
	case MB_PROTO_POP3:
		server_line_pop3(tap, line, len, &tl, &meaning);
		break;
	case MB_PROTO_IMAP:
		server_line_imap(tap, line, len, &tl, &meaning);
		break;
	case MB_PROTO_RAW:
		break;
	}
	if (meaning.len > 0)
		tl.meaning = meaning.data;
	emit(tap, &tl);
	mb_buf_release(&meaning);

	if (tap->proto == MB_PROTO_IMAP && trailing_literal(line, len, &literal)) {
		if (literal > MB_NET_LITERAL_MAX) {
			mb_error_set(
			        err, MB_ERR_PROTO,
			        "server announced a literal of %llu bytes, more than the limit "
			        "of %d: session aborted",
			        (unsigned long long)literal, MB_NET_LITERAL_MAX);
			rc = -1;
		}
		ss->mode = MODE_LITERAL;
		ss->literal_left = ss->literal_size = literal;
	}
	mb_buf_reset(&ss->line);
	ss->line_total = 0;
	return rc;
}

/* A line inside POP3 message data or a POP3 multi-line listing. */
static void
server_data_line(struct mb_tap *tap)
{
	struct tap_side *ss = &tap->server;
	const char *line = ss->line.data;
	size_t len = ss->line.len, total = ss->line_total;
	struct mb_buf sum = MB_BUF_INIT;
	int flags = 0;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	else
		flags |= MB_TL_NOCR;
	if (len == 1 && line[0] == '.' && total <= 3) {
		if (ss->mode == MODE_DATA) {
			mb_buf_addf(&sum, "{%llu bytes}", (unsigned long long)ss->data_bytes);
			if (!tap->show_data)
				emit_text(tap, MB_TDIR_SERVER, MB_TL_SUMMARY, sum.data, sum.len);
			mb_buf_release(&sum);
		}
		emit_text(tap, MB_TDIR_SERVER, MB_TL_LAST, ".", 1);
		ss->mode = MODE_LINE;
	} else if (ss->mode == MODE_MULTI) {
		emit_text(tap, MB_TDIR_SERVER, flags | MB_TL_CONT, line, len);
	} else {
		ss->data_lines++;
		ss->data_bytes += total;
		if (tap->show_data)
			emit_text(tap, MB_TDIR_SERVER,
			          flags | MB_TL_BODY | (total > ss->line.len ? MB_TL_TRUNC : 0),
			          line, len);
	}
	mb_buf_reset(&ss->line);
	ss->line_total = 0;
}

/* Message data not shown, from the start of a line that cannot be the final ".": whole
   lines are only counted, with no copy and no call per line (a 300 MB fetch has five million
   of them). Returns the bytes taken; a line that does not end here is left to the caller, as
   is one that begins with a dot. */
static size_t
server_data_plain(struct tap_side *ss, const char *p, size_t len)
{
	const char *q = p, *end = p + len, *nl;

	while (q < end && *q != '.' && (nl = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		ss->data_lines++;
		q = nl + 1;
	}
	ss->data_bytes += (uint64_t)(q - p);
	return (size_t)(q - p);
}

/* The server's literal bytes: counted, shown as "{N bytes}". */
static size_t
server_literal(struct mb_tap *tap, const char *p, size_t n)
{
	struct tap_side *ss = &tap->server;
	size_t take = n < ss->literal_left ? n : (size_t)ss->literal_left;
	const char *q = p, *end = p + take, *nl;

	if (tap->show_data) {
		/* show the literal's lines as they come */
		while (q < end) {
			nl = memchr(q, '\n', (size_t)(end - q));
			side_append(ss, q, (size_t)((nl ? nl + 1 : end) - q), TAP_SHOWN_MAX);
			if (nl == NULL)
				break;
			size_t l = ss->line.len;

			while (l > 0 &&
			       (ss->line.data[l - 1] == '\n' || ss->line.data[l - 1] == '\r'))
				l--;
			emit_text(tap, MB_TDIR_SERVER, MB_TL_BODY, ss->line.data, l);
			mb_buf_reset(&ss->line);
			ss->line_total = 0;
			q = nl + 1;
		}
	}
	ss->literal_left -= take;
	if (ss->literal_left == 0) {
		struct mb_buf sum = MB_BUF_INIT;

		if (tap->show_data && ss->line.len > 0)
			emit_text(tap, MB_TDIR_SERVER, MB_TL_BODY, ss->line.data, ss->line.len);
		mb_buf_reset(&ss->line);
		ss->line_total = 0;
		mb_buf_addf(&sum, "{%llu bytes}", (unsigned long long)ss->literal_size);
		emit_text(tap, MB_TDIR_SERVER, MB_TL_SUMMARY | MB_TL_LITERAL, sum.data, sum.len);
		mb_buf_release(&sum);
		ss->mode = MODE_LINE;
	}
	return take;
}

int
mb_tap_server(struct mb_tap *tap, const void *data, size_t len, struct mb_error *err)
{
	struct tap_side *ss = &tap->server;
	const char *p = data, *end = p + len, *nl;
	size_t n;

	while (p < end) {
		if (ss->mode == MODE_LITERAL) {
			p += server_literal(tap, p, (size_t)(end - p));
			continue;
		}
		if (ss->mode == MODE_DATA && !tap->show_data && ss->line_total == 0 &&
		    (n = server_data_plain(ss, p, (size_t)(end - p))) > 0) {
			p += n;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (ss->mode == MODE_LINE && ss->line_total + n > MB_NET_LINE_MAX) {
			return mb_error_set(err, MB_ERR_PROTO,
			                    "server sent a line longer than %d bytes: session "
			                    "aborted",
			                    MB_NET_LINE_MAX);
		}
		/* message data not shown is only counted: its lines need no copy beyond what
		   tells the final "." */
		side_append(ss, p, n,
		            ss->mode == MODE_LINE                      ? MB_NET_LINE_MAX
		            : ss->mode == MODE_DATA && !tap->show_data ? 4
		                                                       : TAP_SHOWN_MAX);
		if (nl == NULL)
			break;
		ss->line_total++;
		if (ss->mode == MODE_LINE) {
			if (server_emit_line(tap, err) < 0)
				return -1;
		} else
			server_data_line(tap);
		p = nl + 1;
	}
	return 0;
}

void
mb_tap_eof(struct mb_tap *tap)
{
	if (tap->server.line_total > 0) {
		emit_text(tap, MB_TDIR_SERVER, MB_TL_PARTIAL | MB_TL_NOCR, tap->server.line.data,
		          tap->server.line.len);
		mb_buf_reset(&tap->server.line);
		tap->server.line_total = 0;
	}
	if (tap->client.line_total > 0 && tap->client.mode != MODE_DATA) {
		tap->client.line_total = 0;
		mb_buf_reset(&tap->client.line);
	}
}

bool
mb_tap_in_data(const struct mb_tap *tap)
{
	return tap->server.mode != MODE_LINE;
}

/* --- lifecycle --- */

struct mb_tap *
mb_tap_new(enum mb_proto proto)
{
	struct mb_tap *tap = xcalloc(1, sizeof *tap);

	tap->proto = proto;
	mb_buf_init(&tap->client.line);
	mb_buf_init(&tap->server.line);
	/* the greeting answers the connection itself */
	if (proto != MB_PROTO_IMAP)
		queue_push(tap, "CONNECT", 7, "", 0, false);
	return tap;
}

void
mb_tap_free(struct mb_tap *tap)
{
	if (tap == NULL)
		return;
	/* the client line may hold a secret being typed */
	if (tap->client.line.cap)
		memset(tap->client.line.data, 0, tap->client.line.cap);
	mb_buf_release(&tap->client.line);
	mb_buf_release(&tap->server.line);
	free(tap->user);
	free(tap);
}

void
mb_tap_add_sink(struct mb_tap *tap, mb_tsink_fn fn, void *ctx)
{
	if (tap->nsinks == MB_TAP_SINKS)
		abort();
	tap->sinks[tap->nsinks].fn = fn;
	tap->sinks[tap->nsinks].ctx = ctx;
	tap->nsinks++;
}

void
mb_tap_set_annotator(struct mb_tap *tap, mb_annotate_fn fn)
{
	tap->annotate = fn;
}

void
mb_tap_set_session(struct mb_tap *tap, uint64_t id)
{
	tap->session = id;
}

void
mb_tap_set_user(struct mb_tap *tap, const char *user)
{
	free(tap->user);
	tap->user = user ? xstrdup(user) : NULL;
}

void
mb_tap_set_show_data(struct mb_tap *tap, bool on)
{
	tap->show_data = on;
}

const char *
mb_tdir_tag(enum mb_tdir dir)
{
	switch (dir) {
	case MB_TDIR_CLIENT:
		return "C";
	case MB_TDIR_SERVER:
		return "S";
	case MB_TDIR_INFO:
		return "*";
	case MB_TDIR_TLS:
		return "TLS";
	}
	return "?";
}

const char *
mb_tdir_name(enum mb_tdir dir)
{
	switch (dir) {
	case MB_TDIR_CLIENT:
		return "client";
	case MB_TDIR_SERVER:
		return "server";
	case MB_TDIR_INFO:
		return "info";
	case MB_TDIR_TLS:
		return "tls";
	}
	return "?";
}
