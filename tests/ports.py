"""A free local port, for a server a test starts or a service it wants to find absent."""

import socket


def free_port() -> int:
    """A local TCP port nobody listens on now (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
