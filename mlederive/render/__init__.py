"""Presentation: renderers that turn a verified document into text, and never compute or check.

Importing the package registers the terminal renderer with the documents, so
``rich.console.Console().print(document)`` works.
"""
from ..documents import RICH_RENDERER
from .terminal import derivation_renderable

if not RICH_RENDERER:
    RICH_RENDERER.append(derivation_renderable)
