"""Presentation: renderers that turn a verified document into text, and never compute or check.

Importing the package registers the terminal renderer with the documents, so
``rich.console.Console().print(document)`` works, and the notebook forms (HTML with MathML,
the LaTeX body, Markdown), so a Jupyter cell that evaluates a derivation shows it typeset.
"""
from ..documents import NOTEBOOK, RICH_RENDERER
from .formats import FORMATS
from .terminal import derivation_renderable

if not RICH_RENDERER:
    RICH_RENDERER.append(derivation_renderable)


def _fragment(name: str):
    return lambda document: FORMATS[name].render(document, fragment=True)  # the renderer is imported on use


for _kind in ("html", "latex", "markdown"):
    NOTEBOOK.setdefault(_kind, _fragment(_kind))
