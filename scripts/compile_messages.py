"""Compile every locale/*/LC_MESSAGES/django.po to .mo with polib (no GNU gettext needed)."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    count = 0
    for po_path in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
        print(f"compiled {mo_path.relative_to(ROOT)}")
    return 0 if count >= 0 else 1


if __name__ == "__main__":
    sys.exit(main())
