"""mbsource.py: read message sources out of a mailbench cache, independently of
mailbench's C code, for the integration tests.

Since schema 5 a source is a record in the file beside the cache, PATH-sources
(PATH-sources.N after N compactions, N in meta's sources_gen; src/store/sources.c): a 16-byte file header "MBSOURCE", version 1; then per
record a 32-byte header (magic "MBSR", 0, message id, length, checksum; little-
endian) and the bytes. message_raw gives the record's offset and length; a row
without them (stored before schema 5) holds the source in its raw column.

    import mbsource
    con = sqlite3.connect(db)
    data = mbsource.source(db, con, message_id)
"""
import struct


def source(db, con, message_id):
    row = con.execute("SELECT raw, source_off, source_len FROM message_raw WHERE message_id = ?",
                      (message_id,)).fetchone()
    if row is None:
        raise KeyError("no message_raw row for message %d" % message_id)
    raw, off, length = row
    if off is None:
        return bytes(raw)
    gen = con.execute("SELECT value FROM meta WHERE key = 'sources_gen'").fetchone()
    path = db + "-sources" + ("." + str(gen[0]) if gen and gen[0] else "")
    with open(path, "rb") as f:
        if f.read(8) != b"MBSOURCE":
            raise ValueError("%s-sources: not a sources file" % db)
        f.seek(off)
        magic, zero, mid, n, _sum = struct.unpack("<IIQQQ", f.read(32))
        if magic != 0x5253424D or mid != message_id or n != length:
            raise ValueError("message %d: the record header does not match" % message_id)
        data = f.read(n)
        if len(data) != n:
            raise ValueError("message %d: the sources file is cut" % message_id)
        return data
