#!/usr/bin/python3
# faultserver: a scripted, misbehaving SMTP/POP3/IMAP server for mailbench's fault tests.
#
# It plays one script (see README.md in this directory) against the connections a client
# makes to 127.0.0.1, records every byte the client sends, and exits with a status saying
# whether the client behaved as the script expected:
#   0  every EXPECT matched and the script ran to its end (or the client closed where
#      MAY-CLOSE, WAIT-CLOSE or EXPECT-CLOSE allowed it)
#   1  a mismatch, a FAIL, or the client closed where the script did not allow it
#   2  usage error or script error (syntax, unknown variable, missing file, no certificate),
#      or an internal error of the server itself
#   3  the overall timeout fired
# Test tool only: Python 3 standard library, run with /usr/bin/python3.

import argparse
import os
import re
import select
import socket
import ssl
import struct
import sys
import threading
import time
import traceback

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3

MAX_REPEAT = 10_000_000
MAX_BIG = 1 << 30
MAX_READ = 1 << 30
MAX_LINE = 1 << 20
MAX_SERVE = 1_000_000
MAX_CONNECTIONS = 1000
MAX_INCLUDE_DEPTH = 8
CHUNK = 65536
SPLIT_PAUSE = 0.05
DEFAULT_LINGER = 2.0

SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")
VAR_RE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ScriptError(Exception):
    """A mistake in the script or the command line (exit 2)."""


class Failure(Exception):
    """The client did not behave as the script expects (exit 1)."""


class ClientClosed(Exception):
    """The client closed or reset the connection."""


class ConnectionEnded(Exception):
    """The script ended the connection (CLOSE, RESET, WAIT-CLOSE...); go to the next ACCEPT."""


class ServeDone(Exception):
    """DONE inside an ON body: leave the SERVE loop."""


def show(data, limit=200):
    """Printable form of bytes for logs: escapes as in the script language."""
    if isinstance(data, str):
        data = data.encode("latin-1", "replace")
    out = []
    for b in data[:limit]:
        if b == 0x0D:
            out.append("\\r")
        elif b == 0x0A:
            out.append("\\n")
        elif b == 0x09:
            out.append("\\t")
        elif b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    s = "".join(out)
    if len(data) > limit:
        s += "...(%d bytes)" % len(data)
    return s


# ---------------------------------------------------------------------------------------
# script parsing


class Where:
    """A script position, for messages."""

    def __init__(self, path, line):
        self.path = path
        self.line = line

    def __str__(self):
        return "%s:%d" % (self.path, self.line)


class Text:
    """A text argument: literal byte runs and ${VAR} references, escapes already decoded."""

    def __init__(self, parts):
        self.parts = parts  # list of bytes or ("var", name)

    def names(self):
        return [p[1] for p in self.parts if isinstance(p, tuple)]

    def expand(self, env):
        out = bytearray()
        for p in self.parts:
            out += env.lookup(p[1]) if isinstance(p, tuple) else p
        return bytes(out)

    def static(self):
        """The bytes if the text has no variables, else None."""
        if self.names():
            return None
        return b"".join(self.parts)


class Pattern:
    """A regex argument: the regex text with ${VAR} replaced by the escaped value."""

    def __init__(self, src, where):
        self.src = src
        self.has_vars = bool(VAR_RE.search(src))
        try:
            probe = VAR_RE.sub("x", src)
            self.compiled = re.compile(probe)
        except re.error as e:
            raise ScriptError("%s: bad regex '%s': %s" % (where, src, e))
        if self.has_vars:
            self.compiled = None

    def get(self, env):
        if self.compiled is not None:
            return self.compiled

        def sub(m):
            return re.escape(env.lookup(m.group(1)).decode("latin-1"))

        return re.compile(VAR_RE.sub(sub, self.src))


def parse_text(s, where):
    """Decode escapes (\\r \\n \\t \\0 \\\\ \\$ \\xNN) and ${VAR} references in s.

    Other backslash sequences are kept as written (\\Seen stays \\Seen)."""
    parts = []
    cur = bytearray()
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            if i + 1 >= n:
                raise ScriptError("%s: backslash at the end of the text" % where)
            e = s[i + 1]
            simple = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\", "$": b"$"}
            if e in simple:
                cur += simple[e]
                i += 2
            elif e == "x":
                h = s[i + 2 : i + 4]
                if len(h) != 2 or not all(ch in "0123456789abcdefABCDEF" for ch in h):
                    raise ScriptError("%s: \\x needs two hex digits" % where)
                cur.append(int(h, 16))
                i += 4
            else:
                # not an escape: keep it, so IMAP flags (\Seen, \Deleted, \*) read as written
                cur += ("\\" + e).encode("latin-1")
                i += 2
        elif c == "$" and s.startswith("{", i + 1):
            m = VAR_RE.match(s, i)
            if not m:
                raise ScriptError("%s: bad variable reference in '%s'" % (where, s))
            if cur:
                parts.append(bytes(cur))
                cur = bytearray()
            parts.append(("var", m.group(1)))
            i = m.end()
        else:
            cur.append(ord(c))
            i += 1
    if cur:
        parts.append(bytes(cur))
    return Text(parts)


def take_word(s):
    """Split 'WORD rest' after exactly one separating blank; rest keeps its spacing."""
    s = s.lstrip(" \t")
    m = re.match(r"(\S+)(?:[ \t](.*))?$", s, re.S)
    if not m:
        return "", ""
    return m.group(1), m.group(2) or ""


def parse_number(word, where, what, allow_float=False, allow_suffix=False):
    """A non-negative number; K/M/G suffixes (powers of 1024) when allow_suffix."""
    mult = 1
    w = word
    if allow_suffix and w[-1:].upper() in ("K", "M", "G"):
        mult = {"K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024}[w[-1].upper()]
        w = w[:-1]
    try:
        v = float(w) if allow_float else int(w, 10)
    except ValueError:
        raise ScriptError("%s: %s must be a number, not '%s'" % (where, what, word))
    if v < 0 or v != v:
        raise ScriptError("%s: %s must not be negative" % (where, what))
    return v * mult


class Cmd:
    """One script command."""

    def __init__(self, name, where):
        self.name = name
        self.where = where
        self.body = None  # ON: list of Cmd
        self.inner = None  # REPEAT: Cmd


# commands that end the connection; nothing but ACCEPT may follow them
CLOSING = {"CLOSE", "RESET", "WAIT-CLOSE", "EXPECT-CLOSE", "TLS-REJECT", "EXPECT-TLS-REJECT"}
# commands allowed after REPEAT
REPEATABLE = {
    "SEND", "SENDLF", "RAW", "SENDFILE", "BIG", "EXPECT", "EXPECT-ANY", "EXPECT-DATA", "READ",
    "CAPTURE", "SET", "SLEEP", "TRICKLE", "TRICKLE-RAW", "SPLIT", "SPLIT-RAW", "LOG",
}
# commands that need no connection
NO_IO = {"LOG", "SET", "ON", "CONNECTIONS", "SLEEP"}


class Parser:
    """Reads a script (and its INCLUDEs) into a list of Cmd."""

    def __init__(self, defines):
        self.defines = defines
        self.uses_default_cert = False

    def parse_file(self, path, depth=0):
        if depth > MAX_INCLUDE_DEPTH:
            raise ScriptError("%s: INCLUDE nested more than %d deep" % (path, MAX_INCLUDE_DEPTH))
        try:
            if path == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as f:
                    data = f.read()
        except OSError as e:
            raise ScriptError("cannot read script '%s': %s" % (path, e.strerror))
        base = os.getcwd() if path == "-" else os.path.dirname(os.path.abspath(path))
        lines = data.decode("latin-1").split("\n")
        out = []
        stack = []  # open ON blocks
        for no, raw in enumerate(lines, 1):
            where = Where(path if path != "-" else "<stdin>", no)
            line = raw[:-1] if raw.endswith("\r") else raw
            stripped = line.lstrip(" \t")
            if not stripped or stripped.startswith("#"):
                continue
            name, rest = take_word(stripped)
            name = name.upper()
            if name == "END":
                if not stack:
                    raise ScriptError("%s: END without ON" % where)
                stack.pop()
                continue
            if name == "INCLUDE":
                if stack:
                    raise ScriptError("%s: INCLUDE inside an ON block" % where)
                inc = self.static_path(rest, where, base)
                out.extend(self.parse_file(inc, depth + 1))
                continue
            cmd = self.parse_cmd(name, rest, where, base)
            if name == "ON":
                if stack:
                    raise ScriptError("%s: ON inside an ON block" % where)
                (stack[-1].body if stack else out).append(cmd)
                stack.append(cmd)
                continue
            (stack[-1].body if stack else out).append(cmd)
        if stack:
            raise ScriptError("%s: ON without END" % stack[-1].where)
        return out

    def static_path(self, rest, where, base):
        """A path argument expanded at parse time (only --set variables and SCRIPTS)."""
        if not rest.strip():
            raise ScriptError("%s: missing path" % where)
        t = parse_text(rest.strip(), where)

        class StaticEnv:
            def lookup(_, name):
                if name in self.defines:
                    return self.defines[name]
                raise ScriptError("%s: unknown variable '${%s}' in a path" % (where, name))

        p = t.expand(StaticEnv()).decode("latin-1")
        return p if os.path.isabs(p) else os.path.join(base, p)

    def parse_cmd(self, name, rest, where, base):
        cmd = Cmd(name, where)
        cmd.base = base
        if name in ("SEND", "SENDLF", "RAW", "FAIL", "LOG"):
            cmd.text = parse_text(rest, where)
        elif name == "SENDFILE":
            if not rest.strip():
                raise ScriptError("%s: SENDFILE needs a path" % where)
            cmd.text = parse_text(rest.strip(), where)
            st = cmd.text.static()
            if st is not None:
                p = self.resolve(st.decode("latin-1"), base)
                if not os.path.isfile(p):
                    raise ScriptError("%s: SENDFILE: no such file '%s'" % (where, p))
        elif name == "REPEAT":
            w, r = take_word(rest)
            cmd.count = int(parse_number(w, where, "REPEAT count"))
            if cmd.count > MAX_REPEAT:
                raise ScriptError("%s: REPEAT count above %d" % (where, MAX_REPEAT))
            iname, irest = take_word(r)
            iname = iname.upper()
            if iname not in REPEATABLE:
                raise ScriptError("%s: cannot REPEAT '%s'" % (where, iname or "nothing"))
            cmd.inner = self.parse_cmd(iname, irest, where, base)
        elif name == "BIG":
            w, r = take_word(rest)
            cmd.size = int(parse_number(w, where, "BIG size", allow_suffix=True))
            if cmd.size > MAX_BIG:
                raise ScriptError("%s: BIG size above %d" % (where, MAX_BIG))
            pat, r = take_word(r)
            if not pat:
                raise ScriptError("%s: BIG needs a fill pattern" % where)
            cmd.text = parse_text(pat, where)
            if cmd.text.names():
                raise ScriptError("%s: BIG pattern cannot use variables" % where)
            if not cmd.text.static():
                raise ScriptError("%s: BIG pattern is empty" % where)
            end = r.strip().upper()
            if end not in ("", "CRLF", "LF"):
                raise ScriptError("%s: BIG line end must be CRLF or LF, not '%s'" % (where, end))
            cmd.end = {"": b"", "CRLF": b"\r\n", "LF": b"\n"}[end]
        elif name in ("EXPECT", "ON"):
            if not rest:
                raise ScriptError("%s: %s needs a regex" % (where, name))
            cmd.pattern = Pattern(rest.rstrip(" \t"), where)
            if name == "ON":
                cmd.body = []
        elif name in ("EXPECT-ANY", "EXPECT-DATA", "ACCEPT", "RESET", "MAY-CLOSE", "DONE"):
            if rest.strip():
                raise ScriptError("%s: %s takes no argument" % (where, name))
        elif name == "READ":
            if not rest.strip():
                raise ScriptError("%s: READ needs a byte count" % where)
            cmd.text = parse_text(rest.strip(), where)
            st = cmd.text.static()
            if st is not None:
                cmd.count = int(parse_number(st.decode("latin-1"), where, "READ count"))
                if cmd.count > MAX_READ:
                    raise ScriptError("%s: READ count above %d" % (where, MAX_READ))
        elif name in ("TLS", "EXPECT-TLS", "TLS-REJECT", "EXPECT-TLS-REJECT"):
            words = rest.split()
            if len(words) not in (0, 2):
                raise ScriptError("%s: %s takes no argument or CERT KEY" % (where, name))
            cmd.cert = [parse_text(w, where) for w in words]
            if not words:
                self.uses_default_cert = True
        elif name == "CAPTURE":
            var, r = take_word(rest)
            if not NAME_RE.match(var):
                raise ScriptError("%s: CAPTURE needs a variable name" % where)
            if not r:
                raise ScriptError("%s: CAPTURE needs a regex" % where)
            cmd.var = var
            cmd.pattern = Pattern(r.rstrip(" \t"), where)
        elif name == "SET":
            var, r = take_word(rest)
            if not NAME_RE.match(var):
                raise ScriptError("%s: SET needs a variable name" % where)
            cmd.var = var
            cmd.text = parse_text(r, where)
        elif name == "SLEEP":
            cmd.secs = parse_number(rest.strip(), where, "SLEEP time", allow_float=True)
        elif name in ("TRICKLE", "TRICKLE-RAW"):
            w, r = take_word(rest)
            cmd.secs = parse_number(w, where, "TRICKLE delay", allow_float=True)
            cmd.text = parse_text(r, where)
        elif name in ("SPLIT", "SPLIT-RAW"):
            w, r = take_word(rest)
            cmd.size = int(parse_number(w, where, "SPLIT size"))
            if cmd.size < 1:
                raise ScriptError("%s: SPLIT size must be at least 1" % where)
            cmd.text = parse_text(r, where)
        elif name in ("CLOSE", "WAIT-CLOSE", "EXPECT-CLOSE"):
            cmd.secs = None
            if rest.strip():
                cmd.secs = parse_number(rest.strip(), where, name + " time", allow_float=True)
        elif name == "READ-TIMEOUT":
            cmd.secs = parse_number(rest.strip(), where, "READ-TIMEOUT", allow_float=True)
        elif name == "SERVE":
            cmd.count = MAX_SERVE
            if rest.strip():
                cmd.count = int(parse_number(rest.strip(), where, "SERVE count"))
                if cmd.count > MAX_SERVE:
                    raise ScriptError("%s: SERVE count above %d" % (where, MAX_SERVE))
        elif name == "CONNECTIONS":
            cmd.count = int(parse_number(rest.strip(), where, "CONNECTIONS"))
            if not 1 <= cmd.count <= MAX_CONNECTIONS:
                raise ScriptError("%s: CONNECTIONS must be 1..%d" % (where, MAX_CONNECTIONS))
        else:
            raise ScriptError("%s: unknown command '%s'" % (where, name))
        return cmd

    @staticmethod
    def resolve(p, base):
        return p if os.path.isabs(p) else os.path.join(base, p)


def check_flow(cmds, in_body=False):
    """Static checks: nothing after a closing command, DONE only in ON, ON/SERVE pairing."""
    open_ = True
    handlers = 0
    connections = None
    seen_io = False
    sections = 1
    for c in cmds:
        if c.name == "ACCEPT":
            if in_body:
                raise ScriptError("%s: ACCEPT inside an ON block" % c.where)
            open_ = True
            handlers = 0
            sections += 1
            continue
        if not open_ and c.name not in ("LOG",):
            raise ScriptError("%s: %s after the connection was closed (only ACCEPT may follow)"
                              % (c.where, c.name))
        if c.name == "CONNECTIONS":
            if in_body:
                raise ScriptError("%s: CONNECTIONS inside an ON block" % c.where)
            if connections is not None:
                raise ScriptError("%s: CONNECTIONS given twice" % c.where)
            if seen_io or sections > 1:
                raise ScriptError("%s: CONNECTIONS must come before any I/O command" % c.where)
            connections = c.count
            continue
        if c.name == "ON":
            check_flow(c.body, in_body=True)
            handlers += 1
            continue
        if c.name == "SERVE":
            if in_body:
                raise ScriptError("%s: SERVE inside an ON block" % c.where)
            if handlers == 0:
                raise ScriptError("%s: SERVE without any ON handler in this connection"
                                  % c.where)
        if c.name == "DONE":
            if not in_body:
                raise ScriptError("%s: DONE outside an ON block" % c.where)
            open_ = False
        if c.name not in NO_IO:
            seen_io = True
        if c.name in CLOSING:
            open_ = False
    return (connections or 1), sections


# ---------------------------------------------------------------------------------------
# running


class Server:
    """Holds the options, the listening socket, the record/log files and the deadline."""

    def __init__(self, args, defines):
        self.args = args
        self.deadline = time.monotonic() + args.timeout
        self.start = time.monotonic()
        self.logf = None
        self.record_path = args.record
        self.recf = None
        self.conn_no = 0
        self.defines = defines
        self.tls_ctx = {}
        self.lock = threading.Lock()
        if args.log:
            self.logf = sys.stderr if args.log == "-" else open(args.log, "a")

    def log(self, msg):
        with self.lock:
            if self.logf:
                self.logf.write("[%8.3f] %s\n" % (time.monotonic() - self.start, msg))
                self.logf.flush()

    def remaining(self):
        return max(0.0, self.deadline - time.monotonic())

    def wait_time(self):
        """Socket timeout for one wait: the watchdog must win, so leave it a margin."""
        return self.remaining() + 1.0

    def open_record(self):
        if self.recf:
            self.recf.close()
            self.recf = None
        if self.record_path:
            p = self.record_path
            if "%d" in p:
                p = p.replace("%d", str(self.conn_no))
            self.recf = open(p, "ab", buffering=0)

    def record(self, data):
        if self.recf and data:
            self.recf.write(data)

    def context(self, cert, key):
        k = (cert, key)
        if k not in self.tls_ctx:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            try:
                ctx.load_cert_chain(cert, key)
            except (OSError, ssl.SSLError) as e:
                raise ScriptError("cannot load certificate '%s' / key '%s': %s" % (cert, key, e))
            self.tls_ctx[k] = ctx
        return self.tls_ctx[k]


class Conn:
    """One client connection: a receive buffer, the record tap, send helpers."""

    def __init__(self, server, sock):
        self.srv = server
        self.sock = sock
        self.buf = bytearray()
        self.eof = False
        self.tls = False
        self.closed = False
        self.read_timeout = None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # receiving

    def fill(self):
        """Receive one chunk into the buffer (recording it); set eof on close or reset."""
        if self.eof:
            return
        limit = self.srv.wait_time()
        by_read_timeout = False
        if self.read_timeout is not None and self.read_timeout < limit:
            limit = self.read_timeout
            by_read_timeout = True
        self.sock.settimeout(limit)
        try:
            data = self.sock.recv(CHUNK)
        except socket.timeout:
            if by_read_timeout:
                raise Failure("the client sent nothing for %g s (READ-TIMEOUT)" % limit)
            raise
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError) as e:
            self.srv.log("C: connection reset (%s)" % e.__class__.__name__)
            self.eof = True
            return
        if not data:
            self.srv.log("C: <EOF>")
            self.eof = True
            return
        self.srv.record(data)
        self.buf += data

    def readline(self):
        """One client line including its end; raise ClientClosed at EOF."""
        start = 0
        while True:
            i = self.buf.find(b"\n", start)
            if i >= 0:
                line = bytes(self.buf[: i + 1])
                del self.buf[: i + 1]
                self.srv.log("C: " + show(line))
                return line
            if len(self.buf) > MAX_LINE:
                raise Failure("client line longer than %d bytes: %s"
                              % (MAX_LINE, show(self.buf, 80)))
            start = len(self.buf)
            if self.eof:
                raise ClientClosed("the client closed the connection%s" % (
                    " after a partial line '%s'" % show(self.buf) if self.buf else ""))
            self.fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            if self.eof:
                raise ClientClosed("the client closed the connection after %d of %d bytes"
                           % (len(self.buf), n))
            self.fill()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        self.srv.log("C: %d bytes: %s" % (n, show(data, 60)))
        return data

    def read_data(self):
        """Consume an SMTP DATA body through CRLF.CRLF; return the body size in bytes."""
        tail = b"\r\n"
        consumed = 0
        term = b"\r\n.\r\n"
        while True:
            if not self.buf:
                if self.eof:
                    raise ClientClosed("the client closed the connection inside DATA after"
                               " %d bytes" % consumed)
                self.fill()
                continue
            chunk = bytes(self.buf)
            data = tail + chunk
            i = data.find(term)
            if i >= 0:
                end = i + len(term) - len(tail)
                consumed += end
                del self.buf[:end]
                size = consumed - 3
                self.srv.log("C: DATA body of %d bytes, ended by CRLF.CRLF" % size)
                return size
            consumed += len(chunk)
            self.buf.clear()
            tail = data[-4:]

    def peer_gone(self):
        """True if the client has closed or reset (plain TCP only; does not consume data)."""
        if self.tls or self.eof:
            return self.eof
        try:
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                return False
            return self.sock.recv(1, socket.MSG_PEEK) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True
        except OSError:
            return False

    # sending

    def send(self, data, quiet=False):
        if not quiet:
            self.srv.log("S: " + show(data))
        self.sock.settimeout(self.srv.wait_time())
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError) as e:
            raise ClientClosed("the client closed the connection while the server was sending"
                       " (%s)" % e.__class__.__name__)

    def pause(self, secs):
        """Sleep secs, noticing (plain TCP) a client that goes away meanwhile."""
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            if self.peer_gone():
                raise ClientClosed("the client closed the connection while the server paused")
            time.sleep(min(left, 0.05))

    # ending

    def close(self, linger=DEFAULT_LINGER):
        """Half-close, read (and record) until the client closes or linger passes, close."""
        if self.closed:
            return
        self.closed = True
        s = self.sock
        if self.tls:
            try:
                s.settimeout(min(1.0, self.srv.remaining() + 0.1))
                s.unwrap()
            except (OSError, ValueError, ssl.SSLError):
                pass
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        end = time.monotonic() + min(linger, self.srv.remaining())
        while not self.eof:
            left = end - time.monotonic()
            if left <= 0:
                break
            try:
                s.settimeout(left)
                data = s.recv(CHUNK)
            except (socket.timeout, OSError, ValueError):
                break
            if not data:
                break
            if not self.tls:
                self.srv.record(data)
            self.srv.log("C: (after close) %s" % show(data))
        try:
            s.close()
        except OSError:
            pass

    def reset(self):
        if self.closed:
            return
        self.closed = True
        self.srv.log("S: <RST>")
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


class Env:
    """Variables: --set values, builtins, captures and the groups of the last match."""

    def __init__(self, server, defines):
        self.srv = server
        self.vars = dict(defines)
        self.groups = {}
        self.where = None

    def lookup(self, name):
        if name in self.groups:
            return self.groups[name]
        if name in self.vars:
            return self.vars[name]
        raise ScriptError("%s: unknown variable '${%s}'" % (self.where, name))

    def set_match(self, m, line):
        self.groups = {"0": line}
        for i, g in enumerate(m.groups(), 1):
            self.groups[str(i)] = (g or "").encode("latin-1")
        for k, v in m.groupdict().items():
            self.vars[k] = (v or "").encode("latin-1")


class Session:
    """Runs the script over successive connections."""

    def __init__(self, server, cmds, defines, connections):
        self.srv = server
        self.cmds = cmds
        self.env = Env(server, defines)
        self.connections = connections
        self.listener = None
        self.conn = None
        self.handlers = []
        self.may_close = False
        self.last_line = None

    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", self.srv.args.port))
        except OSError as e:
            raise ScriptError("cannot listen on 127.0.0.1:%d: %s"
                              % (self.srv.args.port, e.strerror))
        s.listen(16)
        self.listener = s
        port = s.getsockname()[1]
        self.env.vars["PORT"] = str(port).encode()
        self.srv.log("listening on 127.0.0.1:%d" % port)
        pf = self.srv.args.port_file
        if pf:
            tmp = "%s.tmp.%d" % (pf, os.getpid())
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.replace(tmp, pf)
        return port

    def accept(self):
        self.listener.settimeout(self.srv.wait_time())
        sock, peer = self.listener.accept()
        self.srv.conn_no += 1
        self.srv.open_record()
        self.env.vars["CONN"] = str(self.srv.conn_no).encode()
        self.srv.log("connection %d from %s:%d" % (self.srv.conn_no, peer[0], peer[1]))
        self.conn = Conn(self.srv, sock)
        self.handlers = []
        self.may_close = False

    def run(self):
        sections = [[]]
        for c in self.cmds:
            if c.name == "ACCEPT":
                sections.append([])
            elif c.name != "CONNECTIONS":
                sections[-1].append(c)
        for _ in range(self.connections):
            for sec in sections:
                self.accept()
                try:
                    self.run_list(sec)
                    self.conn.close()
                except ConnectionEnded:
                    pass
                except ClientClosed as e:
                    if not self.may_close:
                        self.conn.close(0.2)
                        raise Failure("%s (at %s)" % (e, self.env.where))
                    self.srv.log("client closed where MAY-CLOSE allowed it: %s" % e)
                    self.conn.close(0.2)
        self.srv.log("script complete")

    def run_list(self, cmds):
        for c in cmds:
            self.run_cmd(c)

    def expect_line(self):
        line = self.conn.readline()
        if not line.endswith(b"\r\n"):
            raise Failure("client line not terminated by CRLF: '%s'" % show(line))
        text = line[:-2]
        self.last_line = text.decode("latin-1")
        return text

    def run_cmd(self, c):
        env = self.env
        env.where = c.where
        conn = self.conn
        n = c.name
        if n == "SEND":
            conn.send(c.text.expand(env) + b"\r\n")
        elif n == "SENDLF":
            conn.send(c.text.expand(env) + b"\n")
        elif n == "RAW":
            conn.send(c.text.expand(env))
        elif n == "SENDFILE":
            p = Parser.resolve(c.text.expand(env).decode("latin-1"), c.base)
            try:
                with open(p, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise ScriptError("%s: SENDFILE: cannot read '%s': %s" % (c.where, p, e.strerror))
            conn.send(data)
        elif n == "BIG":
            self.send_big(c)
        elif n == "REPEAT":
            self.run_repeat(c)
        elif n == "EXPECT":
            text = self.expect_line()
            s = text.decode("latin-1")
            m = c.pattern.get(env).search(s)
            if not m:
                raise Failure("EXPECT /%s/ got '%s'" % (c.pattern.src, show(text)))
            env.set_match(m, text)
        elif n == "EXPECT-ANY":
            text = self.expect_line()
            env.groups = {"0": text}
        elif n == "EXPECT-DATA":
            size = conn.read_data()
            env.vars["DATA_SIZE"] = str(size).encode()
        elif n == "READ":
            if hasattr(c, "count"):
                count = c.count
            else:
                v = c.text.expand(env).decode("latin-1")
                count = int(parse_number(v, c.where, "READ count"))
                if count > MAX_READ:
                    raise ScriptError("%s: READ count above %d" % (c.where, MAX_READ))
            env.groups = {"0": conn.read_exact(count)}
        elif n == "CAPTURE":
            if self.last_line is None:
                raise ScriptError("%s: CAPTURE before any line was received" % c.where)
            m = c.pattern.get(env).search(self.last_line)
            if not m:
                raise Failure("CAPTURE /%s/ does not match '%s'" % (c.pattern.src,
                                        show(self.last_line)))
            v = m.group(1) if m.re.groups else m.group(0)
            env.vars[c.var] = (v or "").encode("latin-1")
        elif n == "SET":
            env.vars[c.var] = c.text.expand(env)
        elif n == "SLEEP":
            self.srv.log("sleep %g" % c.secs)
            time.sleep(min(c.secs, self.srv.wait_time()))
        elif n in ("TRICKLE", "TRICKLE-RAW"):
            data = c.text.expand(env) + (b"\r\n" if n == "TRICKLE" else b"")
            self.srv.log("S: trickle %g s/byte: %s" % (c.secs, show(data)))
            for i in range(len(data)):
                if i:
                    conn.pause(c.secs)
                conn.send(data[i : i + 1], quiet=True)
        elif n in ("SPLIT", "SPLIT-RAW"):
            data = c.text.expand(env) + (b"\r\n" if n == "SPLIT" else b"")
            self.srv.log("S: split in %d-byte segments: %s" % (c.size, show(data)))
            for i in range(0, len(data), c.size):
                if i:
                    conn.pause(SPLIT_PAUSE)
                conn.send(data[i : i + c.size], quiet=True)
        elif n == "CLOSE":
            self.srv.log("S: <close>")
            conn.close(DEFAULT_LINGER if c.secs is None else c.secs)
            raise ConnectionEnded()
        elif n == "RESET":
            conn.reset()
            raise ConnectionEnded()
        elif n in ("WAIT-CLOSE", "EXPECT-CLOSE"):
            self.wait_close(c)
            raise ConnectionEnded()
        elif n in ("TLS", "EXPECT-TLS", "TLS-REJECT", "EXPECT-TLS-REJECT"):
            self.start_tls(c)
        elif n == "MAY-CLOSE":
            self.may_close = True
        elif n == "READ-TIMEOUT":
            conn.read_timeout = c.secs or None
        elif n == "ON":
            self.handlers.append(c)
        elif n == "SERVE":
            self.serve(c)
        elif n == "DONE":
            raise ServeDone()
        elif n == "FAIL":
            raise Failure("FAIL: %s" % c.text.expand(env).decode("latin-1"))
        elif n == "LOG":
            self.srv.log("LOG: %s" % c.text.expand(env).decode("latin-1"))
        else:
            raise ScriptError("%s: command '%s' not allowed here" % (c.where, n))

    def send_big(self, c):
        pat = c.text.static()
        size = c.size
        self.srv.log("S: BIG %d bytes of '%s'%s" % (size, show(pat), show(c.end)))
        block = (pat * (CHUNK // len(pat) + 1))[:CHUNK]
        # keep the pattern in phase across blocks
        block = block[: len(block) - len(block) % len(pat)] if len(pat) <= CHUNK else block
        sent = 0
        while sent < size:
            part = block[: min(len(block), size - sent)]
            self.conn.send(part, quiet=True)
            sent += len(part)
        if c.end:
            self.conn.send(c.end, quiet=True)

    def run_repeat(self, c):
        inner = c.inner
        env = self.env
        self.srv.log("REPEAT %d %s" % (c.count, inner.name))
        if inner.name in ("SEND", "SENDLF", "RAW"):
            end = {"SEND": b"\r\n", "SENDLF": b"\n", "RAW": b""}[inner.name]
            static = inner.text.static()
            out = bytearray()
            for i in range(1, c.count + 1):
                if static is not None:
                    out += static + end
                else:
                    env.vars["i"] = str(i).encode()
                    out += inner.text.expand(env) + end
                if len(out) >= CHUNK:
                    self.conn.send(bytes(out), quiet=True)
                    out.clear()
            if out:
                self.conn.send(bytes(out), quiet=True)
            return
        for i in range(1, c.count + 1):
            env.vars["i"] = str(i).encode()
            self.run_cmd(inner)

    def wait_close(self, c):
        conn = self.conn
        strict = c.name == "EXPECT-CLOSE"
        limit = None if c.secs is None else time.monotonic() + c.secs
        self.srv.log("waiting for the client to close%s" % (
            "" if c.secs is None else " (at most %g s)" % c.secs))
        got = bytearray()  # the first bytes, for the log (all of them are in the record)
        count = 0
        while True:
            if conn.buf:
                if strict:
                    raise Failure("EXPECT-CLOSE: the client sent '%s'%s" % (
                        show(conn.buf, 80), tls_hint(conn.buf)))
                count += len(conn.buf)
                got += conn.buf[: max(0, 200 - len(got))]
                conn.buf.clear()
            if conn.eof:
                break
            if limit is not None:
                left = limit - time.monotonic()
                if left <= 0:
                    raise Failure("the client did not close within %g s" % c.secs)
                saved = conn.read_timeout
                conn.read_timeout = left
                try:
                    conn.fill()
                except Failure:
                    raise Failure("the client did not close within %g s" % c.secs)
                finally:
                    conn.read_timeout = saved
            else:
                conn.fill()
        if count:
            self.srv.log("C: before closing the client sent %d bytes: %s" % (count, show(got)))
        conn.close(0)

    def start_tls(self, c):
        conn = self.conn
        env = self.env
        reject = c.name.endswith("REJECT")
        if c.cert:
            cert, key = (Parser.resolve(t.expand(env).decode("latin-1"), c.base) for t in c.cert)
        else:
            cert, key = self.srv.args.tls_cert, self.srv.args.tls_key
            if not cert or not key:
                raise ScriptError("%s: %s needs --tls-cert and --tls-key" % (c.where, c.name))
        ctx = self.srv.context(cert, key)
        if conn.tls:
            raise ScriptError("%s: TLS is already on" % c.where)
        if conn.buf:
            raise Failure("the client sent '%s' before the TLS handshake (after the go-ahead it"
                      " must start TLS and nothing else)" % show(conn.buf, 80))
        self.srv.log("TLS handshake (%s)" % ("expecting the client to refuse" if reject else cert))
        s = ctx.wrap_socket(conn.sock, server_side=True, do_handshake_on_connect=False)
        conn.sock = s
        conn.tls = True
        s.settimeout(self.srv.wait_time())
        try:
            s.do_handshake()
        except socket.timeout:
            raise
        except (ssl.SSLError, OSError) as e:
            if reject:
                self.srv.log("TLS handshake failed as expected: %s" % e)
                conn.tls = False
                conn.eof = True
                conn.close(0)
                raise ConnectionEnded()
            raise Failure("TLS handshake failed: %s" % e)
        if reject:
            raise Failure("the client completed the TLS handshake: it accepted the certificate")
        self.srv.log("TLS on: %s %s" % (s.version(), s.cipher()[0] if s.cipher() else ""))

    def serve(self, c):
        env = self.env
        for _ in range(c.count):
            env.where = c.where
            text = self.expect_line()
            s = text.decode("latin-1")
            for h in self.handlers:
                m = h.pattern.get(env).search(s)
                if m:
                    break
            else:
                raise Failure("SERVE: no ON handler matches '%s'" % show(text))
            env.set_match(m, text)
            try:
                self.run_list(h.body)
            except ServeDone:
                return
        raise Failure("SERVE: more than %d client lines" % c.count)


def tls_hint(data):
    if len(data) >= 3 and data[0] == 0x16 and data[1] == 0x03:
        return " (a TLS ClientHello: the client started TLS)"
    return ""


# ---------------------------------------------------------------------------------------
# main


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="faultserver.py",
        description="Scripted, misbehaving SMTP/POP3/IMAP server for fault tests "
        "(listens on 127.0.0.1 only). See README.md.")
    ap.add_argument("--script", required=True, help="script file, or - for standard input")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (0: any free one)")
    ap.add_argument("--port-file", help="write the port here (atomically) once listening")
    ap.add_argument("--record", help="append every byte received from the client here"
            " (%%d in the name: one file per connection)")
    ap.add_argument("--tls-cert", help="PEM certificate (chain) for TLS commands")
    ap.add_argument("--tls-key", help="PEM private key for TLS commands")
    ap.add_argument("--timeout", type=float, default=60.0,
            help="overall time limit in seconds (exit 3 when it fires; default 60)")
    ap.add_argument("--log", help="write a transcript here (- for standard error)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
            help="define a script variable")
    ap.add_argument("--check", action="store_true",
            help="only parse and check the script, then exit (0 ok, 2 error)")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        sys.exit(EXIT_USAGE if e.code else 0)
    if args.timeout <= 0:
        ap.error("--timeout must be positive")
    if not 0 <= args.port <= 65535:
        ap.error("--port must be 0..65535")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    return args


def main(argv):
    args = parse_args(argv)
    defines = {"SCRIPTS": SCRIPTS_DIR.encode("latin-1", "replace")}
    for d in args.set:
        name, eq, value = d.partition("=")
        if not eq or not NAME_RE.match(name):
            print("faultserver: --set needs NAME=VALUE, not '%s'" % d, file=sys.stderr)
            return EXIT_USAGE
        defines[name] = value.encode("utf-8", "surrogateescape")
    parser = Parser(defines)
    try:
        cmds = parser.parse_file(args.script)
        connections, sections = check_flow(cmds)
    except ScriptError as e:
        print("faultserver: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        print("faultserver: %s: ok (%d commands, %d connection(s))" % (
            args.script, count_cmds(cmds), connections * sections))
        return EXIT_OK
    if parser.uses_default_cert and not args.tls_cert:
        print("faultserver: the script uses TLS without a certificate: give --tls-cert and"
              " --tls-key", file=sys.stderr)
        return EXIT_USAGE
    srv = Server(args, defines)
    sess = Session(srv, cmds, defines, connections)

    def on_timeout():
        msg = "faultserver: overall timeout of %g s reached (at %s)" % (
            args.timeout, sess.env.where or args.script)
        srv.log(msg)
        try:
            os.write(2, (msg + "\n").encode())
        finally:
            os._exit(EXIT_TIMEOUT)

    timer = threading.Timer(args.timeout, on_timeout)
    timer.daemon = True
    timer.start()
    status = EXIT_OK
    try:
        sess.listen()
        sess.run()
    except Failure as e:
        msg = "faultserver: %s: %s" % (sess.env.where or args.script, e)
        srv.log(msg)
        print(msg, file=sys.stderr)
        status = EXIT_FAIL
    except ScriptError as e:
        srv.log("script error: %s" % e)
        print("faultserver: %s" % e, file=sys.stderr)
        status = EXIT_USAGE
    except socket.timeout:
        # only when the watchdog lost the race by a hair
        print("faultserver: overall timeout of %g s reached" % args.timeout, file=sys.stderr)
        status = EXIT_TIMEOUT
    except Exception:
        # a bug in the server must not pass for a misbehaving client (1)
        srv.log("internal error at %s" % sess.env.where)
        print("faultserver: internal error at %s:" % (sess.env.where or args.script),
              file=sys.stderr)
        traceback.print_exc()
        status = EXIT_USAGE
    finally:
        if sess.conn and not sess.conn.closed:
            sess.conn.close(0.5)
        if sess.listener:
            sess.listener.close()
    timer.cancel()
    srv.log("exit %d" % status)
    return status


def count_cmds(cmds):
    n = 0
    for c in cmds:
        n += 1
        if c.body:
            n += count_cmds(c.body)
    return n


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
