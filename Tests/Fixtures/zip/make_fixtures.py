#!/usr/bin/env python3
"""Writes the zip fixtures of Tests/NativeTests/ZipArchiveTests.swift (Python's zipfile and Info-ZIP's zip CLI).

Run from this folder: python3 make_fixtures.py. Timestamps are fixed so the output is the same every run,
except encrypted.zip, whose encryption header is random.
"""
import io
import os
import struct
import subprocess
import tempfile
import zipfile

WHEN = (2025, 9, 1, 8, 0, 0)
USERS = b"id,name,class\n1,Ada Lovelace,7b\n2,Grace Hopper,7b\n3,Alan Turing,8a\n" * 3
CLASSES = b"class,teacher\n7b,Ms Noether\n8a,Mr Babbage\n"


def info(name, method=zipfile.ZIP_DEFLATED):
    entry = zipfile.ZipInfo(name, WHEN)
    entry.compress_type = method
    entry.external_attr = 0o644 << 16
    return entry


def write(path, entries, comment=b""):
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = comment
        for name, data, method in entries:
            archive.writestr(info(name, method), data)


class Unseekable(io.RawIOBase):
    """A write-only stream without seek or tell, which makes zipfile write data descriptors (flag bit 3)."""

    def __init__(self):
        self.chunks = []

    def writable(self):
        return True

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)


def main():
    write("stored.zip", [("users.csv", USERS, zipfile.ZIP_STORED), ("classes.csv", CLASSES, zipfile.ZIP_STORED)])
    write("deflated.zip", [("users.csv", USERS, zipfile.ZIP_DEFLATED), ("classes.csv", CLASSES, zipfile.ZIP_DEFLATED),
                           ("empty.csv", b"", zipfile.ZIP_DEFLATED)])

    stream = Unseekable()
    with zipfile.ZipFile(stream, "w") as archive:
        for name, data, method in [("users.csv", USERS, zipfile.ZIP_DEFLATED), ("classes.csv", CLASSES, zipfile.ZIP_STORED)]:
            with archive.open(info(name, method), "w") as out:
                out.write(data)
    with open("data-descriptor.zip", "wb") as out:
        out.write(b"".join(stream.chunks))

    # What macOS's Finder makes of a folder, with a UTF-8 name (zipfile sets flag bit 11 for it) and an
    # archive comment after the end of central directory record.
    write("macos-folder.zip", [
        ("Klasse 7b/", b"", zipfile.ZIP_STORED),
        ("Klasse 7b/users.csv", USERS, zipfile.ZIP_DEFLATED),
        ("Klasse 7b/Schüler/classes.csv", CLASSES, zipfile.ZIP_DEFLATED),
        ("Klasse 7b/.DS_Store", b"\0\0\0\1Bud1" + b"\0" * 20, zipfile.ZIP_STORED),
        ("__MACOSX/", b"", zipfile.ZIP_STORED),
        ("__MACOSX/Klasse 7b/._users.csv", b"\0\5\26\7" + b"\0" * 40, zipfile.ZIP_DEFLATED),
    ], comment=b"exported by the school office")

    write("zip-slip.zip", [("users.csv", USERS, zipfile.ZIP_DEFLATED), ("../../etc/cron.d/evil", b"* * * * * root id\n", zipfile.ZIP_STORED)])

    # The CLI's traditional PKWARE encryption sets flag bit 0.
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "users.csv"), "wb") as out:
            out.write(USERS)
        os.utime(os.path.join(folder, "users.csv"), (1756713600, 1756713600))
        if os.path.exists("encrypted.zip"):
            os.remove("encrypted.zip")
        subprocess.run(["zip", "-q", "-X", "-e", "-P", "secret", os.path.abspath("encrypted.zip"), "users.csv"],
                       cwd=folder, check=True)

    with open("deflated.zip", "rb") as source:
        deflated = source.read()
    with open("truncated.zip", "wb") as out:
        out.write(deflated[: len(deflated) * 2 // 3])

    # One byte of users.csv changed after zipping: the stored CRC-32 no longer matches.
    with open("stored.zip", "rb") as source:
        stored = bytearray(source.read())
    at = stored.index(b"Ada")
    stored[at] = ord("E")
    with open("corrupt-crc.zip", "wb") as out:
        out.write(stored)

    # 10 MB of zeros deflate to about 10 kB (deflate's best ratio is about 1000:1); a 200 MB one would not fit
    # the fixtures' size budget, so tests pair these with small limits instead.
    bomb_size = 10_000_000
    write("bomb.zip", [("users.csv", bytes(bomb_size), zipfile.ZIP_DEFLATED)])
    # The same entry with both headers claiming 1000 bytes: the sizes lie, as a zip bomb's do.
    with open("bomb.zip", "rb") as source:
        lying = bytearray(source.read())
    for header, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = lying.index(header)
        assert struct.unpack_from("<I", lying, start + size_at)[0] == bomb_size
        struct.pack_into("<I", lying, start + size_at, 1000)
    with open("lying-size.zip", "wb") as out:
        out.write(lying)


if __name__ == "__main__":
    main()
