/*
 * show_parts.c: the MIME side of `mailbench show`: part numbers as IMAP
 * gives them, the --parts table, and --part N --save PATH.
 *
 * Saving is where a hostile message could reach the file system, so the
 * rules are strict: the part's file name only ever becomes one safe path
 * component (mb_filename_safe()), the file is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW relative to the directory's descriptor (never
 * over an existing file, never through a symbolic link: NAME-1, NAME-2...
 * instead), mode 0600.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/read.h"
#include "mailbench/cli.h"
#include "mailbench/fileio.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"

#define SAVE_MAX_SUFFIX 1000 /* name-1 .. name-1000, then give up */

/* --- part numbers --- */

/* IMAP's part number (see read.h). */
char *
mb_show_part_number(const struct mb_mime_part *p)
{
	char *id = mb_mime_part_id(p), *s;

	if (p->kind == MB_PART_MULTIPART)
		return id;
	if (p->parent == NULL) {
		free(id);
		return xstrdup("1");
	}
	if (p->parent->kind == MB_PART_MESSAGE) {
		s = xasprintf("%s%s1", id, id[0] ? "." : "");
		free(id);
		return s;
	}
	return id;
}

static const struct mb_mime_part *
find_part(const struct mb_mime_tree *t, const char *num)
{
	size_t i;

	for (i = 0; i < t->nparts; i++) {
		char *n = mb_show_part_number(t->parts[i]);
		bool hit = strcmp(n, num) == 0;

		free(n);
		if (hit)
			return t->parts[i];
	}
	return NULL;
}

static const char *
cte_name(const struct mb_mime_part *p)
{
	switch (p->cte) {
	case MB_CTE_7BIT:
		return "7bit";
	case MB_CTE_8BIT:
		return "8bit";
	case MB_CTE_BINARY:
		return "binary";
	case MB_CTE_QP:
		return "quoted-printable";
	case MB_CTE_BASE64:
		return "base64";
	case MB_CTE_UNKNOWN:
		break;
	}
	return "unknown";
}

/* --- --parts --- */

void
mb_show_parts(struct mb_buf *b, const struct mb_buf *raw, size_t width)
{
	struct mb_mime_tree *t = mb_mime_parse(raw->data, raw->len);
	size_t i, wnum = 4, wtype = 4, wenc = 8, wcs = 7, wsize = 4, used;
	char **nums = xcalloc(t->nparts + 1, sizeof *nums), **sizes;

	sizes = xcalloc(t->nparts + 1, sizeof *sizes);
	for (i = 0; i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];
		size_t tw = p->depth * 2 + strlen(p->type) + 1 + strlen(p->subtype);

		/* a multipart that is a whole message shares its number: shown as "-" */
		if (p->kind == MB_PART_MULTIPART &&
		    (p->parent == NULL || p->parent->kind == MB_PART_MESSAGE))
			nums[i] = xstrdup("-");
		else
			nums[i] = mb_show_part_number(p);
		if (p->kind != MB_PART_MULTIPART && p->kind != MB_PART_LIMIT)
			sizes[i] = xasprintf("%zu", mb_mime_part_decoded_size(t, p));
		else
			sizes[i] = xstrdup("");
		wnum = strlen(nums[i]) > wnum ? strlen(nums[i]) : wnum;
		wtype = tw > wtype ? tw : wtype;
		if (p->kind != MB_PART_MULTIPART && strlen(cte_name(p)) > wenc)
			wenc = strlen(cte_name(p));
		if (p->charset && mb_display_width(p->charset, strlen(p->charset)) > wcs)
			wcs = mb_display_width(p->charset, strlen(p->charset));
		wsize = strlen(sizes[i]) > wsize ? strlen(sizes[i]) : wsize;
	}
	wnum = wnum > 16 ? 16 : wnum;
	wtype = wtype > 40 ? 40 : wtype;
	wcs = wcs > 16 ? 16 : wcs;
	used = wnum + 2 + wtype + 2 + wenc + 2 + wcs + 2 + wsize + 2;
	mb_cli_cell(b, "PART", wnum);
	mb_buf_addstr(b, "  ");
	mb_cli_cell(b, "TYPE", wtype);
	mb_buf_addstr(b, "  ");
	mb_cli_cell(b, "ENCODING", wenc);
	mb_buf_addstr(b, "  ");
	mb_cli_cell(b, "CHARSET", wcs);
	mb_buf_addstr(b, "  ");
	mb_cli_cell_right(b, "SIZE", wsize);
	mb_buf_addstr(b, "  FILE NAME\n");
	for (i = 0; i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];
		char *type = xasprintf("%*s%s/%s", (int)(p->depth * 2), "", p->type, p->subtype);
		struct mb_buf name = MB_BUF_INIT;
		char *clean;

		mb_cli_cell(b, nums[i], wnum);
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, type, wtype);
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, p->kind == MB_PART_MULTIPART ? "" : cte_name(p), wenc);
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, p->charset ? p->charset : "", wcs);
		mb_buf_addstr(b, "  ");
		mb_cli_cell_right(b, sizes[i], wsize);
		mb_buf_addstr(b, "  ");
		if (p->filename)
			mb_buf_addstr(&name, p->filename);
		else if (mb_mime_part_is_attachment(p))
			mb_buf_addstr(&name, "(attachment, no name)");
		if (p->flags & MB_PART_UNCLOSED)
			mb_buf_addstr(&name, " [never closed]");
		if (p->flags & MB_PART_BAD_MULTIPART)
			mb_buf_addstr(&name, " [bad multipart: read as text]");
		if (p->flags & MB_PART_BAD_TYPE)
			mb_buf_addstr(&name, " [unreadable Content-Type]");
		if (p->kind == MB_PART_LIMIT)
			mb_buf_addstr(&name, " [not parsed: limit]");
		clean = mb_sanitize(name.data, MB_SANITIZE_LINE);
		if (used + mb_display_width(clean, strlen(clean)) <= width) {
			mb_buf_addstr(b, clean);
		} else {
			/* too long for the row: on a line of its own, whole if it fits */
			while (b->len > 0 && b->data[b->len - 1] == ' ')
				mb_buf_truncate(b, b->len - 1);
			mb_buf_addf(b, "\n%*sfile name: ", (int)(wnum + 2), "");
			mb_cli_cell_last(b, clean, width > wnum + 14 + 20 ? width - wnum - 14 : 20);
		}
		free(clean);
		/* a table row never ends in blanks */
		while (b->len > 0 && b->data[b->len - 1] == ' ')
			mb_buf_truncate(b, b->len - 1);
		mb_buf_addch(b, '\n');
		mb_buf_release(&name);
		free(type);
	}
	if (t->nskipped)
		mb_buf_addf(b, "[%zu more parts not parsed: over the limit of %d]\n", t->nskipped,
		            MB_MIME_MAX_PARTS);
	mb_strv_free(nums);
	mb_strv_free(sizes);
	mb_mime_free(t);
}

/* --- --part N --save PATH --- */

/* "name-k.ext" from "name.ext" (the extension: after the last dot, not a leading one). */
static char *
with_suffix(const char *name, unsigned k)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL || dot == name || strlen(dot) > 17)
		return xasprintf("%s-%u", name, k);
	return xasprintf("%.*s-%u%s", (int)(dot - name), name, k, dot);
}

/* Write all of buf to fd. */
/*
 * Create a new file for name in directory dfd: never over an existing file,
 * never through a symbolic link; name-1, name-2... when taken. *used gets
 * the name chosen.
 */
static int
create_new(int dfd, const char *name, char **used, struct mb_error *err)
{
	unsigned k;
	int fd;

	for (k = 0; k <= SAVE_MAX_SUFFIX; k++) {
		char *cand = k == 0 ? xstrdup(name) : with_suffix(name, k);

		fd = openat(dfd, cand, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*used = cand;
			return fd;
		}
		free(cand);
		if (errno != EEXIST)
			return mb_error_set(err, MB_ERR_IO, "cannot create '%s': %s", name,
			                    strerror(errno));
	}
	return mb_error_set(err, MB_ERR_IO, "cannot create '%s': it and %d numbered variants exist",
	                    name, SAVE_MAX_SUFFIX);
}

static int
save_part(const struct mb_mime_tree *t, const struct mb_mime_part *p, const char *num,
          const char *path)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_buf data = MB_BUF_INIT;
	struct stat sb;
	char *dir, *name, *ctype = xasprintf("%s/%s", p->type, p->subtype), *used = NULL;
	const char *base, *slash;
	int dfd = -1, fd = -1, rc = MB_EXIT_FAIL;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		dir = xstrdup(path);
		name = mb_filename_safe(p->filename, ctype, (unsigned)p->index);
	} else {
		slash = strrchr(path, '/');
		base = slash ? slash + 1 : path;
		if (*base == '\0') {
			mb_cli_err("show", "cannot save to '%s': no such directory", path);
			free(ctype);
			return MB_EXIT_FAIL;
		}
		dir = slash == NULL   ? xstrdup(".")
		      : slash == path ? xstrdup("/")
		                      : xstrndup(path, (size_t)(slash - path));
		name = mb_filename_safe(base, ctype, (unsigned)p->index);
	}
	/* mb_filename_safe() promises one plain component; check it all the same */
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		mb_cli_err("show", "refusing the file name '%s'", name);
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		mb_cli_err("show", "cannot save in '%s': %s", dir, strerror(errno));
		goto out;
	}
	mb_mime_part_decode(t, p, &data);
	if ((fd = create_new(dfd, name, &used, &err)) < 0) {
		mb_cli_err("show", "%s in '%s'", err.msg, dir);
		goto out;
	}
	if (mb_write_all(fd, data.data, data.len) < 0 || close(fd) < 0) {
		int e = errno;

		fd = -1;
		unlinkat(dfd, used, 0);
		mb_cli_err("show", "cannot write '%s/%s': %s", dir, used, strerror(e));
		goto out;
	}
	fd = -1;
	{
		char *where =
		        xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", used);
		char *shown = mb_sanitize(where, MB_SANITIZE_LINE);

		printf("saved part %s (%s, %zu bytes) as %s\n", num, ctype, data.len, shown);
		free(shown);
		free(where);
	}
	rc = MB_EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	mb_buf_release(&data);
	free(used);
	free(name);
	free(dir);
	free(ctype);
	return rc;
}

int
mb_show_save(const struct mb_buf *raw, int64_t id, const char *part, const char *path)
{
	struct mb_mime_tree *t = mb_mime_parse(raw->data, raw->len);
	const struct mb_mime_part *p = find_part(t, part);
	int rc;

	if (p == NULL) {
		mb_cli_err("show",
		           "message %lld has no part '%s' (see mailbench show %lld --parts)",
		           (long long)id, part, (long long)id);
		rc = MB_EXIT_NOTFOUND;
	} else if (p->kind == MB_PART_MULTIPART || p->kind == MB_PART_LIMIT) {
		mb_cli_err("show", "part %s of message %lld is a %s: save the parts inside it",
		           part, (long long)id,
		           p->kind == MB_PART_LIMIT ? "part mailbench did not parse" : "multipart");
		rc = MB_EXIT_USAGE;
	} else {
		rc = save_part(t, p, part, path);
	}
	mb_mime_free(t);
	return rc;
}
