"""A hostile keeper, run inside a workspace container as its user by hostile_keeper_test.cpp.

The container's user owns the real keeper's socket directory, so they can take the socket path
over without touching the keeper: the real keeper, and the shell it owns, keep running with
their socket moved aside. Killing the real keeper instead would stop the container (it is the
main process under docker-init), which is no attack on Berth. The server's current link is cut
by killing its bridge (`keeper attach`), which is the user's process too; the server then
relinks through the path and reaches this script. Frames: docs/keeper-protocol.md.

Usage: hostile_keeper.py MODE, MODE one of
  forge-offset   answer hello + attached, send output at offset 2^63 - 1
  forge-session  answer hello + attached, send output naming another session
  hang-up        answer hello + attached and close, every time, for WINDOW_SECONDS
  flood          answer hello + attached, send valid output as fast as the socket takes it
After the attack the real keeper's socket is put back. Every step goes to LOG, one line each.
"""

import os
import signal
import socket
import struct
import sys
import threading
import time

SOCKET_DIRECTORY = "/tmp/.berth-keeper"
SOCKET_PATH = SOCKET_DIRECTORY + "/keeper.sock"
ASIDE_PATH = SOCKET_DIRECTORY + "/real-keeper.sock"
LOG = "/tmp/hostile-keeper.log"
KEEPER = b"/opt/berth/keeper"

HELLO, ATTACH, ATTACHED, OUTPUT = 0x01, 0x11, 0x21, 0x23
WINDOW_SECONDS = 20  # hang-up: how long links are broken (the test derives its bound from it)
FLOOD_SECONDS = 300  # flood: at most this long, or until FLOOD_BYTES are sent
FLOOD_BYTES = 1 << 30
FLOOD_LINGER_SECONDS = 120  # flood: how long the connection stays open after the last byte
LINK_END_SECONDS = 10  # forge-*: how long to wait for the server to close the link


def log(line):
    with open(LOG, "a") as out:
        out.write(line + "\n")


def frame(kind, payload):
    return struct.pack(">IB", len(payload), kind) + payload


def text(data):
    return struct.pack(">I", len(data)) + data


def read_exact(connection, size):
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError("the server closed the link")
        data += chunk
    return data


def read_frame(connection):
    length, kind = struct.unpack(">IB", read_exact(connection, 5))
    return kind, read_exact(connection, length)


def greet(connection):
    """Says hello, waits for the server's attach and answers it: (session, from)."""
    connection.sendall(frame(HELLO, b"BERTHKPR" + struct.pack(">HI", 1, 1 << 20)))
    while True:
        kind, payload = read_frame(connection)
        if kind == ATTACH:
            (length,) = struct.unpack(">I", payload[:4])
            session = payload[4 : 4 + length]
            (offset,) = struct.unpack(">Q", payload[4 + length :])
            connection.sendall(frame(ATTACHED, text(session) + struct.pack(">Q", offset)))
            log("attached %s from %d" % (session.decode(), offset))
            return session, offset


def output(session, offset, data):
    return frame(OUTPUT, text(session) + struct.pack(">Q", offset) + text(data))


def wait_for_link_end(connection):
    connection.settimeout(LINK_END_SECONDS)
    try:
        while read_frame(connection):
            pass
    except EOFError:
        log("the server closed the link")
    except socket.timeout:
        log("the link is still open after %d s" % LINK_END_SECONDS)


def cut_current_links():
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as cmdline:
                argv = cmdline.read().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [KEEPER, b"attach"]:
            os.kill(int(pid), signal.SIGKILL)
            log("killed the bridge %s" % pid)


def forge(listener, mode):
    connection, _ = listener.accept()
    log("accepted a connection")
    session, offset = greet(connection)
    if mode == "forge-offset":
        connection.sendall(output(session, (1 << 63) - 1, b"forged"))
        log("sent output at offset %d" % ((1 << 63) - 1))
    else:
        connection.sendall(output(b"another-session", offset, b"forged"))
        log("sent output of another-session at offset %d" % offset)
    wait_for_link_end(connection)


def hang_up(listener):
    deadline = time.monotonic() + WINDOW_SECONDS
    while True:
        listener.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            break
        log("accepted a connection")
        try:
            greet(connection)
        except (EOFError, OSError):
            pass
        connection.close()
    log("window over")


def discard_input(connection):
    try:
        while connection.recv(65536):
            pass
    except OSError:
        pass


def flood(listener):
    connection, _ = listener.accept()
    log("accepted a connection")
    session, offset = greet(connection)
    # Acks are read and ignored, so they never block the server's side of the link.
    threading.Thread(target=discard_input, args=(connection,), daemon=True).start()
    data = (b"flood " * 10923)[:65536]
    sent, reported = 0, 0
    deadline = time.monotonic() + FLOOD_SECONDS
    try:
        while time.monotonic() < deadline and sent < FLOOD_BYTES:
            connection.sendall(output(session, offset + sent, data))
            sent += len(data)
            if sent - reported >= 64 << 20:
                reported = sent
                log("sent %d" % sent)
    except OSError as failure:
        log("flood ended: %s" % failure)
    log("flood over after %d" % sent)
    # Stay connected while the server reads what is still on its way: exiting now would
    # close the socket under `keeper attach` and cut the last frames off (a keeper has a
    # journal to resend from; this one has not). The test removes the container.
    time.sleep(FLOOD_LINGER_SECONDS)


def main():
    mode = sys.argv[1]
    os.rename(SOCKET_PATH, ASIDE_PATH)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(SOCKET_PATH)
    listener.listen(16)
    log("listening")
    cut_current_links()
    try:
        if mode == "hang-up":
            hang_up(listener)
        elif mode == "flood":
            flood(listener)
        else:
            forge(listener, mode)
    finally:
        listener.close()
        os.unlink(SOCKET_PATH)
        os.rename(ASIDE_PATH, SOCKET_PATH)
        log("put the real keeper back")


main()
