"""Run a probe in a fresh interpreter: a signal, a non-zero exit or a timeout fails the test.

    lines = run_probe('''
        client = Client(Config(HOSTS, conn_pools_per_node=0))
        outcome(client.connect)            # prints "ValueError: as_config.conn_pools_per_node ..."
    ''', hosts=aerospike_hosts)

The probe body runs after PRELUDE: `asc` (aerospike_c), `Client`, `Config`, `HOSTS` (the
hosts given, as "h:p,h:p"), `PROBE_SET` (a set of the probe's own, so that a probe run on a
shared real server touches no one's records) and `outcome(fn, *args)`, which prints "ok" or
"<ExceptionType>: <message>" on one line, so a test asserts on the exception a crash-prone
call now raises.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Iterable, List, Optional, Sequence, Tuple

import pytest

#: For the probes that fire signals at random points. CPython before 3.10 may run a signal
#: handler between the last statement of a with block and its __exit__ (bpo-29988, fixed in
#: 3.10 by checking for signals only after calls and on backward jumps): a KeyboardInterrupt
#: there leaves a threading.Lock held, which no code in a library can prevent. Seen here: a
#: Client.destroy after 1 of ~6 runs of the destroy-signals probe on 3.9 waited for good.
random_signals = pytest.mark.skipif(
    sys.version_info < (3, 10),
    reason="CPython < 3.10 can raise a signal's KeyboardInterrupt between a with block and "
           "its __exit__ (bpo-29988), leaving a lock held")

PRELUDE = """\
import os, sys
import aerospike_c as asc
from aerospike_c import Client, Config
HOSTS = os.environ.get("PROBE_HOSTS", "")
PROBE_SET = "t_" + __import__("uuid").uuid4().hex[:16]  # a set no other test or run writes to

def outcome(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as error:
        print(f"{type(error).__name__}: {error}".replace("\\n", " "), flush=True)
        return error
    print("ok", flush=True)
    return None
"""


def hosts_text(hosts: Iterable[Tuple[str, int]]) -> str:
    """(host, port) pairs as the C host string "h:p,h:p"."""
    return ",".join(f"{host}:{port}" for host, port in hosts)


def run_probe(body: str, *, hosts: Sequence[Tuple[str, int]] = (), timeout: float = 60.0,
              env: Optional[dict] = None, args: Sequence[str] = ()) -> List[str]:
    """Run PRELUDE + body in a child interpreter; return its stdout lines.

    Fails (AssertionError) when the child is killed by a signal, exits non-zero or does not
    finish within `timeout` seconds; faulthandler puts the C stack of a crash in the message."""
    code = PRELUDE + textwrap.dedent(body)
    child_env = dict(os.environ, PROBE_HOSTS=hosts_text(hosts))
    child_env.update(env or {})
    try:
        done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code, *args],
                              capture_output=True, text=True, timeout=timeout, env=child_env)
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"probe hung (no exit within {timeout} s):\n"
                             f"{expired.stdout}\n{expired.stderr}") from None
    if done.returncode != 0:
        how = (f"killed by signal {-done.returncode}" if done.returncode < 0
               else f"exit status {done.returncode}")
        raise AssertionError(f"probe {how}:\n{done.stdout}\n{done.stderr[-4000:]}")
    return done.stdout.splitlines()


#: Prepended by probe_output(connect=True): `client`, a connected Client, and `as_`, its
#: aerospike instance, for probes that pass objects to the C-faithful functions.
CONNECT = "client = Client(Config(HOSTS)).connect()\nas_ = client.aerospike\n"


def probe_output(body: str, *, hosts: Sequence[Tuple[str, int]] = (), connect: bool = False,
                 timeout: float = 180.0) -> str:
    """run_probe() of `body` (after CONNECT when `connect`), its stdout as one string."""
    body = textwrap.dedent(body)
    return "\n".join(run_probe(CONNECT + body if connect else body, hosts=hosts,
                                timeout=timeout)) + "\n"
