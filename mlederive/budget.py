"""A re-entrant wall-clock budget for SymPy work that may not finish.

``with time_budget(1.0): …`` raises :class:`BudgetExceeded` inside the block once a
second has passed. Budgets nest: an inner budget never outlives an outer one, and
leaving an inner budget re-arms the timer for the outer deadline instead of
cancelling it (the old single-timer version let an outer proof run unbounded after
an inner cosmetic rewrite returned). An exception is raised only in the budget whose
deadline passed, carrying that budget's token, so a caller can tell its own expiry
from an enclosing one's (:func:`expired_here`).

SIGALRM only fires in the main thread of a process; elsewhere the block runs
unbounded, which is why only cheap paths may run outside the main thread.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time


class BudgetExceeded(Exception):
    """The block ran past its time budget."""


#: open budgets, innermost last: (deadline on the perf_counter clock, token)
_open: list[tuple[float, object]] = []


def _usable() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


def _arm() -> None:
    """Set the timer for the earliest open deadline (or clear it)."""
    if not _open:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    left = min(deadline for deadline, _ in _open) - time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, max(left, 1e-4))


def _on_alarm(signum, frame):
    now = time.perf_counter()
    expired = [token for deadline, token in _open if deadline <= now]
    if not expired:  # a late signal for a budget already left: wait for the next deadline
        _arm()
        return
    raise BudgetExceeded(expired[0])


@contextlib.contextmanager
def time_budget(seconds: float):
    """Interrupt the block after ``seconds`` (never later than any enclosing budget)."""
    if not _usable():
        yield
        return
    token = object()
    deadline = time.perf_counter() + max(seconds, 0.0)
    outermost = not _open
    previous = signal.signal(signal.SIGALRM, _on_alarm) if outermost else None
    _open.append((deadline, token))
    _arm()
    try:
        yield
    finally:
        _open.remove((deadline, token))
        _arm()
        if outermost:
            signal.signal(signal.SIGALRM, previous)


#: seconds a cosmetic rewrite (simplify, factor) may take before the unrewritten form is kept
COSMETIC_BUDGET = 1.0


def bounded(rewrite, expr, seconds: float = COSMETIC_BUDGET):
    """``rewrite(expr)`` if it finishes within ``seconds``, else ``expr`` unchanged (display only)."""
    try:
        with time_budget(seconds):
            return rewrite(expr)
    except BudgetExceeded as exc:
        if not expired_here(exc):
            raise
        return expr


def expired_here(exc: BudgetExceeded) -> bool:
    """True when the budget that ran out is one already left (the block's own), not an enclosing one.

    A caller that catches the expiry of an enclosing budget must let it go on up: the
    enclosing block is out of time too.
    """
    return not exc.args or all(t is not exc.args[0] for _, t in _open)
