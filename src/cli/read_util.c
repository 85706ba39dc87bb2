/*
 * read_util.c: helpers of the reading commands (see read.h): ids and counts
 * on the command line, table cells fitted to the terminal, times, sizes, and
 * the JSON, TSV and Markdown escapers.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/read.h"
#include "mailbench/cli.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"

/* Parse a decimal number from 0 to max; -1 when s is not one. */
static int
parse_num(const char *s, long long max, long long *out)
{
	long long v = 0;
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > 19)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (max - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

int
mb_cli_parse_id(const char *cmd, const char *what, const char *s, int64_t *id)
{
	long long v;

	if (parse_num(s, LLONG_MAX, &v) < 0 || v == 0)
		return mb_cli_usage_error(cmd, "%s needs a positive number, not '%s'", what, s);
	*id = (int64_t)v;
	return 0;
}

int
mb_cli_parse_count(const char *cmd, const char *what, const char *s, long max, long *out)
{
	long long v;

	if (parse_num(s, max, &v) < 0)
		return mb_cli_usage_error(cmd, "%s needs a number from 0 to %ld, not '%s'", what,
		                          max, s);
	*out = (long)v;
	return 0;
}

size_t
mb_cli_term_width(FILE *f)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");
	long long v;
	size_t w = 80;

	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		w = ws.ws_col;
	else if (c != NULL && parse_num(c, 100000, &v) == 0 && v > 0)
		w = (size_t)v;
	return w < 20 ? 20 : w;
}

void
mb_cli_cell(struct mb_buf *out, const char *s, size_t cols)
{
	char *clean = mb_sanitize(s, MB_SANITIZE_LINE);
	char *fit = mb_width_fit(clean, cols);

	mb_buf_addstr(out, fit);
	free(fit);
	free(clean);
}

void
mb_cli_cell_last(struct mb_buf *out, const char *s, size_t cols)
{
	char *clean = mb_sanitize(s, MB_SANITIZE_LINE);

	if (mb_display_width(clean, strlen(clean)) > cols) {
		char *fit = mb_width_fit(clean, cols);
		size_t n = strlen(fit);

		/* a wide character that did not fit leaves padding: no blanks at a line's end */
		while (n > 0 && fit[n - 1] == ' ')
			n--;
		mb_buf_add(out, fit, n);
		free(fit);
	} else {
		mb_buf_addstr(out, clean);
	}
	free(clean);
}

void
mb_cli_cell_right(struct mb_buf *out, const char *s, size_t cols)
{
	char *clean = mb_sanitize(s, MB_SANITIZE_LINE);
	size_t w = mb_display_width(clean, strlen(clean));

	if (w >= cols) {
		char *fit = mb_width_fit(clean, cols);

		mb_buf_addstr(out, fit);
		free(fit);
	} else {
		mb_buf_addf(out, "%*s%s", (int)(cols - w), "", clean);
	}
	free(clean);
}

void
mb_cli_wrap(struct mb_buf *out, const char *s, size_t indent, size_t width)
{
	char *clean = mb_sanitize(s, MB_SANITIZE_LINE);
	size_t room = width > indent + 20 ? width - indent : 20, col = 0;
	const char *p = clean;

	while (*p == ' ')
		p++;
	while (*p) {
		size_t n = strcspn(p, " "), w = mb_display_width(p, n);

		if (col > 0 && col + 1 + w > room) {
			mb_buf_addch(out, '\n');
			col = 0;
		}
		if (col == 0) {
			mb_buf_addf(out, "%*s", (int)indent, "");
		} else {
			mb_buf_addch(out, ' ');
			col++;
		}
		if (w > room) {
			/* a word wider than a line: cut it where the line ends */
			size_t cut = mb_width_truncate(p, n, room - col, &w);

			mb_buf_add(out, p, cut);
			mb_buf_addch(out, '\n');
			col = 0;
			p += cut;
			continue;
		}
		mb_buf_add(out, p, n);
		col += w;
		p += n;
		while (*p == ' ')
			p++;
	}
	if (col > 0)
		mb_buf_addch(out, '\n');
	free(clean);
}

void
mb_cli_time(char *buf, size_t len, int64_t t, int with_seconds)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || localtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, with_seconds ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M", &tm);
}

void
mb_cli_time_iso(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "1970-01-01T00:00:00Z");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
mb_cli_size(char *buf, size_t len, int64_t bytes)
{
	static const char units[] = "KMGT";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%lld", (long long)(bytes < 0 ? 0 : bytes));
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (v < 9.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}

/* Is cp a control character (C0, DEL, C1)? */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* \uXXXX, or a surrogate pair beyond the BMP. */
static void
json_u(struct mb_buf *out, uint32_t cp)
{
	if (cp > 0xFFFF) {
		cp -= 0x10000;
		mb_buf_addf(out, "\\u%04x\\u%04x", (unsigned)(0xD800 + (cp >> 10)),
		            (unsigned)(0xDC00 + (cp & 0x3FF)));
	} else {
		mb_buf_addf(out, "\\u%04x", (unsigned)cp);
	}
}

void
mb_cli_json_str(struct mb_buf *out, const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	mb_buf_addch(out, '"');
	while (s != NULL && i < len) {
		n = mb_utf8_next(s + i, len - i, &cp);
		if (cp == MB_UTF8_INVALID)
			mb_buf_addstr(out, "\\ufffd");
		else if (cp == '"')
			mb_buf_addstr(out, "\\\"");
		else if (cp == '\\')
			mb_buf_addstr(out, "\\\\");
		else if (cp == '\n')
			mb_buf_addstr(out, "\\n");
		else if (cp == '\r')
			mb_buf_addstr(out, "\\r");
		else if (cp == '\t')
			mb_buf_addstr(out, "\\t");
		else if (cp == '\b')
			mb_buf_addstr(out, "\\b");
		else if (cp == '\f')
			mb_buf_addstr(out, "\\f");
		else if (is_control(cp) || cp == 0x2028 || cp == 0x2029 || mb_cp_hidden(cp))
			json_u(out, cp);
		else
			mb_buf_add(out, s + i, n);
		i += n;
	}
	mb_buf_addch(out, '"');
}

void
mb_cli_tsv_field(struct mb_buf *out, const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (s != NULL && i < len) {
		n = mb_utf8_next(s + i, len - i, &cp);
		if (cp == MB_UTF8_INVALID)
			mb_utf8_add(out, 0xFFFD);
		else if (cp == '\\')
			mb_buf_addstr(out, "\\\\");
		else if (cp == '\t')
			mb_buf_addstr(out, "\\t");
		else if (cp == '\n')
			mb_buf_addstr(out, "\\n");
		else if (cp == '\r')
			mb_buf_addstr(out, "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			mb_buf_addf(out, "\\x%02x", (unsigned)cp);
		else if (is_control(cp) || mb_cp_hidden(cp))
			mb_buf_addf(out, cp > 0xFFFF ? "\\U%08x" : "\\u%04x", (unsigned)cp);
		else
			mb_buf_add(out, s + i, n);
		i += n;
	}
}

void
mb_cli_md_cell(struct mb_buf *out, const char *s)
{
	char *clean;
	size_t i;

	if (s == NULL || *s == '\0') {
		mb_buf_addstr(out, "\xe2\x80\x94");
		return;
	}
	clean = mb_sanitize(s, MB_SANITIZE_LINE);
	for (i = 0; clean[i]; i++) {
		/* CommonMark backslash escapes: no table break, code, emphasis, link or HTML */
		if (strchr("\\|`*_<>[]", clean[i]) != NULL)
			mb_buf_addch(out, '\\');
		mb_buf_addch(out, clean[i]);
	}
	free(clean);
}

int
mb_cli_write(FILE *f, const struct mb_buf *b)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
		return -1;
	return 0;
}
