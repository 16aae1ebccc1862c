"""An on-disk cache of the verifier's successful outcomes, so a claim is proved once per code version.

Every claim the verifier decides is a fact about one exact SymPy expression
(and, for the numeric check, the model it samples from and the seed): the
key is a SHA-256 of ``srepr`` of that expression together with the claim kind,
the seed, the model's own expressions, and a fingerprint of mlederive's source
code and of the SymPy and mpmath versions. Change any of them and the old
entries simply stop matching. Only successes are stored: a failure is always
recomputed, so a step can never be rejected (or a corrupted step accepted)
because of what an earlier run saw.

A second table keeps the verdict of a whole verified step, keyed by everything its
claims are built from (the step's expression, relation and payload, its reference
steps, the model, the seed and the code fingerprint): a warm run neither builds
claims nor proves them.

Where: ``$MLEDERIVE_CACHE`` (a file path; ``off`` disables it), else
``$XDG_CACHE_HOME/mlederive/claims.sqlite`` (``~/.cache/…``). The cache is an
optimisation only: if the file cannot be opened, read or written, it is
switched off for the process and nothing else changes.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

_OFF = ("off", "0", "no", "false", "")

_state: dict = {}


def location() -> Path | None:
    env = os.environ.get("MLEDERIVE_CACHE")
    if env is not None:
        return None if env.strip().lower() in _OFF else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlederive" / "claims.sqlite"


def fingerprint() -> str:
    """mlederive's source files, SymPy's and mpmath's versions: anything that could change an outcome."""
    if "fingerprint" not in _state:
        import mpmath
        import sympy

        h = hashlib.sha256()
        h.update(("sympy %s mpmath %s" % (sympy.__version__, mpmath.__version__)).encode())
        root = Path(__file__).resolve().parent.parent  # the whole package
        for path in sorted(root.rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
        _state["fingerprint"] = h.hexdigest()
    return _state["fingerprint"]


def _connection():
    """The open cache, or None when it is off or unusable (then it stays off for this process)."""
    where = location()
    if where is None:
        return None
    if _state.get("path") != where:
        old = _state.pop("conn", None)
        if old is not None:
            old.close()
        _state["path"] = where
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(where), timeout=5, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE IF NOT EXISTS outcome (key TEXT PRIMARY KEY, method TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS step (key TEXT PRIMARY KEY, verdict TEXT NOT NULL)")
            _state["conn"] = conn
        except (sqlite3.Error, OSError):
            _state["conn"] = None
    return _state.get("conn")


def enabled() -> bool:
    """True when the cache is on and usable (the key is then worth computing)."""
    return _connection() is not None


def key(*parts: str) -> str:
    h = hashlib.sha256(fingerprint().encode())
    for p in parts:
        h.update(b"\x00")
        h.update(p.encode())
    return h.hexdigest()


def _execute(sql: str, args: tuple = ()):
    """Run one statement; the cursor, or None when the cache is off (an error switches it off)."""
    conn = _connection()
    if conn is None:
        return None
    try:
        return conn.execute(sql, args)
    except sqlite3.Error:
        _state["conn"] = None
        return None


def _value(sql: str, k: str):
    cursor = _execute(sql, (k,))
    row = cursor.fetchone() if cursor is not None else None
    return row[0] if row else None


def lookup(k: str) -> str | None:
    """The method ("symbolic" or "numeric") of a stored success, or None."""
    return _value("SELECT method FROM outcome WHERE key = ?", k)


def store(k: str, method: str) -> None:
    _execute("INSERT OR REPLACE INTO outcome (key, method) VALUES (?, ?)", (k, method))


def lookup_step(k: str) -> dict | None:
    """The stored verdict of a whole verified step (method, detail, scope), or None."""
    verdict = _value("SELECT verdict FROM step WHERE key = ?", k)
    return json.loads(verdict) if verdict is not None else None


def store_step(k: str, verdict: dict) -> None:
    _execute("INSERT OR REPLACE INTO step (key, verdict) VALUES (?, ?)", (k, json.dumps(verdict)))


def clear() -> None:
    """Remove every stored outcome and step verdict (``mlederive cache --clear``)."""
    for table in ("outcome", "step"):
        _execute("DELETE FROM %s" % table)


def count() -> int | None:
    """How many outcomes and step verdicts are stored (None: the cache is off or unusable)."""
    counts = [_execute("SELECT COUNT(*) FROM %s" % table) for table in ("outcome", "step")]
    if any(c is None for c in counts):
        return None
    return sum(c.fetchone()[0] for c in counts)
