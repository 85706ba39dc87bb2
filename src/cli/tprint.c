/*
 * tprint.c: transcript lines on a terminal or in a file, as the CLI shows
 * them live and as `mailbench transcript show|export` prints stored ones.
 *
 *     10:31:02.114 S: 220 lab.test ESMTP Postfix          <- service ready
 *     10:31:02.115 C: EHLO [127.0.0.1]
 *     10:31:02.116 S: 250-lab.test                        (1 ms)
 *
 * Every byte from the network is sanitised first: escape sequences show as
 * text (^[), never act on the terminal.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/private.h"
#include "mailbench/buf.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"

#define C_RESET  "\033[0m"
#define C_DIM    "\033[2m"
#define C_BOLD   "\033[1m"
#define C_CLIENT "\033[36m"
#define C_OK     "\033[32m"
#define C_TEMP   "\033[33m"
#define C_PERM   "\033[31m"
#define C_TLS    "\033[35m"

static const char *
server_color(int code, int flags)
{
	if (flags & MB_TL_ERROR)
		return C_PERM;
	if (code >= 500 || code == 2 || code == 3)
		return C_PERM; /* 5xx, POP3 -ERR, IMAP NO/BAD */
	if (code >= 400)
		return C_TEMP;
	return C_OK;
}

void
mb_tprint_format(struct mb_buf *out, const struct mb_tprint_line *l, bool color)
{
	struct tm tm;
	time_t sec = (time_t)(l->ts_us / 1000000);
	char ts[32];
	const char *col = "", *tag;
	struct mb_buf txt = MB_BUF_INIT;
	size_t width;

	localtime_r(&sec, &tm);
	strftime(ts, sizeof ts, "%H:%M:%S", &tm);
	switch (l->dir) {
	case MB_TDIR_CLIENT:
		tag = "C:";
		col = C_CLIENT;
		break;
	case MB_TDIR_SERVER:
		tag = "S:";
		col = server_color(l->code, l->flags);
		break;
	case MB_TDIR_TLS:
		tag = "TLS";
		col = (l->flags & MB_TL_WARN) ? C_TEMP C_BOLD : C_TLS;
		break;
	default:
		tag = "*";
		col = (l->flags & MB_TL_ERROR)  ? C_PERM C_BOLD
		      : (l->flags & MB_TL_WARN) ? C_TEMP C_BOLD
		                                : C_DIM;
		break;
	}
	mb_sanitize_add(&txt, l->text, l->len, MB_SANITIZE_LINE);
	mb_buf_addf(out, "%s%s.%03d%s %s%-3s %s%s", color ? C_DIM : "", ts,
	            (int)(l->ts_us / 1000 % 1000), color ? C_RESET : "", color ? col : "", tag,
	            txt.data, color ? C_RESET : "");
	if (l->meaning != NULL || l->rtt_ms >= 0) {
		/* the notes line up in a column while the lines are short */
		width = 17 + mb_display_width(txt.data, txt.len);
		if (width < 70)
			mb_buf_addf(out, "%*s", (int)(70 - width), "");
		mb_buf_addf(out, "%s  <- ", color ? C_DIM : "");
		if (l->meaning != NULL)
			mb_sanitize_add(out, l->meaning, strlen(l->meaning), MB_SANITIZE_LINE);
		if (l->rtt_ms >= 0)
			mb_buf_addf(out, "%s(%d ms)", l->meaning ? " " : "", l->rtt_ms);
		if (color)
			mb_buf_addstr(out, C_RESET);
	}
	mb_buf_release(&txt);
	mb_buf_addch(out, '\n');
}

void
mb_tprint_sink(void *ctx, const struct mb_tline *tl)
{
	struct mb_tprinter *p = ctx;
	struct mb_tprint_line l;
	struct mb_buf b = MB_BUF_INIT;

	if (p->quiet && !(tl->flags & (MB_TL_ERROR | MB_TL_WARN)))
		return;
	l.dir = tl->dir;
	l.ts_us = tl->ts_us;
	l.text = tl->text;
	l.len = tl->len;
	l.code = tl->code;
	l.meaning = tl->meaning;
	l.rtt_ms = tl->rtt_ms;
	l.flags = tl->flags;
	mb_tprint_format(&b, &l, p->color);
	fwrite(b.data, 1, b.len, p->f);
	fflush(p->f);
	mb_buf_release(&b);
}

/* Markdown: a table row, with the pipes in the text escaped. */
void
mb_tprint_markdown_row(struct mb_buf *out, const struct mb_tprint_line *l)
{
	struct mb_buf t = MB_BUF_INIT;
	struct tm tm;
	time_t sec = (time_t)(l->ts_us / 1000000);
	char ts[32];
	size_t i;

	localtime_r(&sec, &tm);
	strftime(ts, sizeof ts, "%H:%M:%S", &tm);
	mb_sanitize_add(&t, l->text, l->len, MB_SANITIZE_LINE);
	mb_buf_addf(out, "| %s.%03d | %s | `", ts, (int)(l->ts_us / 1000 % 1000),
	            l->dir == MB_TDIR_CLIENT   ? "C"
	            : l->dir == MB_TDIR_SERVER ? "S"
	            : l->dir == MB_TDIR_TLS    ? "TLS"
	                                       : "*");
	for (i = 0; i < t.len; i++) {
		if (t.data[i] == '|')
			mb_buf_addstr(out, "\\|");
		else if (t.data[i] == '`')
			mb_buf_addstr(out, "'");
		else
			mb_buf_addch(out, t.data[i]);
	}
	mb_buf_addstr(out, "` | ");
	if (l->meaning != NULL) {
		mb_buf_reset(&t);
		mb_sanitize_add(&t, l->meaning, strlen(l->meaning), MB_SANITIZE_LINE);
		for (i = 0; i < t.len; i++)
			if (t.data[i] == '|')
				mb_buf_addstr(out, "\\|");
			else
				mb_buf_addch(out, t.data[i]);
	}
	if (l->rtt_ms >= 0)
		mb_buf_addf(out, "%s%d ms", l->meaning ? ", " : "", l->rtt_ms);
	mb_buf_addstr(out, " |\n");
	mb_buf_release(&t);
}
