/*
 * theme.c: colour themes from the themes/NAME.theme files.
 *
 * A theme file has one line per element of the screen:
 *
 *     # comment
 *     element = [foreground [background]] [attribute...]
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black .. bright-white, a number 0..255 (256-colour terminals), or
 * NUMBER/NAME: NUMBER where 256 colours exist, NAME elsewhere. Attributes:
 * bold, dim, underline, reverse, standout, italic, blink, normal. Elements
 * not named keep the built-in default. Without colour (NO_COLOR,
 * --no-color, a terminal such as vt100) the monochrome theme is used, whose
 * lines hold attributes only, so the cursor row and errors stay visible.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

#define THEME_MAX_BYTES (64 * 1024)
#define NO_COLOR_GIVEN  (-2)

struct ui_style {
	short fg, bg;   /* -1 default, 0..255 */
	short fg8, bg8; /* fallback for terminals with fewer colours, NO_COLOR_GIVEN: none */
	attr_t attrs;
};

struct ui_theme {
	char *name;
	struct ui_style st[UI_E_COUNT];
	attr_t resolved[UI_E_COUNT];
};

/* The built-in dark theme and the monochrome attributes, per element. */
struct elem_def {
	const char *name;
	short fg, bg;
	attr_t attrs;
	attr_t mono;
};

#define DEF_ -1
static const struct elem_def defs[UI_E_COUNT] = {
        [UI_E_NORMAL] = {"normal", DEF_, DEF_, 0, 0},
        [UI_E_TITLE] = {"title", COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD},
        [UI_E_HINT] = {"hint", COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
        [UI_E_STATUS] = {"status", COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE},
        [UI_E_STATUS_ERROR] = {"status_error", COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD},
        [UI_E_STATUS_OK] = {"status_ok", COLOR_BLACK, COLOR_GREEN, 0, A_REVERSE | A_BOLD},
        [UI_E_STATUS_WARN] = {"status_warn", COLOR_BLACK, COLOR_YELLOW, A_BOLD,
                              A_BOLD | A_UNDERLINE},
        [UI_E_BORDER] = {"border", COLOR_BLUE, DEF_, 0, 0},
        [UI_E_PANE_TITLE] = {"pane_title", COLOR_CYAN, DEF_, A_BOLD, A_BOLD},
        [UI_E_PANE_TITLE_FOCUS] = {"pane_title_focus", COLOR_BLACK, COLOR_CYAN, A_BOLD,
                                   A_REVERSE | A_BOLD},
        [UI_E_SELECTED] = {"selected", COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
        [UI_E_SELECTED_DIM] = {"selected_dim", COLOR_BLACK, COLOR_WHITE, 0, A_UNDERLINE},
        [UI_E_COLUMN] = {"column", COLOR_CYAN, DEF_, A_UNDERLINE, A_UNDERLINE},
        [UI_E_UNREAD] = {"unread", DEF_, DEF_, A_BOLD, A_BOLD},
        [UI_E_FLAGGED] = {"flagged", COLOR_RED, DEF_, A_BOLD, A_BOLD},
        [UI_E_DELETED] = {"deleted", COLOR_BLUE, DEF_, A_DIM, A_DIM},
        [UI_E_HEADER_NAME] = {"header_name", COLOR_CYAN, DEF_, A_BOLD, A_BOLD},
        [UI_E_HEADER_VALUE] = {"header_value", DEF_, DEF_, 0, 0},
        [UI_E_SUBJECT] = {"subject", DEF_, DEF_, A_BOLD, A_BOLD},
        [UI_E_QUOTE] = {"quote", COLOR_GREEN, DEF_, 0, A_DIM},
        [UI_E_ATTACHMENT] = {"attachment", COLOR_MAGENTA, DEF_, 0, A_UNDERLINE},
        [UI_E_CTRL] = {"ctrl", COLOR_YELLOW, DEF_, A_BOLD, A_BOLD},
        [UI_E_EOL] = {"eol", COLOR_BLUE, DEF_, 0, A_DIM},
        [UI_E_DIM] = {"dim", DEF_, DEF_, A_DIM, A_DIM},
        [UI_E_TAB] = {"tab", DEF_, DEF_, 0, 0},
        [UI_E_TAB_ACTIVE] = {"tab_active", COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD},
        [UI_E_T_TIME] = {"t_time", COLOR_BLUE, DEF_, 0, A_DIM},
        [UI_E_T_CLIENT] = {"t_client", COLOR_CYAN, DEF_, A_BOLD, A_BOLD},
        [UI_E_T_SERVER_OK] = {"t_server_ok", COLOR_GREEN, DEF_, 0, 0},
        [UI_E_T_SERVER_TEMP] = {"t_server_temp", COLOR_YELLOW, DEF_, 0, A_UNDERLINE},
        [UI_E_T_SERVER_PERM] = {"t_server_perm", COLOR_RED, DEF_, A_BOLD, A_BOLD | A_UNDERLINE},
        [UI_E_T_INFO] = {"t_info", DEF_, DEF_, A_DIM, A_DIM},
        [UI_E_T_TLS] = {"t_tls", COLOR_MAGENTA, DEF_, A_BOLD, A_BOLD},
        [UI_E_T_WARN] = {"t_warn", COLOR_YELLOW, DEF_, A_BOLD, A_BOLD | A_UNDERLINE},
        [UI_E_T_ERROR] = {"t_error", COLOR_RED, DEF_, A_BOLD, A_REVERSE},
        [UI_E_T_MEANING] = {"t_meaning", DEF_, DEF_, A_DIM, A_DIM},
        [UI_E_T_SUMMARY] = {"t_summary", COLOR_BLUE, DEF_, A_BOLD, A_UNDERLINE},
        [UI_E_T_SESSION] = {"t_session", COLOR_CYAN, DEF_, A_BOLD, A_BOLD},
        [UI_E_ENV_SAME] = {"env_same", COLOR_GREEN, DEF_, 0, 0},
        [UI_E_ENV_DIFF] = {"env_diff", COLOR_YELLOW, DEF_, A_BOLD, A_BOLD | A_REVERSE},
        [UI_E_ENV_EXPLAIN] = {"env_explain", COLOR_YELLOW, DEF_, 0, A_BOLD},
        [UI_E_ERROR] = {"error", COLOR_RED, DEF_, A_BOLD, A_BOLD},
        [UI_E_WARN] = {"warn", COLOR_YELLOW, DEF_, A_BOLD, A_BOLD},
        [UI_E_OK] = {"ok", COLOR_GREEN, DEF_, 0, 0},
        [UI_E_HELP_KEY] = {"help_key", COLOR_CYAN, DEF_, A_BOLD, A_BOLD},
        [UI_E_PROMPT] = {"prompt", DEF_, DEF_, A_BOLD, A_BOLD},
        [UI_E_INPUT] = {"input", DEF_, DEF_, A_UNDERLINE, A_UNDERLINE},
        [UI_E_MATCH] = {"match", COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE | A_UNDERLINE},
};

static const char *const color_names[] = {"black", "red",     "green", "yellow",
                                          "blue",  "magenta", "cyan",  "white"};

static const struct {
	const char *name;
	attr_t attr;
} attr_names[] = {
        {"bold", A_BOLD},       {"dim", A_DIM},           {"underline", A_UNDERLINE},
        {"reverse", A_REVERSE}, {"standout", A_STANDOUT}, {"italic", A_ITALIC},
        {"blink", A_BLINK},     {"normal", A_NORMAL},
};

const char *
ui_elem_name(enum ui_elem e)
{
	return e < UI_E_COUNT ? defs[e].name : "?";
}

static struct ui_theme *
theme_new(const char *name, bool mono)
{
	struct ui_theme *t = xcalloc(1, sizeof *t);
	int e;

	t->name = xstrdup(name);
	for (e = 0; e < UI_E_COUNT; e++) {
		t->st[e].fg = mono ? -1 : defs[e].fg;
		t->st[e].bg = mono ? -1 : defs[e].bg;
		t->st[e].fg8 = t->st[e].bg8 = NO_COLOR_GIVEN;
		t->st[e].attrs = mono ? defs[e].mono : defs[e].attrs;
	}
	return t;
}

void
ui_theme_free(struct ui_theme *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t);
}

/* A colour name: -1 default, 0..15; -3 when it is not one. */
static int
color_by_name(const char *s)
{
	size_t i;
	bool bright = false;

	if (strcasecmp(s, "default") == 0)
		return -1;
	if (strncasecmp(s, "bright-", 7) == 0) {
		bright = true;
		s += 7;
	} else if (strncasecmp(s, "bright", 6) == 0) {
		bright = true;
		s += 6;
	}
	for (i = 0; i < 8; i++)
		if (strcasecmp(s, color_names[i]) == 0)
			return (int)i + (bright ? 8 : 0);
	return -3;
}

/* A colour token: "red", "214", "214/yellow". Returns 0, or -1 with a message in why. */
static int
parse_color(const char *tok, short *c, short *c8, char *why, size_t whysize)
{
	char buf[64], *slash, *end;
	long n;
	int v;

	snprintf(buf, sizeof buf, "%s", tok);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	*c8 = NO_COLOR_GIVEN;
	if (isdigit((unsigned char)buf[0])) {
		errno = 0;
		n = strtol(buf, &end, 10);
		if (*end != '\0' || errno != 0)
			return snprintf(why, whysize, "unknown colour or attribute '%s'", tok), -1;
		if (n > 255)
			return snprintf(why, whysize, "colour number %ld is out of range (0-255)",
			                n),
			       -1;
		*c = (short)n;
	} else {
		v = color_by_name(buf);
		if (v == -3)
			return snprintf(why, whysize, "unknown colour or attribute '%s'", tok), -1;
		*c = (short)v;
	}
	if (slash != NULL) {
		v = color_by_name(slash);
		if (v == -3)
			return snprintf(why, whysize, "unknown fallback colour '%s' in '%s'", slash,
			                tok),
			       -1;
		*c8 = (short)v;
	}
	return 0;
}

static bool
parse_attr(const char *tok, attr_t *a)
{
	size_t i;

	for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (strcasecmp(tok, attr_names[i].name) == 0) {
			*a |= attr_names[i].attr;
			return true;
		}
	return false;
}

static int
elem_by_name(const char *s)
{
	int e;

	for (e = 0; e < UI_E_COUNT; e++)
		if (strcmp(s, defs[e].name) == 0)
			return e;
	return -1;
}

/* One "element = ..." line; why gets the problem. */
static int
parse_line(struct ui_theme *t, char *line, char *why, size_t whysize)
{
	char *eq = strchr(line, '='), *name, *tok, *save = NULL, *end;
	struct ui_style st = {-1, -1, NO_COLOR_GIVEN, NO_COLOR_GIVEN, 0};
	int e, ncolors = 0;

	if (eq == NULL)
		return snprintf(why, whysize, "expected 'element = colours and attributes'"), -1;
	*eq = '\0';
	name = line;
	while (isspace((unsigned char)*name))
		name++;
	end = name + strlen(name);
	while (end > name && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (*name == '\0')
		return snprintf(why, whysize, "expected 'element = colours and attributes'"), -1;
	e = elem_by_name(name);
	if (e < 0)
		return snprintf(why, whysize, "unknown element '%.64s'", name), -1;
	for (tok = strtok_r(eq + 1, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (parse_attr(tok, &st.attrs))
			continue;
		if (ncolors == 2)
			return snprintf(why, whysize, "more than two colours ('%.64s')", tok), -1;
		if (parse_color(tok, ncolors == 0 ? &st.fg : &st.bg,
		                ncolors == 0 ? &st.fg8 : &st.bg8, why, whysize) < 0)
			return -1;
		ncolors++;
	}
	t->st[e] = st;
	return 0;
}

struct ui_theme *
ui_theme_parse(const char *file, const char *text, size_t len, struct mb_error *err)
{
	const char *base = strrchr(file, '/');
	char name[128], why[200], *line, *hash;
	struct ui_theme *t;
	size_t i = 0, j, n, lineno = 0;

	snprintf(name, sizeof name, "%s", base != NULL ? base + 1 : file);
	if ((line = strstr(name, ".theme")) != NULL)
		*line = '\0';
	t = theme_new(name, strcmp(name, "monochrome") == 0);
	while (i < len) {
		for (j = i; j < len && text[j] != '\n'; j++)
			;
		lineno++;
		line = xmemdup0(text + i, j - i);
		n = j - i;
		i = j + 1;
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0'; /* CRLF files are fine */
		if (strlen(line) != n || strchr(line, '\r') != NULL) {
			mb_error_set(err, MB_ERR_CONFIG, "%s:%zu: control character in line", file,
			             lineno);
			free(line);
			ui_theme_free(t);
			return NULL;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (j = 0; isspace((unsigned char)line[j]); j++)
			;
		if (line[j] == '\0' || line[j] == ';') {
			free(line);
			continue;
		}
		if (parse_line(t, line, why, sizeof why) < 0) {
			mb_error_set(err, MB_ERR_CONFIG, "%s:%zu: %s", file, lineno, why);
			free(line);
			ui_theme_free(t);
			return NULL;
		}
		free(line);
	}
	return t;
}

/* Read a theme file (at most THEME_MAX_BYTES). 1: read, 0: no such file, -1: error. */
static int
read_file(const char *path, struct mb_buf *out, struct mb_error *err)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return mb_error_set(err, MB_ERR_CONFIG, "cannot open theme '%s': %s", path,
		                    strerror(errno));
	}
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		if (out->len + (size_t)n > THEME_MAX_BYTES) {
			close(fd);
			return mb_error_set(err, MB_ERR_CONFIG,
			                    "theme '%s' is larger than %d bytes", path,
			                    THEME_MAX_BYTES);
		}
		mb_buf_add(out, buf, (size_t)n);
	}
	close(fd);
	if (n < 0)
		return mb_error_set(err, MB_ERR_CONFIG, "cannot read theme '%s': %s", path,
		                    strerror(errno));
	return 1;
}

static bool
valid_name(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 64)
		return false;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

struct ui_theme *
ui_theme_load(const char *name, struct mb_error *err)
{
	struct mb_buf b = MB_BUF_INIT;
	struct ui_theme *t = NULL;
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *paths[3] = {NULL, NULL, NULL};
	size_t i;
	int r = 0;

	if (strchr(name, '/') != NULL) {
		r = read_file(name, &b, err);
		if (r == 0)
			mb_error_set(err, MB_ERR_CONFIG, "cannot open theme '%s': no such file",
			             name);
		if (r > 0)
			t = ui_theme_parse(name, b.data, b.len, err);
		mb_buf_release(&b);
		return t;
	}
	if (!valid_name(name)) {
		mb_error_set(err, MB_ERR_CONFIG, "bad theme name '%.64s' (letters, digits, - _ .)",
		             name);
		return NULL;
	}
	if (x != NULL && x[0] == '/')
		paths[0] = xasprintf("%s/mailbench/themes/%s.theme", x, name);
	else if (home != NULL && home[0] != '\0')
		paths[0] = xasprintf("%s/.config/mailbench/themes/%s.theme", home, name);
	paths[1] = xasprintf("%s/themes/%s.theme", MB_DATADIR, name);
	paths[2] = xasprintf("%s/themes/%s.theme", MB_SRCDIR, name);
	for (i = 0; i < 3 && r == 0; i++) {
		if (paths[i] == NULL)
			continue;
		r = read_file(paths[i], &b, err);
		if (r > 0)
			t = ui_theme_parse(paths[i], b.data, b.len, err);
	}
	if (r == 0) {
		if (strcmp(name, "dark") == 0 || strcmp(name, "default") == 0)
			t = theme_new("dark", false);
		else if (strcmp(name, "monochrome") == 0 || strcmp(name, "mono") == 0)
			t = theme_new("monochrome", true);
		else
			mb_error_set(err, MB_ERR_CONFIG,
			             "no theme '%s': themes are dark, light, high-contrast, "
			             "monochrome, or files NAME.theme in %s/themes",
			             name, MB_DATADIR);
	}
	for (i = 0; i < 3; i++)
		free(paths[i]);
	mb_buf_release(&b);
	return t;
}

/* The nearest of the 8 basic colours to a 256-colour value. */
static short
nearest8(short c)
{
	int r, g, b, v;

	if (c < 8)
		return c;
	if (c < 16)
		return (short)(c - 8);
	if (c >= 232) {
		v = (c - 232) * 10 + 8;
		return v < 128 ? COLOR_BLACK : COLOR_WHITE;
	}
	c = (short)(c - 16);
	r = c / 36;
	g = (c / 6) % 6;
	b = c % 6;
	return (short)((r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0));
}

/* A colour for this terminal; *bold set when brightness must come from A_BOLD. */
static short
resolve(short c, short c8, bool *bold)
{
	if (c < 0)
		return -1;
	if (COLORS >= 256 || c < COLORS)
		return c;
	if (c8 != NO_COLOR_GIVEN)
		return c8 >= 8 && COLORS < 16 ? (*bold = true, (short)(c8 - 8)) : c8;
	if (c >= 8 && c < 16) {
		*bold = true;
		return (short)(c - 8);
	}
	return nearest8(c);
}

void
ui_theme_apply(struct ui_theme *t, bool color)
{
	int e;
	short fg, bg;
	bool bold, bgbold;

	for (e = 0; e < UI_E_COUNT; e++) {
		t->resolved[e] = t->st[e].attrs;
		if (!color || e + 1 >= COLOR_PAIRS)
			continue;
		bold = bgbold = false;
		fg = resolve(t->st[e].fg, t->st[e].fg8, &bold);
		bg = resolve(t->st[e].bg, t->st[e].bg8, &bgbold);
		if (init_pair((short)(e + 1), fg, bg) == OK)
			t->resolved[e] |= COLOR_PAIR(e + 1);
		if (bold)
			t->resolved[e] |= A_BOLD;
	}
}

attr_t
ui_attr(struct ui *ui, enum ui_elem e)
{
	if (ui->theme == NULL || e >= UI_E_COUNT)
		return A_NORMAL;
	return ui->theme->resolved[e];
}

void
ui_set(struct ui *ui, WINDOW *w, enum ui_elem e)
{
	wattrset(w, (int)ui_attr(ui, e));
}
