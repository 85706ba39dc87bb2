/* Unit tests: the transcript tap (src/net/tap.c) and reply parsing (src/proto/reply.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/base64.h"
#include "mailbench/pop3.h"
#include "mailbench/reply.h"
#include "mailbench/tap.h"
#include "mailbench/xalloc.h"
#include "tap.h"

/* Collects "C: text", "S: text", "*: text" lines, joined by '\n'. */
struct collect {
	struct mb_buf all;
	int n;
	int last_flags;
	int last_code;
	char last_meaning[256];
	int rtt_lines;
};

static void
collect_sink(void *ctx, const struct mb_tline *tl)
{
	struct collect *c = ctx;

	mb_buf_addf(&c->all, "%s: ", mb_tdir_tag(tl->dir));
	mb_buf_add(&c->all, tl->text, tl->len);
	mb_buf_addch(&c->all, '\n');
	c->n++;
	c->last_flags = tl->flags;
	c->last_code = tl->code;
	snprintf(c->last_meaning, sizeof c->last_meaning, "%s", tl->meaning ? tl->meaning : "");
	if (tl->rtt_ms >= 0)
		c->rtt_lines++;
}

static struct mb_tap *
new_tap(enum mb_proto p, struct collect *c, mb_annotate_fn ann)
{
	struct mb_tap *t = mb_tap_new(p);

	memset(c, 0, sizeof *c);
	mb_buf_init(&c->all);
	mb_tap_add_sink(t, collect_sink, c);
	mb_tap_set_annotator(t, ann);
	return t;
}

static void
feed_c(struct mb_tap *t, const char *s)
{
	mb_tap_client(t, s, strlen(s), false);
}

static int
feed_s(struct mb_tap *t, const char *s)
{
	struct mb_error err = MB_ERROR_INIT;

	return mb_tap_server(t, s, strlen(s), &err);
}

static void
b64(const char *s, size_t len, char *out)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_base64_encode(s, len, 0, &b);
	strcpy(out, b.data);
	mb_buf_release(&b);
}

static void
test_smtp_auth_plain(void)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	char enc[128], line[256];

	b64("\0alice\0s3cret-Pw", 16, enc);
	feed_s(t, "220 lab ESMTP\r\n");
	feed_c(t, "EHLO mailbench.test\r\n");
	feed_s(t, "250-lab\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
	snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", enc);
	feed_c(t, line);
	feed_s(t, "235 2.7.0 Authentication successful\r\n");
	unlike(c.all.data, enc, "the AUTH PLAIN payload never reaches a sink");
	unlike(c.all.data, "s3cret", "nor the password");
	like(c.all.data, "C: AUTH PLAIN <masked: user alice>\n", "AUTH PLAIN shows the user");
	like(c.all.data, "S: 250-AUTH PLAIN LOGIN\n", "multi-line replies are kept line by line");
	is_int(c.last_code, 235, "the reply code is annotated");
	like(c.last_meaning, "authentication succeeded", "235 has a meaning");
	ok(c.rtt_lines >= 3, "replies carry round-trip times (%d)", c.rtt_lines);
	mb_tap_free(t);
	mb_buf_release(&c.all);
}

static void
test_smtp_auth_login(void)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	char u[64], p[64], line[128];

	b64("alice", 5, u);
	b64("Pw-of-Alice", 11, p);
	feed_s(t, "220 hi\r\n");
	feed_c(t, "AUTH LOGIN\r\n");
	feed_s(t, "334 VXNlcm5hbWU6\r\n");
	snprintf(line, sizeof line, "%s\r\n", u);
	feed_c(t, line);
	feed_s(t, "334 UGFzc3dvcmQ6\r\n");
	snprintf(line, sizeof line, "%s\r\n", p);
	feed_c(t, line);
	feed_s(t, "235 ok\r\n");
	feed_c(t, "MAIL FROM:<alice@lab.test>\r\n");
	unlike(c.all.data, p, "the AUTH LOGIN password's base64 never reaches a sink");
	unlike(c.all.data, "Pw-of-Alice", "nor the password");
	like(c.all.data, "C: <masked: user alice>\n", "the user name answer is masked");
	like(c.all.data, "C: <masked: password>\n", "the password answer is masked");
	like(c.all.data, "C: MAIL FROM:<alice@lab.test>\n", "after 235, lines are shown again");
	mb_tap_free(t);
	mb_buf_release(&c.all);

	/* a refused AUTH ends the exchange: the next line is a command again */
	t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	feed_s(t, "220 hi\r\n");
	feed_c(t, "AUTH LOGIN\r\n");
	feed_s(t, "334 VXNlcm5hbWU6\r\n");
	feed_c(t, "YWxpY2U=\r\n");
	feed_s(t, "334 UGFzc3dvcmQ6\r\n");
	feed_c(t, "d3Jvbmc=\r\n");
	feed_s(t, "535 5.7.8 Error: authentication failed\r\n");
	feed_c(t, "QUIT\r\n");
	like(c.all.data, "C: QUIT\n", "a 535 ends the masking");
	unlike(c.all.data, "d3Jvbmc=", "the wrong password is masked too");
	like(c.last_meaning, "", "meaning exists");
	mb_tap_free(t);
	mb_buf_release(&c.all);
}

static void
test_smtp_data(void)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);

	feed_s(t, "220 hi\r\n");
	feed_c(t, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
	feed_s(t, "250 ok\r\n250 ok\r\n354 go\r\n");
	feed_c(t, "Subject: secret plans\r\n\r\nline one\r\n..dot\r\n");
	feed_c(t, "last\r\n.\r\n");
	feed_s(t, "250 2.0.0 queued\r\n");
	unlike(c.all.data, "secret plans", "the body is summarised, not shown");
	like(c.all.data, "*: DATA: 5 lines, 48 bytes\n", "summary counts lines and bytes");
	like(c.all.data, "C: .\nS: 250 2.0.0 queued\n", "the final dot and its reply");
	like(c.last_meaning, "requested action okay", "250 meaning");
	mb_tap_free(t);
	mb_buf_release(&c.all);

	/* a refused DATA opens no body */
	t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	feed_s(t, "220 hi\r\n");
	feed_c(t, "DATA\r\n");
	feed_s(t, "554 no valid recipients\r\n");
	feed_c(t, "QUIT\r\n");
	like(c.all.data, "C: QUIT\n", "a 554 to DATA leaves line mode");

	/* full data on request */
	mb_tap_free(t);
	mb_buf_release(&c.all);
	t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	mb_tap_set_show_data(t, true);
	feed_s(t, "220 hi\r\n");
	feed_c(t, "DATA\r\n");
	feed_s(t, "354 go\r\n");
	feed_c(t, "Subject: x\r\n\r\nbody\r\n.\r\n");
	like(c.all.data, "C: Subject: x\nC: \nC: body\n", "show_data shows every body line");
	mb_tap_free(t);
	mb_buf_release(&c.all);
}

static void
test_smtp_limits(void)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	struct mb_error err = MB_ERROR_INIT;
	char *big = xmalloc(MB_NET_LINE_MAX + 10);
	int r = 0, i;

	memset(big, 'x', MB_NET_LINE_MAX + 9);
	big[MB_NET_LINE_MAX + 9] = '\0';
	/* fed in small pieces: the limit holds across chunks */
	for (i = 0; i < MB_NET_LINE_MAX + 9 && r == 0; i += 1000)
		r = mb_tap_server(
		        t, big + i,
		        1000 < MB_NET_LINE_MAX + 9 - i ? 1000 : (size_t)(MB_NET_LINE_MAX + 9 - i),
		        &err);
	is_int(r, -1, "a server line over 64 KiB is refused");
	is_int(err.kind, MB_ERR_PROTO, "as the server breaking the protocol");
	like(err.msg, "longer than 65536 bytes", "with a message saying so");
	free(big);
	mb_tap_free(t);
	mb_buf_release(&c.all);

	t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	feed_s(t, "220 slow g");
	mb_tap_eof(t);
	like(c.all.data, "S: 220 slow g\n", "a cut-off line is still shown");
	ok(c.last_flags & MB_TL_PARTIAL, "flagged partial");
	mb_tap_free(t);
	mb_buf_release(&c.all);

	t = new_tap(MB_PROTO_SMTP, &c, mb_smtp_annotate);
	feed_s(t, "220 bare lf\n");
	ok(c.last_flags & MB_TL_NOCR, "a bare LF line is flagged");
	mb_tap_free(t);
	mb_buf_release(&c.all);
}

/* The transcript of one POP3 session whose server bytes arrive in the given chunks
   (0: all at once), from a fresh tap. */
static char *
pop3_split(const char *server, size_t chunk, size_t first)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_POP3, &c, mb_pop3_annotate);
	struct mb_error err = MB_ERROR_INIT;
	size_t len = strlen(server), off = 0, n;

	feed_s(t, "+OK ready\r\n");
	feed_c(t, "RETR 1\r\nRETR 2\r\nRETR 3\r\nNOOP\r\n");
	while (off < len) {
		n = chunk == 0 ? len - off : off == 0 && first > 0 ? first : chunk;
		if (n > len - off)
			n = len - off;
		if (mb_tap_server(t, server + off, n, &err) < 0)
			break;
		off += n;
	}
	mb_tap_free(t);
	return mb_buf_detach(&c.all, NULL);
}

/* Message data is counted line by line without being copied: lines that begin with a dot
   (stuffed, or the end), lines that end in another read and bare LFs must be counted the
   same however the bytes are cut. */
static void
test_pop3_data_split(void)
{
	const char *server = "+OK 50 octets\r\nSubject: x\r\n\r\nhello\r\n..dot\r\n.\r\r\n"
	                     ". \r\nbare\nlf\r\n.x\r\n\r\n.\r\n"
	                     "+OK 3 octets\r\n.\r\n"
	                     "+OK 9 octets\r\n..\r\nlast\r\n.\r\n+OK noop\r\n";
	char *whole = pop3_split(server, 0, 0), *cut;
	size_t i, bad = 0, len = strlen(server);

	like(whole, "S: {51 bytes}\nS: .\nS: +OK 3 octets\nS: {0 bytes}\nS: .\n",
	     "the first message's bytes are all counted, an empty one is 0");
	like(whole, "S: {10 bytes}\nS: .\nS: +OK noop\n", "the session goes on after them");
	unlike(whole, "hello", "the data is not shown");
	for (i = 1; i < len; i++) {
		cut = pop3_split(server, len, i); /* two reads, cut at i */
		if (strcmp(cut, whole) != 0 && bad++ == 0)
			diag("cut at %zu:\n%s", i, cut);
		free(cut);
		cut = pop3_split(server, i, 0); /* reads of i bytes */
		if (strcmp(cut, whole) != 0 && bad++ == 0)
			diag("reads of %zu:\n%s", i, cut);
		free(cut);
	}
	is_int((long long)bad, 0, "the same transcript for every cut of the %zu bytes", len);
	free(whole);
}

static void
test_pop3(void)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_POP3, &c, mb_pop3_annotate);

	feed_s(t, "+OK Dovecot ready.\r\n");
	feed_c(t, "USER alice\r\nPASS hunter2-pw\r\n");
	feed_s(t, "+OK\r\n+OK Logged in.\r\n");
	feed_c(t, "LIST\r\n");
	feed_s(t, "+OK 2 messages:\r\n1 120\r\n2 300\r\n.\r\n");
	feed_c(t, "RETR 1\r\n");
	feed_s(t, "+OK 120 octets\r\nSubject: private\r\n\r\nhello\r\n..dot\r\n.\r\n");
	feed_c(t, "APOP alice 0123456789abcdef\r\n");
	feed_s(t, "-ERR [AUTH] nope\r\n");
	unlike(c.all.data, "hunter2", "PASS is masked");
	like(c.all.data, "C: PASS <masked: password>\n", "PASS shows as masked");
	like(c.all.data, "S: 1 120\nS: 2 300\nS: .\n", "LIST's listing is shown");
	unlike(c.all.data, "private", "RETR data is summarised");
	like(c.all.data, "S: {34 bytes}\nS: .\n", "as a byte count");
	unlike(c.all.data, "0123456789abcdef", "the APOP digest is masked");
	like(c.last_meaning, "authentication failed", "-ERR [AUTH] is explained");
	mb_tap_free(t);
	mb_buf_release(&c.all);

	/* SASL PLAIN over POP3 */
	t = new_tap(MB_PROTO_POP3, &c, mb_pop3_annotate);
	feed_s(t, "+OK hi\r\n");
	feed_c(t, "AUTH PLAIN\r\n");
	feed_s(t, "+ \r\n");
	feed_c(t, "AGFsaWNlAHNlY3JldA==\r\n");
	feed_s(t, "+OK\r\n");
	feed_c(t, "STAT\r\n");
	unlike(c.all.data, "AGFsaWNlAHNlY3JldA==", "POP3 AUTH answers are masked");
	like(c.all.data, "C: <masked: user alice>\nS: +OK\nC: STAT\n", "and the session goes on");
	mb_tap_free(t);
	mb_buf_release(&c.all);
}

static void
test_imap(void)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_IMAP, &c, mb_imap_annotate);
	struct mb_error err = MB_ERROR_INIT;
	int r;

	feed_s(t, "* OK [CAPABILITY IMAP4rev1] ready\r\n");
	feed_c(t, "a1 LOGIN alice \"p4ss word\"\r\n");
	feed_s(t, "a1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n");
	feed_c(t, "a2 UID FETCH 1:* (UID BODY.PEEK[])\r\n");
	feed_s(t, "* 1 FETCH (UID 7 BODY[] {19}\r\nSubject: hidden\r\n\r\nx)\r\n");
	feed_s(t, "a2 OK done\r\n");
	unlike(c.all.data, "p4ss", "LOGIN's password is masked");
	like(c.all.data, "C: a1 LOGIN alice <masked: password>\n", "the user stays visible");
	unlike(c.all.data, "hidden", "a literal is summarised");
	like(c.all.data, "S: * 1 FETCH (UID 7 BODY[] {19}\nS: {19 bytes}\nS: x)\n",
	     "literal shown as its size, the line goes on after it");
	is_int(c.last_code, 1, "tagged OK is code 1");
	ok(c.last_flags & MB_TL_LAST, "a tagged reply ends its command");

	/* literal too big for mailbench */
	r = mb_tap_server(t, "* 2 FETCH (BODY[] {2147483648}\r\n", 33, &err);
	is_int(r, -1, "a 2 GB literal is refused at once");
	like(err.msg, "2147483648", "naming the size");
	mb_tap_free(t);
	mb_buf_release(&c.all);

	/* LOGIN with literals, AUTHENTICATE, IDLE */
	t = new_tap(MB_PROTO_IMAP, &c, mb_imap_annotate);
	feed_s(t, "* OK hi\r\n");
	feed_c(t, "a1 LOGIN {5}\r\n");
	feed_s(t, "+ ok\r\n");
	feed_c(t, "alice {9}\r\n");
	feed_s(t, "+ ok\r\n");
	feed_c(t, "literalPw\r\n");
	feed_s(t, "a1 NO [AUTHENTICATIONFAILED] no\r\n");
	feed_c(t, "a2 AUTHENTICATE PLAIN\r\n");
	feed_s(t, "+ \r\n");
	feed_c(t, "AGFsaWNlAHNlY3JldFB3\r\n");
	feed_s(t, "a2 OK done\r\n");
	feed_c(t, "a3 IDLE\r\n");
	feed_s(t, "+ idling\r\n* 4 EXISTS\r\n");
	feed_c(t, "DONE\r\n");
	feed_s(t, "a3 OK idle done\r\n");
	unlike(c.all.data, "literalPw", "a literal password is masked");
	unlike(c.all.data, "AGFsaWNlAHNlY3JldFB3", "AUTHENTICATE answers are masked");
	like(c.all.data, "C: <masked: user alice>\n", "AUTHENTICATE PLAIN names the user");
	like(c.all.data, "C: DONE\n", "DONE is shown");
	like(c.all.data, "S: * 4 EXISTS\n", "IDLE news shown");
	mb_tap_free(t);
	mb_buf_release(&c.all);
}

static void
test_private_flag(void)
{
	struct collect c;
	struct mb_tap *t = new_tap(MB_PROTO_IMAP, &c, mb_imap_annotate);

	mb_tap_client(t, "a9 XSECRET stuff\r\n", 18, true);
	unlike(c.all.data, "stuff", "bytes a library marked private are masked");
	like(c.all.data, "C: <masked>\n", "as <masked>");
	mb_tap_free(t);
	mb_buf_release(&c.all);
}

static void
test_reply(void)
{
	struct mb_smtp_reply r;
	struct mb_error err = MB_ERROR_INIT;
	int code;
	bool last;
	size_t off, flen;
	char st[16];
	const char *first;
	int i, rc = 0;

	is_int(mb_smtp_reply_line("250 ok", 6, &code, &last, &off), 0, "250 ok parses");
	ok(code == 250 && last && off == 4, "code, last, offset");
	is_int(mb_smtp_reply_line("250-x", 5, &code, &last, &off), 0, "250-x parses");
	ok(!last, "dash means more");
	is_int(mb_smtp_reply_line("250", 3, &code, &last, &off), 0, "a bare code is a reply");
	is_int(mb_smtp_reply_line("2500 ok", 7, &code, &last, &off), -1, "2500 is refused");
	is_int(mb_smtp_reply_line("99x", 3, &code, &last, &off), -1, "99x is refused");
	is_int(mb_smtp_reply_line("abc ok", 6, &code, &last, &off), -1, "letters are refused");
	is_int(mb_smtp_reply_line("", 0, &code, &last, &off), -1, "empty is refused");
	is_int(mb_smtp_reply_line("199 x", 5, &code, &last, &off), -1, "1xx is refused");
	is_int(mb_smtp_reply_line("260 x", 5, &code, &last, &off), -1,
	       "a second digit over 5 is refused");

	is_int((int)mb_enhanced_status("5.1.1 no such user", 18, st), 6, "enhanced code found");
	is_str(st, "5.1.1", "and copied");
	is_int((int)mb_enhanced_status("2.0.0", 5, st), 5, "enhanced code alone");
	is_int((int)mb_enhanced_status("5.1 x", 5, st), 0, "two parts are not an enhanced code");
	is_int((int)mb_enhanced_status("Ok: queued", 10, st), 0, "plain text has none");
	is_str(mb_enhanced_meaning("5.1.1"), "bad destination mailbox address (no such user)",
	       "5.1.1 meaning");
	is_str(mb_enhanced_meaning("5.7.8"), "authentication credentials invalid", "5.7.8 meaning");
	ok(mb_enhanced_meaning("5.99.99") == NULL, "unknown enhanced code");
	like(mb_smtp_code_meaning(354), "<CRLF>.<CRLF>", "354 meaning");
	like(mb_smtp_code_meaning(299), "success", "unknown 2xx is success");

	mb_smtp_reply_init(&r);
	is_int(mb_smtp_reply_feed(&r, "250-lab.test", 12, &err), 0, "first of many");
	is_int(mb_smtp_reply_feed(&r, "250-SIZE 1000", 13, &err), 0, "middle");
	is_int(mb_smtp_reply_feed(&r, "250 8BITMIME", 12, &err), 1, "last completes");
	is_str(r.text.data, "lab.test\nSIZE 1000\n8BITMIME", "texts joined");
	first = mb_smtp_reply_first(&r, &flen);
	ok(flen == 8 && strncmp(first, "lab.test", 8) == 0, "first line");
	mb_smtp_reply_release(&r);

	mb_smtp_reply_init(&r);
	mb_smtp_reply_feed(&r, "250-a", 5, &err);
	is_int(mb_smtp_reply_feed(&r, "550 b", 5, &err), -1, "mixed codes are refused");
	is_int(err.kind, MB_ERR_PROTO, "as a protocol error");
	mb_smtp_reply_release(&r);

	mb_smtp_reply_init(&r);
	for (i = 0; i < 100000 && rc == 0; i++)
		rc = mb_smtp_reply_feed(&r, "250-x", 5, &err);
	is_int(rc, -1, "an endless multi-line reply is cut");
	is_int(err.kind, MB_ERR_PROTO, "as the server breaking the protocol");
	ok(i <= MB_SMTP_REPLY_MAX_LINES + 1, "at the line limit (%d)", i);
	mb_smtp_reply_release(&r);

	mb_smtp_reply_init(&r);
	mb_smtp_reply_feed(&r, "550 5.1.1 <x@y>: Recipient address rejected", 43, &err);
	is_str(r.status, "5.1.1", "status of a reply");
	mb_smtp_reply_release(&r);
}

static void
test_base64(void)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_base64_encode("", 0, 0, &b);
	is_str(b.data, "", "empty encodes to empty");
	mb_base64_encode("f", 1, 0, &b);
	mb_base64_encode("fo", 2, 0, &b);
	mb_base64_encode("foo", 3, 0, &b);
	is_str(b.data, "Zg==Zm8=Zm9v", "RFC 4648 vectors");
	mb_buf_reset(&b);
	is_int(mb_b64_decode("Zm9vYmFy", 8, 1, &b), 0, "strict decode");
	is_str(b.data, "foobar", "decodes");
	mb_buf_reset(&b);
	is_int(mb_b64_decode("Zm9=", 4, 1, &b), 0, "padding");
	is_str(b.data, "fo", "decodes with padding");
	mb_buf_reset(&b);
	is_int(mb_b64_decode("Zm 9v", 5, 1, &b), -1, "strict refuses spaces");
	is_int(mb_b64_decode("Z===", 4, 1, &b), -1, "strict refuses bad padding");
	is_int(mb_b64_decode("Zm=v", 4, 1, &b), -1, "strict refuses inner padding");
	mb_buf_reset(&b);
	is_int(mb_b64_decode("Zm9v\r\nYmFy!", 11, 0, &b), 0, "lenient skips junk");
	is_str(b.data, "foobar", "lenient decodes");
	mb_buf_reset(&b);
	mb_base64_encode("0123456789012345678901234567890123456789012345678901234567890", 61, 76,
	                 &b);
	like(b.data, "\r\n", "line breaks at 76");
	mb_buf_release(&b);
}

/* Found by fuzz_reply and fuzz_pop3: inputs without a NUL after them were read past their end. */
static void
test_fuzz_regressions(void)
{
	struct mb_smtp_reply r;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_pop3_msg *msgs = NULL;
	size_t n = 0;
	char *exact = xmalloc(8);

	memcpy(exact, "2500 bad", 8); /* no NUL: ASan catches any read past it */
	mb_smtp_reply_init(&r);
	is_int(mb_smtp_reply_feed(&r, exact, 8, &err), -1,
	       "an invalid reply line in an exact buffer");
	like(err.msg, "'2500 bad'", "is quoted without reading past it");
	mb_smtp_reply_release(&r);
	free(exact);
	exact = xmalloc(7);
	memcpy(exact, "1 120\r\n", 7);
	is_int(mb_pop3_parse_listing(exact, 7, &msgs, &n, false, &err), 0,
	       "a LIST line in an exact buffer parses");
	is_int((int)n, 1, "one message");
	free(msgs);
	free(exact);
}

int
main(void)
{
	test_smtp_auth_plain();
	test_smtp_auth_login();
	test_smtp_data();
	test_smtp_limits();
	test_pop3();
	test_pop3_data_split();
	test_imap();
	test_private_flag();
	test_reply();
	test_base64();
	test_fuzz_regressions();
	return done_testing();
}
