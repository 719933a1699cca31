"""X12 EDI input: professional claims from 837P 5010 files (005010X222A1).

`parse_837p` reads the claims of one interchange file; `chemoden.iter_claims` calls
it for a file that starts with an ISA segment. See docs/x12.md for the segments read
and how problems are reported.
"""

from __future__ import annotations

from chemoden.x12.claims837p import IMPLEMENTATION_GUIDE, parse_837p

__all__ = ["IMPLEMENTATION_GUIDE", "parse_837p"]
