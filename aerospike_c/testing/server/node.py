"""One node of the embedded cluster: a TCP (optionally TLS) listener on 127.0.0.1 with a thread
per connection, plus the controls tests use: stop (clean close), kill (abrupt reset), hang
(accept and read but never answer) and restart on the same port."""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import struct
import threading
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple

from . import info
from .msg import last_message
from .results import ERR_NOT_AUTHENTICATED
from .security import Access, ConnectionAuth
from .wire import (
    TYPE_ADMIN,
    TYPE_COMPRESSED,
    TYPE_INFO,
    TYPE_MESSAGE,
    ConnectionClosed,
    ProtocolError,
    compress_message,
    decompress_message,
    frame,
    read_frame,
)

if TYPE_CHECKING:
    from .cluster import EmbeddedCluster

_log = logging.getLogger(__name__)

#: How often a blocked accept() or hang wait wakes up to check for shutdown.
POLL_INTERVAL = 0.1
#: How often an idle connection's recv() wakes up (stop() also wakes it at once).
READ_POLL_INTERVAL = 0.5
#: Longest time a reply may take to be sent before the connection is dropped.
SEND_TIMEOUT = 30.0
#: Longest time a TLS handshake may take.
HANDSHAKE_TIMEOUT = 5.0
#: Longest time stop()/kill() wait for the node's threads to finish.
JOIN_TIMEOUT = 5.0
#: accept() errors a server rides out (out of descriptors, buffers or memory; a client that
#: gave up before it was accepted): the node waits (ACCEPT_BACKOFF doubling up to
#: POLL_INTERVAL) and accepts again, as a server does.
TRANSIENT_ACCEPT_ERRORS = frozenset((errno.EMFILE, errno.ENFILE, errno.ECONNABORTED,
                                     errno.ENOBUFS, errno.ENOMEM, errno.EPROTO, errno.EPERM))
ACCEPT_BACKOFF = 0.005

RUNNING = "running"
HUNG = "hung"
STOPPED = "stopped"

class _Connection:
    """Book-keeping for one accepted client socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.thread: Optional[threading.Thread] = None


class Node:
    """A server node. Implements the NodeView protocol the record store uses."""

    def __init__(self, cluster: "EmbeddedCluster", name: str, host: str, port: int) -> None:
        self.cluster: "EmbeddedCluster" = cluster
        self.name: str = name
        self.host: str = host
        self.port: int = port
        self.rack_id: int = 0
        self.state: str = STOPPED
        self._lock = threading.Lock()
        self._listener: Optional[socket.socket] = None
        self._accept_thread: Optional[threading.Thread] = None
        self._stopping = threading.Event()
        self._abrupt = False  # close connections with a reset instead of a clean FIN
        self._resumed = threading.Event()
        self._connections: Dict[int, _Connection] = {}
        self._next_connection_id = 0

    # -- NodeView -------------------------------------------------------------------------

    def owns_partition(self, namespace: str, partition_id: int) -> bool:
        """True when this node is the master of `partition_id` in `namespace`."""
        return self.cluster.partition_master(namespace, partition_id) == self.name

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def address(self) -> Tuple[str, int]:
        """(host, port) clients connect to."""
        return (self.host, self.port)

    @property
    def connection_count(self) -> int:
        """Number of client connections currently open."""
        with self._lock:
            return len(self._connections)

    def start(self) -> None:
        """Bind the listener (reusing the previous port on restart) and start accepting."""
        if self.state != STOPPED:
            return
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(128)
            listener.settimeout(POLL_INTERVAL)
        except OSError:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._abrupt = False
        self._resumed.set()
        self.state = RUNNING
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"aerospike-node-{self.name}", daemon=True)
        self._accept_thread.start()

    def stop(self, abrupt: bool = False) -> None:
        """Close the listener and every connection: cleanly, or with a TCP reset (`abrupt`)."""
        if self.state == STOPPED:
            return
        self.state = STOPPED
        self._abrupt = abrupt
        self._stopping.set()
        self._resumed.set()
        if self._accept_thread is not None:
            self._accept_thread.join(JOIN_TIMEOUT)
            self._accept_thread = None
        with self._lock:
            connections = list(self._connections.values())
        for conn in connections:
            _wake_reader(conn.sock)
        for conn in connections:
            if conn.thread is not None:
                conn.thread.join(JOIN_TIMEOUT)

    def hang(self) -> None:
        """Keep accepting connections and reading requests, but never answer."""
        if self.state == RUNNING:
            self._resumed.clear()
            self.state = HUNG

    def resume(self) -> None:
        """Answer requests again after hang()."""
        if self.state == HUNG:
            self.state = RUNNING
            self._resumed.set()

    # -- serving --------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        backoff = ACCEPT_BACKOFF
        try:
            while not self._stopping.is_set():
                try:
                    sock, _ = listener.accept()
                except socket.timeout:
                    continue
                except OSError as error:
                    if self._stopping.is_set() or listener.fileno() < 0:
                        break  # stop() closed the listener
                    if error.errno not in TRANSIENT_ACCEPT_ERRORS:
                        _log.exception("node %s: accept failed; retrying", self.name)
                    else:
                        _log.warning("node %s: accept failed (%s); retrying", self.name, error)
                    self._stopping.wait(backoff)
                    backoff = min(backoff * 2, POLL_INTERVAL)
                    continue
                backoff = ACCEPT_BACKOFF
                try:
                    self._spawn_connection(sock)
                except (OSError, RuntimeError) as error:  # reset at once; no thread to be had
                    _log.warning("node %s: dropped a new connection (%s)", self.name, error)
                    sock.close()
        finally:
            listener.close()

    def _spawn_connection(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = _Connection(sock)
        with self._lock:
            conn_id = self._next_connection_id
            self._next_connection_id += 1
            self._connections[conn_id] = conn
        conn.thread = threading.Thread(
            target=self._serve, args=(conn_id, conn), name=f"aerospike-conn-{self.name}-{conn_id}",
            daemon=True)
        try:
            conn.thread.start()
        except RuntimeError:
            with self._lock:
                self._connections.pop(conn_id, None)
            raise

    def _serve(self, conn_id: int, conn: _Connection) -> None:
        try:
            self._serve_requests(conn)
        except Exception:  # a bug answering one request must not take the node down
            _log.exception("node %s: closing a connection after an internal error", self.name)
        finally:
            _close(conn.sock, self._abrupt)
            with self._lock:
                self._connections.pop(conn_id, None)

    def _wait_until_answering(self) -> bool:
        """Block while the node hangs; False once it is stopping."""
        while not self._resumed.wait(POLL_INTERVAL):
            if self._stopping.is_set():
                return False
        return not self._stopping.is_set()

    def _serve_requests(self, conn: _Connection) -> None:
        if not self._wait_until_answering():
            return
        tls_context = self.cluster.tls_context
        if tls_context is not None and not self._tls_handshake(conn, tls_context):
            return
        conn.sock.settimeout(READ_POLL_INTERVAL)
        security = self.cluster.security
        auth = security.connection(_peer_address(conn.sock), self.name)
        try:
            self._serve_frames(conn, auth)
        finally:
            security.disconnected(auth)

    def _serve_frames(self, conn: _Connection, auth: ConnectionAuth) -> None:
        stopping = self._stopping.is_set
        while not stopping():
            try:
                frame_type, payload = read_frame(conn.sock, stopping)
            except (ConnectionClosed, ProtocolError):
                return
            if not self._wait_until_answering():
                return
            try:
                replies = list(self._answer(frame_type, payload, auth))
            except ProtocolError:
                return
            if not _send_all(conn.sock, replies):
                return

    def _tls_handshake(self, conn: _Connection, context: ssl.SSLContext) -> bool:
        """Put the connection under TLS; False if the handshake fails or the node stops."""
        try:
            # The wrapped socket takes over the descriptor: publish it before the handshake
            # so that stop() can wake a handshake that waits for a silent client.
            conn.sock = context.wrap_socket(conn.sock, server_side=True,
                                            do_handshake_on_connect=False)
            if self._stopping.is_set():
                return False
            conn.sock.settimeout(HANDSHAKE_TIMEOUT)
            conn.sock.do_handshake()
            return True
        except (OSError, ValueError):
            return False

    def _answer(self, frame_type: int, payload: bytes, auth: ConnectionAuth) -> Iterator[bytes]:
        """Yield the complete reply frames for one request frame."""
        security = self.cluster.security
        authenticated = auth.user is not None or not security.enabled
        access = Access(security, auth) if security.enabled else None
        if frame_type == TYPE_INFO:
            yield frame(TYPE_INFO, info.answer(payload, self, access))
        elif frame_type == TYPE_ADMIN:
            yield frame(TYPE_ADMIN, security.handle(payload, auth))
        elif frame_type in (TYPE_MESSAGE, TYPE_COMPRESSED):
            compressed = frame_type == TYPE_COMPRESSED
            message = decompress_message(payload) if compressed else payload
            if authenticated:
                responses = self.cluster.store.handle_message(message, self, access)
            else:
                responses = iter([last_message(ERR_NOT_AUTHENTICATED)])
            for response in responses:
                yield compress_message(response) if compressed else frame(TYPE_MESSAGE, response)
        else:
            raise ProtocolError(f"unexpected proto type {frame_type}")


def _peer_address(sock: socket.socket) -> str:
    """The client's IP address (what a role's whitelist is matched against)."""
    try:
        return str(sock.getpeername()[0])
    except (OSError, IndexError):
        return ""


def _send_all(sock: socket.socket, replies: List[bytes]) -> bool:
    """Send reply frames; False if the connection broke or the peer stopped reading."""
    try:
        sock.settimeout(SEND_TIMEOUT)
        for reply in replies:
            sock.sendall(reply)
        sock.settimeout(READ_POLL_INTERVAL)
        return True
    except (OSError, ValueError):
        return False


def _wake_reader(sock: socket.socket) -> None:
    """Make a recv() blocked on `sock` in another thread return at once."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RD)
    except (OSError, ValueError):
        pass


def _close(sock: socket.socket, abort: bool) -> None:
    """Close a socket; with `abort` the peer gets a TCP reset instead of a clean close."""
    try:
        if abort:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except (OSError, ValueError):
        pass
