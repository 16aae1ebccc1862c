"""The README's self-contained Python examples run as pasted: each block that makes its own data imports modules the
README generates with `mlederive codegen RECIPE --target T -o NAME.py`; they are generated, and the block runs in a
fresh interpreter beside them."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlederive.codegen import generate

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[str]:
    text = README.read_text()
    return [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "default_rng" in b]


def _generated_modules() -> dict[str, tuple[str, str]]:
    """NAME → (recipe, target) for every `mlederive codegen RECIPE --target T -o NAME.py` in the README."""
    found = re.findall(r"mlederive codegen (\S+) --target (\w+) -o (\w+)\.py", README.read_text())
    return {name: (recipe, target) for recipe, target, name in found}


@pytest.mark.parametrize("block", _blocks(), ids=lambda b: next(line for line in b.split("\n") if "import" in line and "_objective" in line)[:50])
def test_the_readme_example_runs_as_pasted(block, tmp_path):
    modules = _generated_modules()
    used = [name for name in modules if re.search(r"\b(from|import) %s\b" % name, block)]
    assert used, "a self-contained README example imports a module the README generates"
    for name in used:
        recipe, target = modules[name]
        (tmp_path / ("%s.py" % name)).write_text(generate(recipe, target).code)
    out = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
