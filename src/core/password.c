/*
 * password.c: where an account's password comes from (the config file, the
 * first line of password_command's output, or a prompt on the terminal
 * with echo off) and how it is wiped after use.
 *
 * The password never goes to a log or a message: errors name the account
 * and what failed, never the command's output. password_command runs
 * through /bin/sh with our stdin and stderr, so that tools like pass(1)
 * can ask for a passphrase; only its stdout is captured.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/config.h"
#include "mailbench/xalloc.h"

#define PW_MAX            4096             /* bytes kept of the command's output */
#define PW_DRAIN_MAX      (1024 * 1024)    /* output read and dropped after that */
#define PW_CMD_TIMEOUT_MS (120 * 1000)     /* time for the command, passphrase included */
#define PW_TTY_TIMEOUT_MS (10 * 60 * 1000) /* time for a person at the prompt */
#define PW_POLL_MS        100

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's side: stdout into the pipe, default SIGPIPE, then /bin/sh -c. */
static void __attribute__((noreturn)) run_child(int out, char *const argv[])
{
	struct sigaction sa;

	/* main() ignores SIGPIPE, and ignored signals survive exec */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	if (out == STDOUT_FILENO)
		fcntl(out, F_SETFD, 0);
	else if (dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	execv("/bin/sh", argv);
	_exit(127);
}

/* Wait for pid until deadline, then kill it; 0 and its status, or -1 if it was killed. */
static int
reap(pid_t pid, long long deadline, int *status)
{
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			break;
		poll(NULL, 0, 10);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/*
 * Read the command's stdout into buf (at most PW_MAX bytes, the rest is
 * dropped) until EOF, or until the command has exited and nothing more is
 * waiting (a daemon it started may hold the pipe open). *total counts every
 * byte. Returns 0, or -1 on timeout.
 */
static int
read_output(int fd, pid_t pid, long long deadline, char *buf, size_t *len, size_t *total,
            bool *exited, int *status)
{
	char drop[512];
	struct pollfd pfd;
	ssize_t n;
	int r;

	*exited = false;
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, left < PW_POLL_MS ? (int)left : PW_POLL_MS);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0) {
			/* quiet pipe: is the command done? */
			if (!*exited && waitpid(pid, status, WNOHANG) == pid)
				*exited = true;
			else if (*exited)
				return 0;
			continue;
		}
		if (*len < PW_MAX)
			n = read(fd, buf + *len, PW_MAX - *len);
		else
			n = read(fd, drop, sizeof drop);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (*len < PW_MAX)
			*len += (size_t)n;
		*total += (size_t)n;
		if (*total > PW_DRAIN_MAX)
			break;
	}
	explicit_bzero(drop, sizeof drop);
	return 0;
}

/* Take the first line of out[0..len) as the password. */
static int
first_line(const struct mb_account *acct, const char *out, size_t len, size_t total, char **pw,
           struct mb_error *err)
{
	const char *nl = memchr(out, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - out) : len;

	if (nl == NULL && total > len)
		return mb_error_set(err, MB_ERR_CONFIG,
		                    "password_command of account '%s' printed a line over %d bytes",
		                    acct->name, PW_MAX);
	while (n > 0 && out[n - 1] == '\r')
		n--;
	if (n == 0)
		return mb_error_set(err, MB_ERR_CONFIG,
		                    "password_command of account '%s' printed no password",
		                    acct->name);
	if (memchr(out, '\0', n) != NULL)
		return mb_error_set(err, MB_ERR_CONFIG,
		                    "password_command of account '%s' printed a NUL byte",
		                    acct->name);
	*pw = xmemdup0(out, n);
	return 0;
}

/* Run password_command and keep the first line of its output. */
static int
run_command(const struct mb_account *acct, char **pw, struct mb_error *err)
{
	char *argv[] = {(char *)"sh", (char *)"-c", acct->password_command, NULL};
	char buf[PW_MAX];
	long long deadline = now_ms() + PW_CMD_TIMEOUT_MS;
	size_t len = 0, total = 0;
	bool exited = false, timed_out;
	int fds[2], status = 0, ret = -1;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return mb_error_set(err, MB_ERR_IO,
		                    "cannot run password_command of account '%s': %s", acct->name,
		                    strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		mb_error_set(err, MB_ERR_IO, "cannot run password_command of account '%s': %s",
		             acct->name, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0)
		run_child(fds[1], argv);
	close(fds[1]);
	timed_out = read_output(fds[0], pid, deadline, buf, &len, &total, &exited, &status) < 0;
	close(fds[0]);
	if (!exited && reap(pid, timed_out ? 0 : deadline, &status) < 0)
		timed_out = true;
	if (timed_out)
		mb_error_set(err, MB_ERR_CONFIG,
		             "password_command of account '%s' did not finish within %d s",
		             acct->name, PW_CMD_TIMEOUT_MS / 1000);
	else if (WIFSIGNALED(status))
		mb_error_set(err, MB_ERR_CONFIG,
		             "password_command of account '%s' failed: killed by signal %d",
		             acct->name, WTERMSIG(status));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		mb_error_set(err, MB_ERR_CONFIG,
		             "password_command of account '%s' failed: exit status %d", acct->name,
		             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else if (total > PW_DRAIN_MAX)
		mb_error_set(err, MB_ERR_CONFIG,
		             "password_command of account '%s' printed more than %d bytes",
		             acct->name, PW_DRAIN_MAX);
	else
		ret = first_line(acct, buf, len, total, pw, err);
	explicit_bzero(buf, sizeof buf);
	return ret;
}

/* The "user@host" a prompt names: what, or the account's own. */
static char *
prompt_subject(const struct mb_account *acct, const char *what)
{
	const struct mb_endpoint *ep = NULL;
	const char *user = acct->user != NULL ? acct->user : acct->name;

	if (what != NULL && strcmp(what, "smtp") == 0)
		ep = &acct->smtp;
	else if (what != NULL && strcmp(what, "imap") == 0)
		ep = &acct->imap;
	else if (what != NULL && strcmp(what, "pop3") == 0)
		ep = &acct->pop3;
	else if (what != NULL && *what != '\0')
		return xstrdup(what);
	if (ep == NULL || ep->host == NULL)
		ep = acct->smtp.host != NULL   ? &acct->smtp
		     : acct->imap.host != NULL ? &acct->imap
		                               : &acct->pop3;
	if (ep->host == NULL)
		return xstrdup(user);
	return xasprintf("%s@%s", user, ep->host);
}

static void
tty_write(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Whether c is the terminal's special character number i (and that one is enabled). */
static bool
is_cc(const struct termios *t, int i, unsigned char c)
{
	return t->c_cc[i] != _POSIX_VDISABLE && c == t->c_cc[i];
}

/*
 * Read a line from the terminal, which is in non-canonical mode without
 * echo or signals: Enter ends, erase and kill edit, the interrupt and quit
 * characters (and end-of-file on an empty line) cancel.
 * Returns 0, 1 when cancelled, -1 on error or timeout.
 */
static int
tty_read_line(int fd, const struct termios *t, char *buf, size_t *len, bool *toolong)
{
	long long deadline = now_ms() + PW_TTY_TIMEOUT_MS;
	struct pollfd pfd;
	unsigned char c;
	ssize_t n;
	int r;

	*len = 0;
	*toolong = false;
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		n = read(fd, &c, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return *len == 0 ? 1 : 0;
		if (c == '\n' || c == '\r')
			return 0;
		if (is_cc(t, VINTR, c) || is_cc(t, VQUIT, c) || (is_cc(t, VEOF, c) && *len == 0))
			return 1;
		if (is_cc(t, VERASE, c) || c == 0x7f || c == 0x08) {
			/* one character, not one byte */
			while (*len > 0 && ((unsigned char)buf[*len - 1] & 0xc0) == 0x80)
				(*len)--;
			if (*len > 0)
				(*len)--;
		} else if (is_cc(t, VKILL, c)) {
			*len = 0;
		} else if (*len < PW_MAX - 1) {
			buf[(*len)++] = (char)c;
		} else {
			*toolong = true;
		}
	}
}

/* Ask on /dev/tty with echo off; the terminal is restored on every path. */
static int
prompt_tty(const struct mb_account *acct, const char *what, char **pw, struct mb_error *err)
{
	struct termios old, raw;
	char buf[PW_MAX], *subject, *prompt;
	size_t len = 0;
	bool toolong = false;
	int fd, r;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return mb_error_set(err, MB_ERR_CONFIG,
		                    "no password for account '%s': set password_command "
		                    "(there is no terminal to ask on)",
		                    acct->name);
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return mb_error_set(err, MB_ERR_CONFIG,
		                    "no password for account '%s': set password_command "
		                    "(cannot turn off echo on the terminal)",
		                    acct->name);
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	subject = prompt_subject(acct, what);
	prompt = xasprintf("Password for %s: ", subject);
	free(subject);
	if (tcsetattr(fd, TCSAFLUSH, &raw) < 0) {
		r = -1;
	} else {
		tty_write(fd, prompt);
		r = tty_read_line(fd, &old, buf, &len, &toolong);
		tcsetattr(fd, TCSAFLUSH, &old);
		tty_write(fd, "\n");
	}
	close(fd);
	free(prompt);
	if (r == 1)
		mb_error_set(err, MB_ERR_CANCEL, "password entry for account '%s' cancelled",
		             acct->name);
	else if (r < 0)
		mb_error_set(err, MB_ERR_CONFIG,
		             "no password for account '%s': cannot read the terminal", acct->name);
	else if (toolong)
		mb_error_set(err, MB_ERR_INPUT, "password for account '%s' is longer than %d bytes",
		             acct->name, PW_MAX - 1);
	else if (len == 0)
		mb_error_set(err, MB_ERR_CANCEL, "no password given for account '%s'", acct->name);
	else
		*pw = xmemdup0(buf, len);
	explicit_bzero(buf, sizeof buf);
	return *pw != NULL ? 0 : -1;
}

int
mb_account_password(const struct mb_account *acct, const char *what, char **out,
                    struct mb_error *err)
{
	*out = NULL;
	if (acct == NULL)
		return mb_error_set(err, MB_ERR_INTERNAL, "no account to get a password for");
	if (acct->password != NULL) {
		*out = xstrdup(acct->password);
		return 0;
	}
	if (acct->password_command != NULL)
		return run_command(acct, out, err);
	return prompt_tty(acct, what, out, err);
}

void
mb_password_free(char *pw)
{
	if (pw == NULL)
		return;
	explicit_bzero(pw, strlen(pw));
	free(pw);
}
