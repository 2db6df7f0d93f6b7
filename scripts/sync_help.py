"""Copy the user docs into the package, for ``gradcli help TOPIC``.

    python scripts/sync_help.py           # copy docs/<topic>.md to gradcli/help/
    python scripts/sync_help.py --check   # exit 1 if a packaged copy differs

``docs/`` is the source; ``gradcli/help/`` holds the copies that a
``pip install`` carries. ``tests/test_help.py`` fails while they differ.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gradcli.help import TOPICS  # noqa: E402

DOCS = ROOT / "docs"
PACKAGED = ROOT / "gradcli" / "help"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a copy differs")
    args = parser.parse_args(argv)
    stale = []
    for topic in TOPICS:
        source = (DOCS / f"{topic}.md").read_text(encoding="utf-8")
        copy = PACKAGED / f"{topic}.md"
        if copy.exists() and copy.read_text(encoding="utf-8") == source:
            continue
        stale.append(copy)
        if not args.check:
            copy.write_text(source, encoding="utf-8")
            print(f"wrote {copy.relative_to(ROOT)}")
    if args.check and stale:
        print("stale: " + ", ".join(str(p.relative_to(ROOT)) for p in stale), file=sys.stderr)
        print("run: python scripts/sync_help.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
