"""Compiling LaTeX with a real pdflatex (an external program: found, never assumed)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .errors import MlederiveError

INSTALL_HINT = ("install TeX Live (Debian/Ubuntu: apt-get install texlive-latex-base texlive-latex-recommended "
                "texlive-latex-extra) or leave out --pdf")


class CompileError(MlederiveError):
    """pdflatex ran and failed: a bug in our LaTeX, not in the user's input."""


def find_pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        raise MlederiveError("--pdf: pdflatex not found on PATH; " + INSTALL_HINT)
    return exe


def first_error(log: str) -> str:
    for line in log.splitlines():
        if line.startswith("!"):
            return line.lstrip("! ").strip()
    return "see the .log file"


def compile_pdf(tex: Path, timeout: float = 120) -> Path:
    """Run pdflatex on ``tex`` in its own directory; return the PDF. Auxiliary files are removed.

    SOURCE_DATE_EPOCH fixes the dates pdfTeX writes, so the same source gives the same PDF.
    """
    exe = find_pdflatex()
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name]
    try:
        proc = subprocess.run(cmd, cwd=tex.parent, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CompileError("pdflatex %s: no result after %d s" % (tex.name, timeout)) from None
    log_path = tex.with_suffix(".log")
    log = log_path.read_text(errors="replace") if log_path.exists() else proc.stdout.decode(errors="replace")
    pdf = tex.with_suffix(".pdf")
    for ext in (".aux", ".log", ".out"):
        aux = tex.with_suffix(ext)
        if aux.exists():
            aux.unlink()
    if proc.returncode != 0 or not pdf.exists():
        raise CompileError("pdflatex %s failed: %s" % (tex.name, first_error(log)))
    return pdf
