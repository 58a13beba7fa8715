"""Regular expressions evaluated without hanging the node (as_exp_cmp_regex, the 8.2 string
regex operations).

Python's `re` backtracks, and holds the GIL while it does: `^(a+)+$` against 34 `a`s and a
`!` runs for hours and freezes every connection of the embedded cluster. A real server does
not hang on it (POSIX regexec for expressions, ICU with its limits for strings). So a pattern
is run in-process only when it is cheap by construction (at most one repeat, no
backreference, a subject of at most SHORT_TEXT characters); any other runs in a child
interpreter under TIME_LIMIT seconds. A match that does not finish in time answers
ERR_TIMEOUT (9, what a server answers for a command that ran out of time): our limit,
loudly, not a guessed result.
"""

from __future__ import annotations

import marshal
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
from typing import Any, List, Optional, Tuple

from .results import CommandError

try:  # Python 3.11+
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.9/3.10
    import sre_parse as _sre_parse

ERR_TIMEOUT = 9
#: Seconds a child interpreter may spend on one match.
TIME_LIMIT = 1.0
#: The longest subject a cheap pattern is matched against in-process.
SHORT_TEXT = 4096

_REPEATS = {_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT}
_WORKER = r"""
import marshal, re, struct, sys
read, write = sys.stdin.buffer.read, sys.stdout.buffer.write
while True:
    head = read(4)
    if len(head) < 4:
        break
    kind, pattern, flags, text, repl, count = marshal.loads(read(struct.unpack(">I", head)[0]))
    try:
        compiled = re.compile(pattern, flags)
        result = (compiled.search(text) is not None if kind == "search"
                  else compiled.sub(repl, text, count=count))
        answer = ("ok", result)
    except (re.error, IndexError) as exc:
        answer = ("error", str(exc))
    data = marshal.dumps(answer)
    write(struct.pack(">I", len(data)) + data)
    sys.stdout.buffer.flush()
"""


def _cheap(pattern: str, flags: int) -> bool:
    """At most one repeat and no backreference: linear per start position."""
    try:
        parsed = _sre_parse.parse(pattern, flags)
    except (re.error, RecursionError):
        return True  # re.compile raises the same error in-process
    repeats = 0
    stack: List[Any] = [parsed]
    while stack:
        for op, av in stack.pop():
            if op in _REPEATS or op == getattr(_sre_parse, "POSSESSIVE_REPEAT", None):
                repeats += 1
                stack.append(av[2])
            elif op in (_sre_parse.GROUPREF, _sre_parse.GROUPREF_EXISTS):
                return False
            elif op == _sre_parse.SUBPATTERN:
                stack.append(av[-1])
            elif op == _sre_parse.BRANCH:
                stack.extend(av[1])
            elif op in (_sre_parse.ASSERT, _sre_parse.ASSERT_NOT):
                stack.append(av[1])
            elif op == getattr(_sre_parse, "ATOMIC_GROUP", None):
                stack.append(av)
    return repeats <= 1


class _Worker:
    """One child interpreter that matches on request; killed when a match overruns."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Optional["subprocess.Popen[bytes]"] = None

    def run(self, request: Tuple[Any, ...]) -> Tuple[str, Any]:
        data = marshal.dumps(request)
        with self._lock:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                proc = self._proc = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-c", _WORKER], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(struct.pack(">I", len(data)) + data)
                proc.stdin.flush()
                head = self._read(proc, 4, time.monotonic() + TIME_LIMIT)
                answer: Tuple[str, Any] = marshal.loads(
                    self._read(proc, struct.unpack(">I", head)[0], time.monotonic() + TIME_LIMIT))
                return answer
            except (OSError, EOFError, ValueError, TimeoutError):
                self._kill(proc)
                raise CommandError(ERR_TIMEOUT, f"regex did not finish in {TIME_LIMIT} s") from None
            except BaseException:  # an answer left unread would be the next request's
                self._kill(proc)
                raise

    def _kill(self, proc: "subprocess.Popen[bytes]") -> None:
        proc.kill()
        proc.wait()
        self._proc = None

    @staticmethod
    def _read(proc: "subprocess.Popen[bytes]", size: int, deadline: float) -> bytes:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        chunks: List[bytes] = []
        while size > 0:
            if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError
            chunk = os.read(fd, size)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)


_worker = _Worker()


def _bounded(kind: str, pattern: str, flags: int, text: str, repl: str = "",
             count: int = 0) -> Any:
    if len(text) <= SHORT_TEXT and _cheap(pattern, flags):
        compiled = re.compile(pattern, flags)
        return compiled.search(text) is not None if kind == "search" else \
            compiled.sub(repl, text, count=count)
    status, result = _worker.run((kind, pattern, flags, text, repl, count))
    if status == "error":
        raise re.error(result)
    return result


def search(pattern: str, flags: int, text: str) -> bool:
    """re.search(pattern, text, flags) is not None, in bounded time (re.error as re's)."""
    return bool(_bounded("search", pattern, flags, text))


def sub(pattern: str, flags: int, repl: str, text: str, count: int) -> str:
    """re.sub(pattern, repl, text, count, flags), in bounded time (re.error as re's)."""
    return str(_bounded("sub", pattern, flags, text, repl, count))
