"""Helpers for tests that act as a client at another loopback address."""
import uuid

import requests
from requests.adapters import HTTPAdapter


class FromAddress(HTTPAdapter):
    """Connects from the given local address."""

    def __init__(self, address, **kw):
        self.address = address
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kw)


def session_from(address):
    s = requests.Session()
    s.mount("http://", FromAddress(address))
    s.mount("https://", FromAddress(address))
    return s


def doc_addr():
    """A fresh address of 198.18.0.0/15 (benchmarking space), one a test."""
    n = uuid.uuid4().int
    return f"198.{18 + (n >> 16) % 2}.{(n >> 8) % 256}.{n % 256}"
