#!/bin/sh
# test_password.sh: the password prompt on a real terminal (a pty): the prompt
# names user@host, nothing typed is echoed, erase/kill edit the line, ^C, ^D
# and an empty line cancel, and the terminal settings come back every time.
helper="${top_builddir:-.}/tests/unit/test_password_prompt"
if [ ! -x "$helper" ]; then
	echo "1..1"
	echo "not ok 1 - helper $helper not built"
	exit 1
fi
exec /usr/bin/python3 - "$helper" <<'PY'
import os, pty, select, sys, time

helper = sys.argv[1]
n = 0
failed = 0


def ok(cond, name, detail=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name))
    if not cond:
        failed += 1
        for line in detail.splitlines():
            print("#   " + line)
    sys.stdout.flush()


def run(keys, want):
    """Run the helper on a new pty, type keys after the prompt; its output."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(helper, [helper, want])
    out = b""
    sent = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
        if not sent and b"Password for alice@mx.test: " in out:
            os.write(fd, keys)
            sent = True
    else:
        os.kill(pid, 9)
    os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8", "replace")


cases = [
    (b"s3cret-pw\r", "s3cret-pw", "RESULT MATCH - TTY-RESTORED", "a typed password"),
    (b"s3cret-pw\n", "s3cret-pw", "RESULT MATCH - TTY-RESTORED", "ended by LF"),
    (b"sec\x7fcret\x15real\x7fl-pw\r", "real-pw", "RESULT MATCH - TTY-RESTORED",
     "erase and kill edit the line"),
    ("pä\x7fw\r".encode(), "pw", "RESULT MATCH - TTY-RESTORED",
     "erase removes a whole UTF-8 character"),
    (b"s3cret\x03", "", "RESULT ERROR cancelled TTY-RESTORED", "^C cancels"),
    (b"\x04", "", "RESULT ERROR cancelled TTY-RESTORED", "^D on an empty line cancels"),
    (b"\r", "", "RESULT ERROR cancelled TTY-RESTORED", "an empty line cancels"),
]
for keys, want, expect, name in cases:
    out = run(keys, want)
    ok("Password for alice@mx.test: " in out, name + ": the prompt names user@host", out)
    ok(expect in out, name + ": " + expect, out)
    ok("s3cret" not in out and (want == "" or want not in out),
       name + ": nothing typed is echoed", out)

print("1..%d" % n)
sys.exit(1 if failed else 0)
PY
