#!/usr/bin/python3
# fsclient: a tiny scripted TCP/TLS client used by selftest.sh to poke the fault server.
#
#   fsclient.py [--ca PEM] [--name HOST] [--timeout SEC] PORT OP...
#
# Each OP runs in order; results are printed one per line, bytes shown with the escapes of
# the script language (\r \n \t \\ \xNN):
#   send:TEXT      send TEXT (escapes \r \n \t \0 \\ \xNN decoded)
#   line           read up to and including LF; print it
#   read:N         read exactly N bytes; print them
#   all            read until EOF; print the bytes, then EOF or RESET
#   count          read until EOF; print the number of bytes
#   chunks         read until EOF; print the size of each recv(), comma-separated
#   timed-line     read a line; print the seconds since the connection was made
#   tls            start TLS now (verify against --ca and --name, or verify nothing);
#                  print TLS, or TLS-FAILED if the handshake fails
#   sleep:SEC      pause
#   shutwr         half-close (send FIN, keep reading)
#   rst            abort the connection with an RST and stop
#   close          close and stop
# Exits 0, or 1 with "ERROR: ..." on an unexpected exception.

import socket
import ssl
import struct
import sys
import time


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            e = s[i + 1]
            if e == "x":
                out.append(int(s[i + 2 : i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}[e]
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def show(data):
    out = []
    for b in data:
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
    return "".join(out)


class Client:
    def __init__(self, port, ca, name, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.t0 = time.monotonic()
        self.buf = b""
        self.ca = ca
        self.name = name

    def recv(self):
        return self.sock.recv(65536)

    def line(self):
        while b"\n" not in self.buf:
            d = self.recv()
            if not d:
                raise EOFError("EOF before a full line (got '%s')" % show(self.buf))
            self.buf += d
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def read(self, n):
        while len(self.buf) < n:
            d = self.recv()
            if not d:
                raise EOFError("EOF after %d of %d bytes" % (len(self.buf), n))
            self.buf += d
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def until_eof(self, each=None):
        data = self.buf
        if data and each:
            each(len(data))
        self.buf = b""
        status = "EOF"
        while True:
            try:
                d = self.recv()
            except ConnectionResetError:
                status = "RESET"
                break
            if not d:
                break
            if each:
                each(len(d))
            data += d
        return data, status

    def tls(self):
        if self.ca:
            ctx = ssl.create_default_context(cafile=self.ca)
        else:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        try:
            self.sock = ctx.wrap_socket(self.sock, server_hostname=self.name)
        except (ssl.SSLError, OSError):
            return False
        return True


def main(argv):
    ca = None
    name = "localhost"
    timeout = 10.0
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--ca":
            ca = argv.pop(0)
        elif opt == "--name":
            name = argv.pop(0)
        elif opt == "--timeout":
            timeout = float(argv.pop(0))
        else:
            raise SystemExit("fsclient: unknown option %s" % opt)
    port = int(argv.pop(0))
    c = Client(port, ca, name, timeout)
    for op in argv:
        verb, _, arg = op.partition(":")
        if verb == "send":
            c.sock.sendall(unescape(arg))
        elif verb == "line":
            print(show(c.line()))
        elif verb == "read":
            print(show(c.read(int(arg))))
        elif verb == "all":
            data, status = c.until_eof()
            print(show(data))
            print(status)
        elif verb == "count":
            data, status = c.until_eof()
            print(len(data))
        elif verb == "chunks":
            sizes = []
            c.until_eof(sizes.append)
            print(",".join(str(s) for s in sizes))
        elif verb == "timed-line":
            c.line()
            print("%.3f" % (time.monotonic() - c.t0))
        elif verb == "tls":
            print("TLS" if c.tls() else "TLS-FAILED")
        elif verb == "sleep":
            time.sleep(float(arg))
        elif verb == "shutwr":
            c.sock.shutdown(socket.SHUT_WR)
        elif verb == "rst":
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.sock.close()
            return 0
        elif verb == "close":
            c.sock.close()
            return 0
        else:
            raise SystemExit("fsclient: unknown op %s" % op)
        sys.stdout.flush()
    c.sock.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, EOFError) as e:
        print("ERROR: %s" % e)
        sys.exit(1)
