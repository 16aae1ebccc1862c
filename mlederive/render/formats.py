"""The output formats, in one registry: the CLI's ``--format`` choices, the ``-o`` extensions and
``--fragment`` support all come from here. Adding a format is one renderer module and one entry."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Format:
    name: str
    #: what ``--format`` help says
    help: str
    #: file-name endings that select this format with ``-o`` (first: the usual one)
    extensions: tuple = ()
    #: the body alone, to include in another document
    fragment: bool = False
    #: "module:function" rendering (document, fragment) -> text; None for the terminal (a rich console)
    renderer: str | None = None
    #: "module:function" rendering a closed-form MLE result (``mlederive mle``), same signature
    mle_renderer: str | None = None

    def render(self, doc, fragment: bool = False) -> str:
        return self._call(self.renderer, doc, fragment)

    def render_mle(self, result, fragment: bool = False) -> str:
        return self._call(self.mle_renderer, result, fragment)

    def _call(self, where: str, what, fragment: bool) -> str:
        module, _, function = where.partition(":")
        from importlib import (
            import_module,  # only the chosen renderer is imported (cold start)
        )

        render: Callable = getattr(import_module(module, __package__), function)
        return render(what, fragment=fragment) if self.fragment else render(what)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("terminal", "pretty math for the terminal (rich)"),
    Format("json", "the JSON contract for tools", (".json",), renderer=".json:render_json",
           mle_renderer=".mle:render_mle_json"),
    Format("latex", "a standalone LaTeX document (amsmath)", (".tex",), True, ".latex:render_latex",
           ".mle:render_mle_latex"),
    Format("markdown", "Markdown with $$ math", (".md",), True, ".markdown:render_markdown",
           ".mle:render_mle_markdown"),
    Format("html", "a self-contained HTML page, math as MathML (no JavaScript)", (".html", ".htm"), True,
           ".html:render_html", ".mle:render_mle_html"),
)}


def format_for_path(path: str) -> Format | None:
    """The format a file name asks for by its ending, or None."""
    lower = path.lower()
    return next((f for f in FORMATS.values() if any(lower.endswith(e) for e in f.extensions)), None)
