/*
 * test_password_prompt.c: a helper for test_password.sh. Asks for the
 * password of an account without password or password_command (so on the
 * terminal) and prints whether it matched argv[1] (never the password),
 * whether the terminal settings came back as they were, and the error.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "mailbench/config.h"

/* The terminal's settings now; 0 or -1. */
static int
tty_state(struct termios *t)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY), r;

	if (fd < 0)
		return -1;
	r = tcgetattr(fd, t);
	close(fd);
	return r;
}

int
main(int argc, char **argv)
{
	struct mb_account a;
	struct mb_error err = MB_ERROR_INIT;
	struct termios before, after;
	char *pw = NULL;
	int r, restored;

	if (argc != 2) {
		fprintf(stderr, "usage: test_password_prompt EXPECTED\n");
		return 2;
	}
	memset(&a, 0, sizeof a);
	a.name = (char *)"acct";
	a.user = (char *)"alice";
	a.smtp.host = (char *)"mx.test";
	if (tty_state(&before) < 0) {
		printf("RESULT NOTTY\n");
		return 1;
	}
	r = mb_account_password(&a, "smtp", &pw, &err);
	restored = tty_state(&after) == 0 && before.c_lflag == after.c_lflag &&
	           before.c_iflag == after.c_iflag && before.c_oflag == after.c_oflag &&
	           memcmp(before.c_cc, after.c_cc, sizeof before.c_cc) == 0;
	printf("RESULT %s %s TTY-%s\n",
	       r == 0 ? (strcmp(pw, argv[1]) == 0 ? "MATCH" : "MISMATCH") : "ERROR",
	       r == 0 ? "-" : mb_err_name(err.kind), restored ? "RESTORED" : "CHANGED");
	if (r < 0)
		printf("MSG %s\n", err.msg);
	mb_password_free(pw);
	fflush(stdout);
	return 0;
}
