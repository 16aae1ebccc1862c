"""The mutation audit of the verifier (issues 11 and 22): python benchmarks/soundness.py [--pairs N] [--code M]
[--workers W] [--only NAME …]

Targets: every step of every built-in recipe (derivations and the articles' arguments), of N family-link pairs (all
15 families and all 12 links among them), of the generated-code documents of M pairs (NumPy and XGBoost: the steps
from the loss to what the code computes, and every branch of every helper they use), and every closed-form MLE
estimate. Each is mutated with the operators of tests/mutations.py; each mutation is judged by the independent
ground truth of tests/ground_truth.py (points over the whole domain and near the mutation's numbers, 60 digits) and
then verified. Reported: mutations tried, witnessed wrong, false accepts (witnessed wrong, yet verified), unwitnessed
(no point tells; listed by operator, not dropped silently), equal rewrites and false rejects, crashes (an exception
out of verify), and verdicts that change when a step is verified again. The cache is off.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor

os.environ["MLEDERIVE_CACHE"] = "off"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

#: every REPEAT-th mutation is verified a second time: the verdict must be the same
REPEAT = 10


def pairs(count: int) -> list[str]:
    """``count`` family-link pairs, every family and every link among them (canonical or natural link first)."""
    from mlederive.families import FAMILIES
    from mlederive.links import LINKS

    chosen, links_seen = [], set()
    per_family = {name: fam.allowed_links() for name, fam in FAMILIES.items() if not fam.one_hot}
    for name, allowed in per_family.items():  # one each: the family's first (canonical) link
        chosen.append((name, allowed[0]))
        links_seen.add(allowed[0])
    for link in LINKS:  # then every link not yet used, with the first family that accepts it
        if link not in links_seen:
            fam = next((f for f, allowed in per_family.items() if link in allowed and (f, link) not in chosen), None)
            if fam is not None:
                chosen.append((fam, link))
                links_seen.add(link)
    uses = {link: sum(1 for _, l in chosen if l == link) for link in LINKS}
    while len(chosen) < count:  # fill up over the families, each time with its least-used link
        added = False
        for name, allowed in per_family.items():
            left = [l for l in allowed if (name, l) not in chosen]
            if left and len(chosen) < count:
                link = min(left, key=lambda l: (uses[l], l))
                chosen.append((name, link))
                uses[link] += 1
                added = True
        if not added:
            break
    return ["%s-%s" % p for p in chosen] + ["categorical-softmax"]


def _judge(name, d, mutations, index_base=0) -> list[tuple]:
    from mutations import witnessed_wrong

    from mlederive.verification import check_step

    rows = []
    for n, m in enumerate(mutations):
        try:
            truth = witnessed_wrong(d, d.step(m.step_id), m)
        except (RecursionError, TypeError, ValueError, AttributeError, NotImplementedError):
            truth = None
        start = time.perf_counter()
        try:
            check = check_step(d, m.step)
            verified, method, crash = check.verified, check.method.value, ""
        except Exception as exc:  # noqa: BLE001 — the audit counts what leaves verify()
            verified, method, crash = False, "crash", "%s: %s" % (type(exc).__name__, str(exc)[:100])
            traceback.print_exc(limit=2)
        seconds = time.perf_counter() - start
        again = None
        if not crash and (index_base + n) % REPEAT == 0:
            again = check_step(d, m.step).verified
        rows.append((m.kind, name, m.step_id, m.relation, m.operator, method, verified, truth, crash, again, seconds))
    return rows


def audit(name: str) -> list[tuple]:
    from mutations import corpus

    from mlederive import derive

    d = derive(name)
    if not d.verified:
        return [("unverified-original", name, "", "", "", "", False, None, "", None, 0.0)]
    return _judge(name, d, corpus(name, d))


def audit_code(pair: str) -> list[tuple]:
    from mutation_targets import code_corpus, code_documents

    rows = []
    for name, doc, step_ids in code_documents(pair):
        if not doc.verified:
            rows.append(("unverified-original", name, "", "", "", "", False, None, "", None, 0.0))
            continue
        rows += _judge(name, doc, code_corpus(name, doc, step_ids))
    return rows


def audit_mle(family: str) -> list[tuple]:
    from mutation_targets import mle_mutations

    return [("wrong", "mle:" + m.family, m.parameter, "mle", m.operator, "symbolic", m.verified, m.witnessed, "",
             None, 0.0) for m in mle_mutations(family)]


def _run(job):
    kind, name = job
    try:
        return {"derive": audit, "code": audit_code, "mle": audit_mle}[kind](name)
    except Exception as exc:  # noqa: BLE001 — a target that cannot even be built is reported, not fatal
        return [("target-error", name, "", "", "", "", False, None, "%s: %s" % (type(exc).__name__, exc), None, 0.0)]


def report(rows, elapsed, workers, counts) -> int:
    wrong = [r for r in rows if r[0] == "wrong"]
    equal = [r for r in rows if r[0] == "equivalent"]
    witnessed = [r for r in wrong if r[7] is True]
    unwitnessed = [r for r in wrong if r[7] is not True]
    false_accepts = [r for r in witnessed if r[6]]
    equal_known = [r for r in equal if r[7] is False]
    false_rejects = [r for r in equal_known if not r[6]]
    crashes = [r for r in rows if r[8]]
    repeated = [r for r in rows if r[9] is not None]
    changed = [r for r in repeated if r[9] != r[6]]
    print("targets: %s; %.0f s with %d workers" % (", ".join("%d %s" % (v, k) for k, v in counts.items()), elapsed,
                                                   workers))
    print("wrong mutations: %d tried, %d witnessed wrong by the ground truth, %d unwitnessed; FALSE ACCEPTS: %d"
          % (len(wrong), len(witnessed), len(unwitnessed), len(false_accepts)))
    print("equivalent rewrites: %d tried, %d equal at every point; FALSE REJECTS: %d (%.2f %%)"
          % (len(equal), len(equal_known), len(false_rejects), 100 * len(false_rejects) / max(len(equal_known), 1)))
    print("crashes: %d; verdicts verified twice: %d, changed: %d" % (len(crashes), len(repeated), len(changed)))
    times = sorted(r[10] for r in rows if r[0] in ("wrong", "equivalent") and r[5] != "crash")
    if times:
        print("seconds per verdict: median %.2f, 99th percentile %.2f, most %.2f"
              % (times[len(times) // 2], times[int(0.99 * (len(times) - 1))], times[-1]))
    for title, rows_, key in (("witnessed wrong, by relation", witnessed, 3), ("witnessed wrong, by operator", witnessed, 4),
                              ("equivalents, by operator", equal_known, 4)):
        print(title + ":")
        counted = collections.Counter(r[key] for r in rows_)
        bad = collections.Counter(r[key] for r in rows_ if r[6] == (r[0] == "wrong"))
        for k, v in sorted(counted.items()):
            print("  %-28s %5d  %s %d" % (k, v, "false accepts" if rows_ is witnessed else "false rejects", bad[k]))
    print("unwitnessed, by operator (no point of the ground truth tells them from the original):")
    for k, v in sorted(collections.Counter(r[4] for r in unwitnessed).items()):
        print("  %-28s %5d" % (k, v))
    methods = collections.Counter(r[5] for r in witnessed if not r[6])
    print("rejections by method: %s" % dict(methods))
    for r in false_accepts + false_rejects:
        print("  %s: %s %s %s (%s)" % ("FALSE ACCEPT" if r[0] == "wrong" else "FALSE REJECT", r[1], r[2], r[4], r[5]))
    for r in crashes:
        print("  CRASH: %s %s %s: %s" % (r[1], r[2], r[4], r[8]))
    for r in changed:
        print("  CHANGED VERDICT: %s %s %s" % (r[1], r[2], r[4]))
    for r in rows:
        if r[0] in ("unverified-original", "target-error"):
            print("  %s: %s %s" % (r[0], r[1], r[8]))
    return 1 if false_accepts or crashes else 0


def main():
    from mutation_targets import MLE_DATA

    from mlederive.recipe import builtin_names

    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=36)
    parser.add_argument("--code", type=int, default=16, help="pairs whose generated code is audited")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="just these derivations (a quick look)")
    args = parser.parse_args()
    if args.only:
        jobs = [("derive", n) for n in args.only]
    else:
        chosen = pairs(args.pairs)
        jobs = [("derive", n) for n in builtin_names() + chosen]
        jobs += [("code", n) for n in chosen[:args.code]]
        jobs += [("mle", f) for f in MLE_DATA]
    counts = collections.Counter(kind for kind, _ in jobs)
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = [r for chunk in pool.map(_run, jobs) for r in chunk]
    return report(rows, time.perf_counter() - start, args.workers, counts)


if __name__ == "__main__":
    sys.exit(main())
