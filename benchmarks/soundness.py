"""The mutation audit of the verifier (issue 11): python benchmarks/soundness.py [--pairs N] [--workers W]

Every step of every built-in recipe and of N family-link pairs (all 15 families and all 12 links
covered) is mutated with the operators of tests/mutations.py; each mutation is judged by an
independent 50-digit ground truth and then verified. Reported: mutations tried, witnessed wrong,
false accepts (witnessed wrong, yet verified), rewrites that are equal, false rejects (equal, yet
rejected) — by relation, by operator and by the method of the verdict. The cache is off.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

os.environ["MLEDERIVE_CACHE"] = "off"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))


def pairs(count: int) -> list[str]:
    """``count`` family-link pairs, every family and every link among them (canonical or natural link first)."""
    from mlederive.families import FAMILIES
    from mlederive.links import LINKS

    chosen, links_seen = [], set()
    per_family = {name: fam.allowed_links() for name, fam in FAMILIES.items() if not fam.vector}
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


def audit(name: str) -> list[tuple]:
    from mlederive import derive
    from mlederive.verification import check_step
    from mutations import corpus, witnessed_wrong

    d = derive(name)
    if not d.verified:
        return [("unverified-original", name, "", "", "", "", False, None)]
    rows = []
    for m in corpus(name, d):
        try:
            truth = witnessed_wrong(d, d.step(m.step_id), m)
        except (RecursionError, TypeError, ValueError):
            truth = None
        check = check_step(d, m.step)
        rows.append((m.kind, name, m.step_id, m.relation, m.operator, check.method.value, check.verified, truth))
    return rows


def main():
    from mlederive.recipe import builtin_names

    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=36)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    names = builtin_names() + pairs(args.pairs)
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = [r for chunk in pool.map(audit, names) for r in chunk]
    elapsed = time.perf_counter() - start
    wrong = [r for r in rows if r[0] == "wrong"]
    equal = [r for r in rows if r[0] == "equivalent"]
    witnessed = [r for r in wrong if r[7] is True]
    false_accepts = [r for r in witnessed if r[6]]
    equal_known = [r for r in equal if r[7] is False]
    false_rejects = [r for r in equal_known if not r[6]]
    print("documents: %d (%d built-in recipes, %d family-link pairs); %.0f s with %d workers"
          % (len(names), len(builtin_names()), len(names) - len(builtin_names()), elapsed, args.workers))
    print("mutations tried: %d wrong-by-construction, %d witnessed wrong at a 50-digit point; false accepts: %d"
          % (len(wrong), len(witnessed), len(false_accepts)))
    print("equivalent rewrites: %d tried, %d equal at every point; false rejects: %d"
          % (len(equal), len(equal_known), len(false_rejects)))
    for title, rows_, key in (("witnessed wrong, by relation", witnessed, 3), ("witnessed wrong, by operator", witnessed, 4),
                              ("equivalents, by operator", equal_known, 4)):
        print(title + ":")
        counts = collections.Counter(r[key] for r in rows_)
        bad = collections.Counter(r[key] for r in rows_ if r[6] == (r[0] == "wrong"))
        for k, v in sorted(counts.items()):
            print("  %-28s %5d  %s %d" % (k, v, "false accepts" if rows_ is witnessed else "false rejects", bad[k]))
    methods = collections.Counter(r[5] for r in witnessed if not r[6])
    print("rejections by method: %s" % dict(methods))
    for r in false_accepts + false_rejects:
        print("  %s: %s %s %s (%s)" % ("FALSE ACCEPT" if r[0] == "wrong" else "FALSE REJECT", r[1], r[2], r[4], r[5]))
    unverified = [r for r in rows if r[0] == "unverified-original"]
    for r in unverified:
        print("  original not verified: %s" % r[1])
    return 1 if false_accepts else 0


if __name__ == "__main__":
    sys.exit(main())
