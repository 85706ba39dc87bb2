#!/usr/bin/python3
"""lab-seed.py: deliver sample messages for alice into the mailbench lab over real SMTP.

Each message teaches one thing about mail (envelope versus headers, encoded words, MIME
structure, Bcc, spoofing, threads).  lab.sh runs this for 'seed'; it prints the number of
messages alice should receive.  Stdlib only (smtplib, email).
"""

import argparse
import smtplib
import sys
import time
import zlib
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from datetime import datetime, timedelta, timezone


def tiny_png():
    """A 16x16 PNG (a blue square with a white cross), built without any image library."""
    width = height = 16
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            white = x in (7, 8) or y in (7, 8)
            row += bytes((255, 255, 255) if white else (32, 96, 192))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows))

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return len(data).to_bytes(4, "big") + kind + data + crc.to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 2, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw)
            + chunk(b"IEND", b""))


def messages(domain):
    """Yield (envelope sender, envelope recipients, message) for each sample."""
    alice = "alice@" + domain
    bob = "bob@" + domain
    carol = "carol@" + domain
    now = datetime.now(timezone.utc).replace(microsecond=0)

    def new(sender, subject, hours_ago):
        m = EmailMessage()
        m["From"] = sender
        m["Subject"] = subject
        m["Date"] = format_datetime(now - timedelta(hours=hours_ago))
        m["Message-ID"] = make_msgid(domain=domain)
        return m

    # 1. plain text from bob: the basic anatomy of a message
    m = new(formataddr(("Bob Martin", bob)), "Welcome to the mail lab", 50)
    m["To"] = formataddr(("Alice Durand", alice))
    m.set_content(
        "Hi Alice,\n\n"
        "this is a plain text message: one text/plain part, no attachments.\n\n"
        "Look at its source: the header lines (From, To, Subject, Date, Message-ID)\n"
        "come first, then an empty line, then this body.  The server added the\n"
        "Received and Return-Path lines on top when it delivered the message.\n\n"
        "The envelope (MAIL FROM / RCPT TO) travelled separately, in the SMTP dialogue.\n\n"
        "Bob\n")
    welcome_id = m["Message-ID"]
    yield bob, [alice], m

    # 2. Cc and a UTF-8 subject: RFC 2047 encoded words, and one delivery per RCPT
    m = new(formataddr(("Carol Lefèvre", carol)), "Réunion de l'équipe — ordre du jour ☕", 30)
    m["To"] = formataddr(("Alice Durand", alice))
    m["Cc"] = formataddr(("Bob Martin", bob))
    m.set_content(
        "Bonjour à tous,\n\n"
        "the subject of this message is not ASCII: on the wire it is written as\n"
        "encoded words, =?utf-8?q?...?= or =?utf-8?b?...?= (RFC 2047), and your client\n"
        "decodes it.  The body is UTF-8 too (see charset= in Content-Type), sent\n"
        "as raw 8-bit bytes (Content-Transfer-Encoding: 8bit) because the server\n"
        "announced 8BITMIME in its EHLO reply.\n\n"
        "Bob is in Cc: the sending client gave the server two RCPT TO commands, one\n"
        "for each of you, and each mailbox got its own copy.\n\n"
        "Ordre du jour : café, croissants, et le protocole IMAP.\n\n"
        "Carol\n")
    yield carol, [alice, bob], m

    # 3. multipart/alternative: the same content as text and as HTML
    m = new(formataddr(("Lab Newsletter", carol)), "Lab newsletter: what MIME is for", 26)
    m["To"] = alice
    m.set_content(
        "LAB NEWSLETTER\n\n"
        "This message is multipart/alternative: a text/plain part (this one) and a\n"
        "text/html part with the same content.  A client shows the last part it can\n"
        "display; a terminal client usually picks this text part.\n\n"
        "* Week 1: SMTP by hand\n* Week 2: POP3 and IMAP\n* Week 3: TLS and certificates\n")
    m.add_alternative(
        "<!DOCTYPE html>\n<html><body>\n"
        "<h1 style=\"color:#2060c0\">Lab newsletter</h1>\n"
        "<p>This message is <b>multipart/alternative</b>: a <code>text/plain</code> part and "
        "this <code>text/html</code> part with the same content.</p>\n"
        "<ul><li>Week 1: SMTP by hand</li><li>Week 2: POP3 and IMAP</li>"
        "<li>Week 3: TLS and certificates</li></ul>\n"
        "<p><img src=\"https://tracker.example/pixel.gif?u=alice\" width=\"1\" height=\"1\" "
        "alt=\"\">Remote images like this one tell the sender when you read the mail: "
        "careful clients do not load them.</p>\n"
        "</body></html>\n", subtype="html")
    yield carol, [alice], m

    # 4. an attachment: multipart/mixed with a CSV and a small PNG in base64
    m = new(formataddr(("Bob Martin", bob)), "Lab results and the logo", 20)
    m["To"] = alice
    m.set_content(
        "Alice,\n\n"
        "attached: the results of the last lab (CSV) and the lab logo (PNG).\n\n"
        "This message is multipart/mixed: this text part, then two attachments.  The\n"
        "PNG is binary, so it travels base64-encoded: about 4/3 of its size.\n"
        "Content-Disposition: attachment; filename=... tells your client to offer\n"
        "it as a file.\n\nBob\n")
    m.add_attachment(
        "student,smtp,pop3,imap\nalice,18,17,19\nbob,15,16,14\ncarol,19,18,17\n",
        subtype="csv", filename="lab-results.csv")
    m.add_attachment(tiny_png(), maintype="image", subtype="png", filename="lab-logo.png")
    yield bob, [alice], m

    # 5. envelope sender differs from From: the spoofing lesson
    m = new(formataddr(("Lab IT Service Desk", "it-support@" + domain)),
            "Action required: confirm your mailbox password", 12)
    m["To"] = alice
    m["Reply-To"] = "helpdesk@phish.example"
    m.set_content(
        "Dear user,\n\n"
        "your mailbox will be closed today unless you confirm your password at\n"
        "http://lab-test.phish.example/login\n\n"
        "--\n"
        "THIS IS A LAB EXERCISE.  Nothing in the From: line was checked: it is text\n"
        "the sender typed.  Compare it with the Return-Path line at the top of the\n"
        "source, which holds the envelope sender (MAIL FROM): mallory@phish.example.\n"
        "The Reply-To points elsewhere again.  Real servers check such mail with SPF,\n"
        "DKIM and DMARC; this lab server does not.\n")
    yield "mallory@phish.example", [alice], m

    # 6. Bcc: alice is an envelope-only recipient
    m = new(formataddr(("Carol Lefèvre", carol)), "Surprise party for Bob (keep it secret)", 8)
    m["To"] = formataddr(("Bob Martin", bob))
    m.set_content(
        "Hi,\n\n"
        "look at the headers of this message: your address is nowhere, neither in\n"
        "To: nor in Cc:.  You got it because you were in Bcc: the sending client gave\n"
        "the server an extra RCPT TO:<alice@...> and removed the Bcc line from the\n"
        "message itself.  The envelope decides who receives a message; the headers\n"
        "are only what the recipients see.  (Delivered-To at the top shows the\n"
        "envelope recipient this copy was delivered for.)\n\n"
        "Carol\n")
    # alice only: bob, the To: address, must not learn about his party
    yield carol, [alice], m

    # 7. a reply in a thread: In-Reply-To and References
    m = new(formataddr(("Bob Martin", bob)), "Re: Welcome to the mail lab", 4)
    m["To"] = formataddr(("Alice Durand", alice))
    m["In-Reply-To"] = welcome_id
    m["References"] = welcome_id
    m.set_content(
        "PS: this one is a reply.  Its In-Reply-To and References headers carry the\n"
        "Message-ID of my first message, which is how clients build threads (the\n"
        "\"Re:\" in the subject is only a hint for humans).\n\n"
        "> this is a plain text message: one text/plain part, no attachments.\n\n"
        "Bob\n")
    yield bob, [alice], m

    # 8. quoted-printable with long lines, and a mailing-list message
    m = new(formataddr(("Zoë Müller via lab-list", "lab-list@" + domain)),
            "[lab-list] Long lines, quoted-printable and list headers", 1)
    m["To"] = "lab-list@" + domain
    m["Sender"] = "lab-list-bounces@" + domain
    m["List-Id"] = "Mail lab discussion <lab-list." + domain + ">"
    m["List-Unsubscribe"] = "<mailto:lab-list-leave@" + domain + ">"
    m["Precedence"] = "list"
    m.set_content(
        "Hello list! This paragraph is one very long line of UTF-8 text — with accents "
        "like é, ü and ø — that is longer than the 78 characters a mail line should "
        "have, so the sender wrote it in quoted-printable: soft line breaks (= at the "
        "end of a line) and =C3=A9-style escapes for the bytes that are not ASCII. "
        "Your client joins it back into one paragraph.\n\n"
        "The To: address is the list, not you: a list server re-sent it to each member "
        "(see List-Id, List-Unsubscribe and Sender).\n\n"
        "Zoë\n", cte="quoted-printable")
    yield "lab-list-bounces@" + domain, [alice], m


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--domain", default="lab.test")
    args = p.parse_args()

    count = 0
    with smtplib.SMTP(args.host, args.port, local_hostname="seed." + args.domain,
                      timeout=30) as s:
        s.ehlo()
        for sender, rcpts, msg in messages(args.domain):
            refused = s.send_message(msg, from_addr=sender, to_addrs=rcpts)
            if refused:
                print("lab-seed.py: recipients refused: %r" % refused, file=sys.stderr)
                return 1
            if "alice@" + args.domain in rcpts:
                count += 1
            time.sleep(0.01)
    print(count)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, smtplib.SMTPException) as e:
        print("lab-seed.py: cannot deliver the sample messages: %s" % e, file=sys.stderr)
        sys.exit(1)
