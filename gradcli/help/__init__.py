"""The user docs that ship inside the package, for ``gradcli help TOPIC``.

``language.md``, ``conventions.md``, ``limits.md`` and ``json.md`` here are
copies of the files in ``docs/`` (a ``pip install`` has no ``docs/``).
``python scripts/sync_help.py`` refreshes them, and a test keeps them equal.
"""

from __future__ import annotations

from importlib import resources

#: Topic name -> one-line description, in the order ``gradcli help`` lists them.
TOPICS = {
    "language": "the expression language: names, kinds, operators, functions",
    "conventions": "layouts, shapes and the conventions behind each result",
    "limits": "what gradcli refuses or cannot check, and the limits on input",
    "json": "the JSON output and batch format, key by key",
}


def topic_text(topic: str) -> str:
    """The Markdown of ``topic`` (a key of ``TOPICS``); ``KeyError`` for another name."""
    if topic not in TOPICS:
        raise KeyError(topic)
    return resources.files(__name__).joinpath(f"{topic}.md").read_text(encoding="utf-8")


def topic_list() -> str:
    """The topics, one per line, with how to show one."""
    width = max(len(t) for t in TOPICS)
    lines = [f"  {name:<{width}}  {what}" for name, what in TOPICS.items()]
    return "\n".join(["Topics (gradcli help TOPIC):", "", *lines])
