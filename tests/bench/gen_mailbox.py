#!/usr/bin/python3
"""gen_mailbox.py: write a deterministic, realistic mailbox straight into a Maildir.

The benchmark of issue 4.8 needs about 300 MB in 10 000 messages: most a few KB (plain
text, some with an HTML alternative, some quoted-printable UTF-8), a few percent 100 KB to
2 MB (a text part and a base64 attachment).  The same seed gives the same bytes, so runs on
different days see the same mailbox.  Files go into cur/ with Dovecot's S= (file size)
and W= (CRLF size) in their names and no flags, owned by --uid/--gid.

    gen_mailbox.py MAILDIR [--count N] [--seed S] [--uid U --gid G]

    gen_mailbox.py --eml DIR [--count N] [--seed S]

With --eml it writes N small plain-text messages from carol to bob (about 1 to 3 KB each)
as DIR/NNNNNN.eml, the SMTP benchmark's input (issue 3.8).  Prints "COUNT BYTES WIRE_BYTES"
(file bytes, and bytes with CRLF line ends).  Stdlib only.
"""

import argparse
import base64
import os
import random
import sys

WORDS = """the a of to and in is it that for on with as was at by this be from or are an
not have which but all were they one had there their been has more will would when we
if can so some what into about out than up them only other time could new these two may
first then do any like my now over such our man me even most made after also did many
before must through back years where much your way well down should because each just
those people how too little state good very make world still own see men work long get
here between both life being under never day same another know while last might us
great old year off come since against go came right used take three meeting report draft
budget server mailbox protocol envelope header schedule review invoice release patch
build course student lab exercise deadline question answer thanks regards please attached
document version update project team friday monday morning afternoon tomorrow results
""".split()

NAMES = ["Alice Martin", "Bob Nguyen", "Carol Schmidt", "Dave Okafor", "Erin Rossi",
         "Frank Dubois", "Grace Kim", "Heidi Larsen", "Ivan Petrov", "Judy Cohen",
         "Mallory Smith", "Niaj Patel", "Olivia Brown", "Peggy Garcia", "Rupert Jones",
         "Sybil Müller", "Trent Ødegaard", "Victor Lefèvre", "Walter Yamada", "Zoë Novak"]
DOMAINS = ["example.org", "example.com", "univ.example.edu", "lists.example.net",
           "mail.example.de"]
ATTACH = [("application/pdf", "report-%d.pdf"), ("image/jpeg", "photo-%d.jpg"),
          ("application/zip", "archive-%d.zip"),
          ("application/vnd.oasis.opendocument.text", "notes-%d.odt")]


def paragraphs(rng, count):
    """A pool of text paragraphs (lines under 78 columns) to build bodies from."""
    pool = []
    for _ in range(count):
        words = rng.choices(WORDS, k=rng.randint(25, 120))
        words[0] = words[0].capitalize()
        lines, line = [], ""
        for w in words:
            if len(line) + len(w) + 1 > 72:
                lines.append(line)
                line = w
            else:
                line = (line + " " + w) if line else w
        lines.append(line + ".")
        pool.append("\n".join(lines))
    return pool


def encoded_word(text):
    """RFC 2047 B-encoding of a UTF-8 string."""
    return "=?UTF-8?B?%s?=" % base64.b64encode(text.encode()).decode()


def address(rng):
    name = rng.choice(NAMES)
    local = name.split()[0].lower().replace("ö", "o").replace("ë", "e")
    shown = encoded_word(name) if any(ord(c) > 127 for c in name) else '"%s"' % name
    return "%s <%s@%s>" % (shown, local, rng.choice(DOMAINS))


def headers(rng, i, when):
    date = "Mon, %02d Jan 2024 %02d:%02d:%02d +0000" % (1 + i % 28, when // 3600 % 24,
                                                      when // 60 % 60, when % 60)
    subj = " ".join(rng.choices(WORDS, k=rng.randint(2, 9))).capitalize()
    if i % 17 == 0:
        subj = encoded_word("Réunion: " + subj)
    h = ["Return-Path: <sender%d@%s>" % (i % 97, rng.choice(DOMAINS)),
         "Delivered-To: alice@lab.test"]
    for hop in range(rng.randint(1, 4)):
        h.append("Received: from relay%d.%s (relay%d.%s [192.0.2.%d])\n\tby mx%d.lab.test "
                 "with ESMTPS id %08X%04X\n\tfor <alice@lab.test>; %s"
                 % (hop, rng.choice(DOMAINS), hop, rng.choice(DOMAINS), rng.randint(1, 254),
                    hop, rng.getrandbits(32), i & 0xFFFF, date))
    if i % 3 == 0:
        sig = base64.b64encode(rng.randbytes(180)).decode()
        h.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;\n"
                 "\ts=mail; h=from:to:subject:date:message-id;\n\tb=" +
                 "\n\t ".join(sig[k:k + 70] for k in range(0, len(sig), 70)))
    h += ["From: " + address(rng), "To: Alice <alice@lab.test>"]
    if i % 4 == 0:
        h.append("Cc: " + ", ".join(address(rng) for _ in range(rng.randint(1, 4))))
    h += ["Subject: " + subj, "Date: " + date,
          "Message-ID: <%d.%08x@bench.lab.test>" % (i, rng.getrandbits(32))]
    if i % 5 == 0:
        h.append("In-Reply-To: <%d.0@bench.lab.test>" % max(0, i - rng.randint(1, 50)))
    if i % 7 == 0:
        h.append("List-Id: Course list <course.lists.example.net>")
    h.append("MIME-Version: 1.0")
    return h


def text_body(rng, pool, size):
    out, n = [], 0
    while n < size:
        p = rng.choice(pool)
        out.append(p)
        n += len(p) + 2
    return "\n\n".join(out) + "\n"


def qp_utf8(text):
    """Quoted-printable of text with a few non-ASCII words (lines stay short)."""
    return text.replace(" course ", " cours=C3=A9 ").replace(" team ", " =C3=A9quipe ")


def message(rng, pool, i, size):
    h = headers(rng, i, 28800 + i * 37)
    body_size = max(200, size - sum(len(x) + 1 for x in h) - 200)
    kind = rng.random()
    if size >= 100000:
        b = "=_bench_%d_%08x" % (i, rng.getrandbits(32))
        ctype, name = ATTACH[i % len(ATTACH)]
        name = name % i
        raw = rng.randbytes(body_size * 3 // 4)
        b64 = base64.b64encode(raw).decode()
        lines = "\n".join(b64[k:k + 76] for k in range(0, len(b64), 76))
        h.append('Content-Type: multipart/mixed; boundary="%s"' % b)
        body = ("This is a multi-part message in MIME format.\n\n--%s\n"
                "Content-Type: text/plain; charset=utf-8\n\n%s\n--%s\n"
                'Content-Type: %s; name="%s"\nContent-Transfer-Encoding: base64\n'
                'Content-Disposition: attachment; filename="%s"\n\n%s\n--%s--\n'
                % (b, text_body(rng, pool, 600), b, ctype, name, name, lines, b))
    elif kind < 0.35:
        b = "=_alt_%d_%08x" % (i, rng.getrandbits(32))
        text = text_body(rng, pool, body_size * 2 // 5)
        html = "<html><body>\n" + "".join(
            "<p>%s</p>\n" % p.replace("\n", " ") for p in text.split("\n\n")) + "</body></html>\n"
        h.append('Content-Type: multipart/alternative; boundary="%s"' % b)
        body = ("--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n--%s\n"
                "Content-Type: text/html; charset=utf-8\n\n%s\n--%s--\n" % (b, text, b, html, b))
    elif kind < 0.5:
        h += ["Content-Type: text/plain; charset=utf-8",
              "Content-Transfer-Encoding: quoted-printable"]
        body = qp_utf8(text_body(rng, pool, body_size))
    else:
        h.append("Content-Type: text/plain; charset=us-ascii")
        body = text_body(rng, pool, body_size)
    return ("\n".join(h) + "\n\n" + body).encode()


def small_message(rng, pool, i):
    """A short note from carol to bob, as people send them."""
    h = ["From: Carol <carol@lab.test>", "To: Bob <bob@lab.test>",
         "Subject: " + " ".join(rng.choices(WORDS, k=rng.randint(2, 7))).capitalize(),
         "Date: Mon, 01 Jan 2024 %02d:%02d:00 +0000" % (8 + i // 60 % 10, i % 60),
         "Message-ID: <smtp-%d.%08x@bench.lab.test>" % (i, rng.getrandbits(32)),
         "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii"]
    body = "Hello Bob,\n\n" + text_body(rng, pool, rng.randint(700, 2500)) + "\nCarol\n"
    return ("\n".join(h) + "\n\n" + body).encode()


def size_of(rng):
    """Most a few KB (median near 6 KB), 3.5 % from 100 KB to 2 MB (log-uniform)."""
    if rng.random() < 0.0355:
        return int(100000 * 20 ** rng.random())
    return min(90000, max(1200, int(rng.lognormvariate(8.76, 0.6))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("maildir")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--uid", type=int, default=-1)
    ap.add_argument("--gid", type=int, default=-1)
    ap.add_argument("--eml", action="store_true", help="small .eml files, not a Maildir")
    args = ap.parse_args()
    if not 1 <= args.count <= 1000000:
        sys.exit("gen_mailbox.py: cannot generate %d messages: choose 1 to 1000000" % args.count)
    cur = args.maildir if args.eml else os.path.join(args.maildir, "cur")
    if not os.path.isdir(cur):
        sys.exit("gen_mailbox.py: cannot find '%s'" % cur)
    rng = random.Random(args.seed)
    pool = paragraphs(rng, 3000)
    total = wire = 0
    for i in range(args.count):
        if args.eml:
            data = small_message(rng, pool, i)
            name = "%06d.eml" % i
        else:
            data = message(rng, pool, i, size_of(rng))
            name = "%d.M%dP4808.bench,S=%d,W=%d:2," % (1704067200 + i, i, len(data),
                                                       len(data) + data.count(b"\n"))
        lines = data.count(b"\n")
        path = os.path.join(cur, name)
        with open(path, "wb") as f:
            f.write(data)
        if args.uid >= 0:
            os.chown(path, args.uid, args.gid)
        total += len(data)
        wire += len(data) + lines
    print(args.count, total, wire)


if __name__ == "__main__":
    main()
