#!/usr/bin/env python3
"""fakedb: a hostile MariaDB server for tests/t_21_gen_db_cleartext.sh.

    fakedb.py PORTFILE LOG

Listens on 127.0.0.1 (a port the kernel picks, written to PORTFILE once
listening).  To every client it sends a protocol-10 greeting that offers no
TLS (no CLIENT_SSL) and names mysql_clear_password as its authentication
plugin; to a handshake response it answers with an authentication switch to
mysql_clear_password, and to whatever follows with an OK packet, as a server
would that wants the password in clear.  Every connection and every byte
received after the greeting is appended to LOG:

    connect
    recv HEX        (one line per read, the bytes in hexadecimal)
    close

Runs until killed.
"""
import os
import socket
import struct
import sys

CLIENT_LONG_PASSWORD = 1
CLIENT_LONG_FLAG = 4
CLIENT_CONNECT_WITH_DB = 8
CLIENT_PROTOCOL_41 = 0x200
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_RESULTS = 1 << 17
CLIENT_PLUGIN_AUTH = 1 << 19
CAPS = (CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB |
        CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION |
        CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH)
PLUGIN = b"mysql_clear_password"


def packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq & 0xFF]) + payload


def greeting():
    scramble = b"abcdefghijklmnopqrst"
    return (b"\x0a" + b"5.5.5-10.11.0-MariaDB-fake\x00" +
            struct.pack("<I", 7) + scramble[:8] + b"\x00" +
            struct.pack("<H", CAPS & 0xFFFF) + b"\x2d" +
            struct.pack("<H", 2) + struct.pack("<H", CAPS >> 16) +
            bytes([len(scramble) + 1]) + b"\x00" * 10 +
            scramble[8:] + b"\x00" + PLUGIN + b"\x00")


def serve(conn, log):
    log.write("connect\n")
    log.flush()
    conn.sendall(packet(0, greeting()))
    answers = [b"\xfe" + PLUGIN + b"\x00", b"\x00\x00\x00\x02\x00\x00\x00"]
    seq = 1
    conn.settimeout(10)
    while True:
        try:
            data = conn.recv(65536)
        except OSError:
            break
        if not data:
            break
        log.write("recv %s\n" % data.hex())
        log.flush()
        if answers:
            seq = data[3] + 1 if len(data) > 3 else seq + 1
            conn.sendall(packet(seq, answers.pop(0)))
    log.write("close\n")
    log.flush()
    conn.close()


def main():
    portfile, logpath = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:  # a Unix socket at this path, port 0
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(sys.argv[3])
    else:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    with open(logpath, "a") as log:
        tmp = portfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % (0 if len(sys.argv) > 3 else
                               srv.getsockname()[1]))
        os.rename(tmp, portfile)
        while True:
            conn, _ = srv.accept()
            serve(conn, log)


if __name__ == "__main__":
    main()
