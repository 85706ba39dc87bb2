#!/usr/bin/python3
"""lab-smtpd.py: the mailbench lab's SMTP server where Postfix cannot run (a normal user).

Started by lab.sh, it serves the same three ports as the lab's Postfix, with the same rules:
  smtp        STARTTLS optional, no AUTH, mail for @DOMAIN only
  submission  STARTTLS required, then AUTH PLAIN/LOGIN required before RCPT
  smtps       implicit TLS, AUTH PLAIN/LOGIN required before RCPT
Other domains are refused at RCPT with 554 5.7.1 (relay access denied), unknown users with
550 5.1.1.  Accepted mail is written into each recipient's Maildir (tmp/ then new/), with
Return-Path, Delivered-To and Received headers as Postfix's virtual(8) writes them, so
Dovecot serves it at once.  Passwords are the lab's secrets files.

As root it drops to the mail uid after binding, reading certificates and secrets, and works
from inside the mail root with relative paths (the state directory's parents need not be
reachable by that uid).  Stdlib and python3-aiosmtpd only.
"""

import argparse
import asyncio
import hmac
import logging
import os
import secrets
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

log = logging.getLogger("lab-smtpd")


class Lab:
    """What every connection needs: users, passwords, the mail root."""

    def __init__(self, args):
        self.domain = args.domain.lower()
        self.hostname = args.hostname
        self.users = [u.strip() for u in args.users.split(",") if u.strip()]
        self.passwords = {}
        for user in self.users:
            with open(os.path.join(args.secrets, user), encoding="utf-8") as f:
                self.passwords[user] = f.readline().rstrip("\n")
        self.mailroot = args.mailroot
        self.counter = 0

    def local_user(self, address):
        """Return (user, domain) of address; user without a +extension, both lower case."""
        local, _, domain = address.rpartition("@")
        if not local:
            return None, domain.lower()
        return local.split("+", 1)[0].lower(), domain.lower()

    def check_password(self, login, password):
        """Return the user name when login/password match a lab user, else None."""
        user = login.lower()
        if user.endswith("@" + self.domain):
            user = user[: -len(self.domain) - 1]
        expected = self.passwords.get(user)
        if expected is None:
            return None
        if hmac.compare_digest(expected.encode("utf-8"), password.encode("utf-8")):
            return user
        return None

    def queue_id(self):
        return secrets.token_hex(5).upper()

    def deliver(self, user, rcpt, headers, body):
        """Write one message into user's Maildir the way Maildir wants it: tmp/, then new/."""
        self.counter += 1
        now = time.time()
        name = "%d.M%06dP%dQ%d.%s" % (
            int(now), int((now % 1) * 1e6), os.getpid(), self.counter, socket.gethostname())
        base = os.path.join(self.mailroot, user, "Maildir")
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(base, sub), mode=0o700, exist_ok=True)
        tmp = os.path.join(base, "tmp", name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(headers)
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, os.path.join(base, "new", name))
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


class Handler:
    """aiosmtpd hooks for one port; 'kind' is smtp, submission or smtps."""

    def __init__(self, lab, kind):
        self.lab = lab
        self.kind = kind

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.kind == "smtp":
            responses = [r for r in responses if not r[4:].startswith("AUTH")]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        user, domain = self.lab.local_user(address)
        if domain != self.lab.domain:
            return "554 5.7.1 <%s>: Relay access denied" % address
        if self.kind != "smtp" and not session.authenticated:
            return "554 5.7.1 <%s>: Recipient address rejected: Access denied" % address
        if user not in self.lab.users:
            return ("550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual "
                    "mailbox table" % address)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        qid = self.lab.queue_id()
        body = envelope.original_content or envelope.content
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogateescape")
        body = body.replace(b"\r\n", b"\n")
        peer = session.peer[0] if session.peer else "unknown"
        with_ = "ESMTP"
        if session.ssl is not None or self.kind == "smtps":
            with_ += "S"
        if session.authenticated:
            with_ += "A"
        date = time.strftime("%a, %d %b %Y %H:%M:%S %z")
        helo = session.host_name or "unknown"
        for rcpt in envelope.rcpt_tos:
            user, _ = self.lab.local_user(rcpt)
            received = (
                "Received: from %s (localhost [%s])\n\tby %s (aiosmtpd, mailbench lab) "
                "with %s id %s\n\tfor <%s>; %s\n" % (
                    helo, peer, self.lab.hostname, with_, qid, rcpt, date))
            headers = ("Return-Path: <%s>\nX-Original-To: %s\nDelivered-To: %s\n%s" % (
                envelope.mail_from or "", rcpt, rcpt.lower(), received)).encode(
                    "utf-8", "surrogateescape")
            try:
                self.lab.deliver(user, rcpt, headers, body)
            except OSError as e:
                log.error("%s: cannot deliver to %s: %s", qid, rcpt, e)
                return "451 4.3.0 Error: cannot write the Maildir of %s" % rcpt
            log.info("%s: from=<%s> to=<%s> size=%d port=%s status=sent (delivered to maildir)",
                     qid, envelope.mail_from, rcpt, len(body), self.kind)
        return "250 2.0.0 Ok: queued as %s" % qid


class LabSMTP(SMTP):
    """aiosmtpd's SMTP with Postfix-like AUTH LOGIN prompts and implicit TLS support."""

    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"

    def __init__(self, handler, implicit_tls=False, **kwargs):
        self.kind = handler.kind
        self.implicit_tls = implicit_tls
        super().__init__(handler, **kwargs)

    def connection_made(self, transport):
        super().connection_made(transport)
        if self.implicit_tls and self._tls_protocol is None:
            # TLS from the first byte: count it as done for AUTH and for the session
            self._tls_protocol = transport
            self.session.ssl = transport.get_extra_info("ssl_object")

    async def push(self, status):
        # Postfix's wording, with the enhanced status code aiosmtpd leaves out
        if status == "530 Must issue a STARTTLS command first":
            status = "530 5.7.0 Must issue a STARTTLS command first"
        await super().push(status)

    async def smtp_AUTH(self, arg):
        if self.kind == "smtp":
            await self.push("503 5.5.1 Error: authentication not enabled")
            return
        await super().smtp_AUTH(arg)


def authenticator_for(lab):
    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        user = lab.check_password(login, password)
        if user is None:
            log.info("authentication failed: mechanism=%s login=%r", mechanism, login)
            return AuthResult(
                success=False, handled=False,
                message="535 5.7.8 Error: authentication failed: (reason unavailable)")
        log.info("authenticated: mechanism=%s user=%s", mechanism, user)
        return AuthResult(success=True, auth_data=user)
    return authenticator


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hosts", default="127.0.0.1")
    p.add_argument("--smtp", type=int, required=True)
    p.add_argument("--submission", type=int, required=True)
    p.add_argument("--smtps", type=int, required=True)
    p.add_argument("--domain", required=True)
    p.add_argument("--hostname", required=True)
    p.add_argument("--users", required=True)
    p.add_argument("--secrets", required=True)
    p.add_argument("--mailroot", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--uid", type=int, default=os.getuid())
    p.add_argument("--gid", type=int, default=os.getgid())
    p.add_argument("--log", required=True)
    p.add_argument("--pidfile", required=True)
    args = p.parse_args()

    logging.basicConfig(filename=args.log, level=logging.INFO,
                        format="%(asctime)s lab-smtpd[%(process)d]: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    lab = Lab(args)

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.minimum_version = ssl.TLSVersion.TLSv1_2
    tls.load_cert_chain(args.cert, args.key)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    hosts = [h for h in args.hosts.split(",") if h]
    auth = authenticator_for(lab)
    common = dict(hostname=args.hostname, ident="ESMTP aiosmtpd (mailbench lab)",
                  data_size_limit=52428800, enable_SMTPUTF8=True, decode_data=False,
                  authenticator=auth, auth_require_tls=True, loop=loop)
    servers = []
    for kind, port in (("smtp", args.smtp), ("submission", args.submission),
                       ("smtps", args.smtps)):
        handler = Handler(lab, kind)
        if kind == "smtp":
            factory = (lambda h=handler: LabSMTP(h, tls_context=tls, **common))
            sslctx = None
        elif kind == "submission":
            factory = (lambda h=handler: LabSMTP(h, tls_context=tls, require_starttls=True,
                                                 **common))
            sslctx = None
        else:
            factory = (lambda h=handler: LabSMTP(h, implicit_tls=True, **common))
            sslctx = tls
        servers.append(loop.run_until_complete(loop.create_server(
            factory, host=hosts, port=port, ssl=sslctx, reuse_address=True)))

    # the pid file tells lab.sh that every port is bound
    with open(args.pidfile + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(args.pidfile + ".tmp", args.pidfile)
    if os.getuid() == 0:
        # keep working from the mail root: relative paths need no access to its parents
        os.chdir(args.mailroot)
        lab.mailroot = "."
        os.setgroups([])
        os.setgid(args.gid)
        os.setuid(args.uid)
    log.info("listening on %s ports %d %d %d as uid %d", args.hosts, args.smtp,
             args.submission, args.smtps, os.getuid())

    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(True))
    loop.run_until_complete(stop)
    for s in servers:
        s.close()
    log.info("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
