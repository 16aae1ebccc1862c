"""A re-entrant budget of CPU time for SymPy work that may not finish.

``with time_budget(1.0): …`` raises :class:`BudgetExceeded` inside the block once the
process has spent a second of CPU time in it. CPU time, not wall time: on a loaded
machine (a test run beside a benchmark, a CI runner shared with others) a proof gets the
same work done before its budget runs out, so a verdict does not depend on the load
(a wall-clock budget turned proofs of 0.8 s into failures when two jobs shared two cores). Budgets nest: an inner budget never outlives an outer one, and
leaving an inner budget re-arms the timer for the outer deadline instead of
cancelling it (the old single-timer version let an outer proof run unbounded after
an inner cosmetic rewrite returned). An exception is raised only in the budget whose
deadline passed, carrying that budget's token, so a caller can tell its own expiry
from an enclosing one's (:func:`expired_here`).

The timer is ITIMER_PROF (SIGPROF, on the clock of :func:`clock`); its signal only reaches
the main thread of a process, elsewhere the block runs unbounded, which is why only cheap
paths may run outside the main thread.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time


class BudgetExceeded(Exception):
    """The block ran past its time budget."""


#: the clock of every budget and deadline: CPU time of this process (user and system), as ITIMER_PROF counts it
clock = time.process_time

#: open budgets, innermost last: (deadline on :data:`clock`, token)
_open: list[tuple[float, object]] = []


def _usable() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


def _arm() -> None:
    """Set the timer for the earliest open deadline (or clear it)."""
    if not _open:
        signal.setitimer(signal.ITIMER_PROF, 0)
        return
    left = min(deadline for deadline, _ in _open) - clock()
    signal.setitimer(signal.ITIMER_PROF, max(left, 1e-4))


def _on_alarm(signum, frame):
    now = clock()
    expired = [token for deadline, token in _open if deadline <= now]
    if not expired:  # a late signal for a budget already left: wait for the next deadline
        _arm()
        return
    # Python swallows an exception raised inside a gc callback or a __del__ ("Exception ignored in …"): fire again
    # soon, so an expiry that was lost is raised once more, in the block's own code (leaving the block re-arms)
    signal.setitimer(signal.ITIMER_PROF, RETRY)
    raise BudgetExceeded(expired[0])


#: seconds of CPU after which an expiry is raised again (in case the first was swallowed)
RETRY = 0.02


@contextlib.contextmanager
def time_budget(seconds: float):
    """Interrupt the block after ``seconds`` (never later than any enclosing budget)."""
    if not _usable():
        yield
        return
    token = object()
    deadline = clock() + max(seconds, 0.0)
    outermost = not _open
    previous = signal.signal(signal.SIGPROF, _on_alarm) if outermost else None
    _open.append((deadline, token))
    _arm()
    try:
        yield
    finally:
        _take_down(deadline, token, outermost, previous)


def _take_down(deadline, token, outermost: bool, previous) -> None:
    """Remove a budget and re-arm the timer for the ones still open. An expiry raised again (RETRY) while this runs
    would otherwise leave the token open for ever — and fire in whatever code runs next (a test runner's report,
    2026-12-06): each attempt is retried until the budget is gone; the late expiry is dropped (an enclosing
    budget that is out of time is re-armed by _arm and fires again in its own block)."""
    while True:
        try:
            signal.setitimer(signal.ITIMER_PROF, 0)
            if (deadline, token) in _open:
                _open.remove((deadline, token))
            _arm()
            if outermost:
                signal.signal(signal.SIGPROF, previous)
            return
        except BudgetExceeded:
            continue


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
