"""Verify evidence chains from the command line: `python -m store.verify [subject_id ...]`.

With no subject, every subject in the ledger is checked. Exit status 1 names the first broken entry.
"""

from __future__ import annotations

import argparse
import sys

from settings import Settings
from store.evidence import subjects, verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("subjects", nargs="*", help="onboarding or case ids (default: all)")
    parser.add_argument("--database-url", help="default: CASEGUARD_DATABASE_URL or var/")
    args = parser.parse_args(argv)
    db_url = args.database_url or Settings().db_url
    broken = 0
    for subject in args.subjects or subjects(db_url):
        result = verify(db_url, subject)
        if result.valid:
            redacted = f" ({result.redacted} redacted by retention)" if result.redacted else ""
            print(f"ok      {subject}: {result.entries} entries{redacted}, head {result.head}")
        else:
            broken += 1
            print(f"BROKEN  {subject}: {result.reason}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
