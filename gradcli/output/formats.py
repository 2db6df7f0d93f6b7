"""The output formats (``--format``), one enum from the command line to the renderers.

Imports nothing, so the CLI can declare its options without loading the engine.
"""

from __future__ import annotations

from enum import Enum


class Format(str, Enum):
    PRETTY = "pretty"
    TEXT = "text"
    LATEX = "latex"
    NUMPY = "numpy"
    JSON = "json"
    ARRAY_API = "array-api"
