"""The time budget: expires on time, nests, and leaving an inner budget keeps the outer one armed."""
import time

import pytest

from mlederive.budget import BudgetExceeded, bounded, expired_here, time_budget


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_budget_interrupts_a_long_block():
    start = time.perf_counter()
    with pytest.raises(BudgetExceeded):
        with time_budget(0.1):
            spin(5)
    assert time.perf_counter() - start < 2


def test_a_block_within_its_budget_is_not_interrupted():
    with time_budget(1.0):
        spin(0.05)
    spin(0.2)  # and no stray alarm fires afterwards


def test_leaving_an_inner_budget_keeps_the_outer_one():
    # the old single-timer budget cancelled the outer timer here, and the outer block ran unbounded
    start = time.perf_counter()
    with pytest.raises(BudgetExceeded) as info:
        with time_budget(0.3):
            with time_budget(5.0):
                spin(0.01)
            spin(5)
    assert time.perf_counter() - start < 2
    assert expired_here(info.value)


def test_an_inner_budget_never_outlives_the_outer_one():
    start = time.perf_counter()
    with pytest.raises(BudgetExceeded):
        with time_budget(0.2):
            bounded(lambda e: spin(5) or e, 1, seconds=10)  # the outer expiry is not swallowed as the inner's
    assert time.perf_counter() - start < 2


def test_bounded_keeps_the_expression_when_its_own_budget_runs_out():
    assert bounded(lambda e: spin(5) or "rewritten", "kept", seconds=0.1) == "kept"
    assert bounded(lambda e: "rewritten", "kept", seconds=1) == "rewritten"
    with time_budget(2.0):
        assert bounded(lambda e: spin(5) or "rewritten", "kept", seconds=0.1) == "kept"
        spin(0.05)  # the outer budget is still armed and has time left


def test_a_budget_counts_cpu_time_not_waiting():
    # a proof's budget is CPU time: a process that waits for the processor (a loaded machine) keeps its budget, so a
    # verdict does not depend on the load; time.sleep stands in for the wait
    with time_budget(0.1):
        time.sleep(0.3)
        spin(0.02)


def test_an_expiry_swallowed_by_a_gc_callback_is_raised_again():
    # hypothesis registers a gc callback; an alarm that lands in it raises BudgetExceeded there, and Python prints
    # "Exception ignored" and goes on — without a second alarm the block would then run unbounded
    import gc

    swallowed = []

    def callback(phase, info):
        if phase == "start":
            try:
                spin(0.2)  # the alarm lands here, inside the callback
            except BudgetExceeded as exc:
                swallowed.append(exc)  # and is lost, as Python loses it

    gc.callbacks.append(callback)
    try:
        with pytest.raises(BudgetExceeded):
            with time_budget(0.05):
                gc.collect()
                spin(5)
    finally:
        gc.callbacks.remove(callback)
    assert swallowed  # the first expiry was lost in the callback; the block was still interrupted
