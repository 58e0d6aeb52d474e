"""A chunk's body read straight from gunicorn's socket (recording/evidence/body.py): exactly the body's bytes,
whatever gunicorn had buffered already, never a byte of what follows it on the connection, and gunicorn's
own count of the body left kept true. Any other stream: the request itself."""

import os
import socket
import threading
from types import SimpleNamespace

import pytest
from gunicorn.http.body import Body, ChunkedReader, LengthReader
from gunicorn.http.unreader import SocketUnreader

from recording.evidence.body import SocketBody, chunk_stream

NEXT_REQUEST = b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    b.settimeout(10)  # a byte lost or read twice fails the test instead of hanging it
    yield a, b
    a.close()
    b.close()


def _request(sock, body):
    return SimpleNamespace(META={"gunicorn.socket": sock, "wsgi.input": body}, _read_started=False)


def _read_all(stream) -> bytes:
    blocks = []
    while block := stream.read(1024 * 1024):
        blocks.append(block)
    return b"".join(blocks)


@pytest.mark.parametrize("taken_by_body", [0, 100, 5000])
def test_reads_exactly_the_body_and_leaves_the_next_request(pair, taken_by_body):
    client, server = pair
    payload = os.urandom(3 * 1024 * 1024 + 17)
    sender = threading.Thread(target=lambda: client.sendall(payload + NEXT_REQUEST))
    sender.start()
    unreader = SocketUnreader(server)
    body = Body(LengthReader(unreader, len(payload)))
    # What gunicorn (or a middleware peeking at the body) took from the socket before the view ran: some
    # bytes handed out into Body's buffer, more held in the unreader.
    if taken_by_body:
        first = body.reader.read(taken_by_body)
        body.buf.write(first)
    stream = chunk_stream(_request(server, body), len(payload))
    assert isinstance(stream, SocketBody)
    received = _read_all(stream)
    sender.join()
    assert received == payload
    assert body.reader.length == 0
    assert not body.failed
    # The bytes after the body are still where gunicorn reads the next request from.
    rest = unreader.read(len(NEXT_REQUEST))
    assert rest == NEXT_REQUEST


def test_pipelined_bytes_already_buffered_go_back(pair):
    client, server = pair
    payload = b"0123456789" * 10
    client.sendall(payload + NEXT_REQUEST)
    unreader = SocketUnreader(server)
    body = Body(LengthReader(unreader, len(payload)))
    # gunicorn read the whole lot in one recv (body and the pipelined request) and holds it.
    held = unreader.read(len(payload) + len(NEXT_REQUEST))
    unreader.unread(held)
    stream = chunk_stream(_request(server, body), len(payload))
    assert _read_all(stream) == payload
    assert unreader.read(len(NEXT_REQUEST)) == NEXT_REQUEST


def test_a_broken_connection_ends_the_stream_and_marks_the_body_failed(pair):
    client, server = pair
    client.sendall(b"x" * 1000)
    client.close()
    body = Body(LengthReader(SocketUnreader(server), 5000))
    stream = chunk_stream(_request(server, body), 5000)
    assert _read_all(stream) == b"x" * 1000
    assert body.failed  # gunicorn must not reuse the connection


def test_other_streams_read_through_the_request(pair):
    _client, server = pair
    plain = SimpleNamespace(META={"wsgi.input": object()}, _read_started=False)
    assert chunk_stream(plain, 10) is plain  # another server, the test client
    chunked = _request(server, Body(ChunkedReader(SimpleNamespace(), SocketUnreader(server))))
    assert chunk_stream(chunked, 10) is chunked  # Transfer-Encoding: chunked
    length = _request(server, Body(LengthReader(SocketUnreader(server), 10)))
    assert chunk_stream(length, None) is length  # no Content-Length
    assert chunk_stream(length, 11) is length  # gunicorn counts another length
    length._read_started = True
    assert chunk_stream(length, 10) is length  # Django has read from it already
