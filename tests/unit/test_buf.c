/* Unit tests: src/util (buf, error, xalloc). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"
#include "mailbench/fileio.h"
#include "mailbench/xalloc.h"
#include "tap.h"

static void
test_buf(void)
{
	struct mb_buf b = MB_BUF_INIT;
	char *p;
	size_t len;
	int i;

	is_str(b.data, "", "a new buffer prints as empty");
	is_int(b.len, 0, "a new buffer is empty");
	mb_buf_addstr(&b, "EHLO ");
	mb_buf_addf(&b, "%s\r\n", "mailbench.test");
	is_str(b.data, "EHLO mailbench.test\r\n", "addstr and addf append");
	mb_buf_consume(&b, 5);
	is_str(b.data, "mailbench.test\r\n", "consume drops the front");
	mb_buf_truncate(&b, 9);
	is_str(b.data, "mailbench", "truncate shortens");
	mb_buf_add(&b, "\0x", 2);
	is_int(b.len, 11, "NUL bytes are counted");
	ok(b.data[b.len] == '\0', "the buffer stays NUL-terminated");
	mb_buf_reset(&b);
	for (i = 0; i < 10000; i++)
		mb_buf_addch(&b, 'a' + i % 26);
	is_int(b.len, 10000, "growth over many appends");
	p = mb_buf_detach(&b, &len);
	is_int(len, 10000, "detach hands over the length");
	is_str(b.data, "", "detach leaves the buffer empty");
	free(p);
	p = mb_buf_detach(&b, NULL);
	is_str(p, "", "detaching an empty buffer gives an empty string");
	free(p);
	mb_buf_fit(&b);
	is_int(b.cap, 0, "fitting an empty buffer allocates nothing");
	mb_buf_grow(&b, 1 << 20);
	mb_buf_addstr(&b, "small");
	mb_buf_fit(&b);
	ok(b.cap == 6 && strcmp(b.data, "small") == 0, "fit gives back all but the contents");
	mb_buf_addstr(&b, " and more");
	is_str(b.data, "small and more", "and the buffer grows again from there");
	mb_buf_release(&b);
}

static void
test_error(void)
{
	struct mb_error err = MB_ERROR_INIT;

	is_int(mb_error_set(&err, MB_ERR_CONN, "cannot connect to '%s:%d': %s", "h", 25,
	                    "connection refused"),
	       -1, "mb_error_set returns -1");
	is_str(err.msg, "cannot connect to 'h:25': connection refused", "message is formatted");
	mb_error_prefix(&err, "smtp");
	is_str(err.msg, "smtp: cannot connect to 'h:25': connection refused", "prefix prepends");
	is_int(err.kind, MB_ERR_CONN, "prefix keeps the kind");
	is_int(mb_error_set(NULL, MB_ERR_IO, "x"), -1, "a NULL error is allowed");
	is_str(mb_err_name(MB_ERR_TLS), "tls", "kind names");
	is_str(mb_err_name((enum mb_err)999), "unknown", "unknown kind names");
}

static void
test_xalloc(void)
{
	char *s = xmemdup0("a\0b", 3);

	ok(s[0] == 'a' && s[1] == '\0' && s[2] == 'b' && s[3] == '\0', "xmemdup0 copies NULs");
	free(s);
	s = xstrndup("abcdef", 3);
	is_str(s, "abc", "xstrndup cuts");
	free(s);
	s = xasprintf("%d-%s", 7, "x");
	is_str(s, "7-x", "xasprintf formats");
	free(s);
}

static void
test_write_all(void)
{
	static char big[200000];
	char *back = xmalloc(sizeof big);
	size_t got = 0;
	ssize_t r;
	int fd[2];
	pid_t pid;

	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = 'y';
	ok(pipe(fd) == 0, "a pipe");
	/* more than a pipe holds: the writer loops over short writes while a child reads */
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		_exit(mb_write_all(fd[1], big, sizeof big) == 0 ? 0 : 1);
	}
	close(fd[1]);
	while (got < sizeof big && (r = read(fd[0], back + got, sizeof big - got)) > 0)
		got += (size_t)r;
	close(fd[0]);
	is_int(got, sizeof big, "every byte arrives");
	ok(memcmp(back, big, sizeof big) == 0, "in order");
	{
		int st = -1;

		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mb_write_all returns 0");
	}
	/* a reader that is gone: -1 with errno, no signal */
	signal(SIGPIPE, SIG_IGN);
	ok(pipe(fd) == 0, "another pipe");
	close(fd[0]);
	errno = 0;
	ok(mb_write_all(fd[1], "abc", 3) < 0 && errno == EPIPE, "a closed reader: -1, EPIPE");
	close(fd[1]);
	free(back);
}

int
main(void)
{
	test_buf();
	test_error();
	test_xalloc();
	test_write_all();
	return done_testing();
}
