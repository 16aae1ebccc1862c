"""Writing files safely: all or nothing, and never over a file the user did not give up.

A single file is written to a temporary file in the target's directory and
renamed into place. A set of files (an exam) is written into a temporary
directory next to the target directory and moved in only once every file is
complete; on any error the temporary files are removed.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import MlederiveError


class OutputError(MlederiveError):
    """The output cannot be written where the user asked."""


def _check_dir(directory: Path, what: str) -> None:
    if directory.exists() and not directory.is_dir():
        raise OutputError("%s: %s exists and is not a directory; choose another path" % (what, directory))
    if not directory.exists():
        raise OutputError("%s: directory %s does not exist; create it first" % (what, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError("%s: directory %s is not writable; choose another path" % (what, directory))


def write_file(path: str | os.PathLike, data: str | bytes, force: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; refuse to replace an existing file unless ``force``."""
    target = Path(path)
    if target.is_dir():
        raise OutputError("-o %s: is a directory; give a file name" % target)
    if target.exists() and not force:
        raise OutputError("-o %s: file exists; use --force to overwrite it" % target)
    _check_dir(target.parent if str(target.parent) else Path("."), "-o %s" % target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=".%s." % target.name, suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError("-o %s: cannot write there (%s); choose another path" % (target, exc.strerror)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def write_tree(directory: str | os.PathLike, files: dict[str, str | bytes], force: bool = False,
               finish=None) -> list[Path]:
    """Write ``files`` (name → content) into ``directory``, all or nothing.

    ``directory`` is created if its parent exists. Existing files of the same
    names are replaced only with ``force``. ``finish(tmpdir)``, if given, runs on
    the complete temporary directory before anything is moved (e.g. to compile
    PDFs) and may add files to it; if it raises, nothing is written.
    """
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise OutputError("-o %s: exists and is not a directory; choose another path" % target)
    parent = target.parent if str(target.parent) else Path(".")
    _check_dir(parent, "-o %s" % target)
    if target.exists():
        _check_dir(target, "-o %s" % target)
        clashes = sorted(name for name in files if (target / name).exists())
        if clashes and not force:
            raise OutputError("-o %s: %s already exists; use --force to overwrite" % (target, clashes[0]))
    try:
        staging = Path(tempfile.mkdtemp(prefix=".%s." % target.name, dir=parent))
    except OSError as exc:
        raise OutputError("-o %s: cannot write in %s (%s); choose another path" % (target, parent, exc.strerror)) \
            from None
    try:
        for name, content in files.items():
            payload = content.encode("utf-8") if isinstance(content, str) else content
            (staging / name).write_bytes(payload)
        if finish is not None:
            finish(staging)
        target.mkdir(exist_ok=True)
        written = []
        for item in sorted(staging.iterdir()):
            os.replace(item, target / item.name)
            written.append(target / item.name)
        return written
    except OSError as exc:
        raise OutputError("-o %s: writing failed (%s); nothing was written" % (target, exc.strerror)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
