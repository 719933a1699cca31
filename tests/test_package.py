"""Packaging promises: cheap import, typed package, rules reference in sync."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chemoden
from chemoden.docs import rules_markdown

ROOT = Path(__file__).parent.parent


def test_import_reads_no_data() -> None:
    code = (
        "import sys, chemoden\n"
        "from chemoden.reference.coding import coding_tables\n"
        "assert coding_tables.cache_info().currsize == 0\n"
        "heavy = {'pandas', 'polars', 'pyarrow', 'dask', 'pyspark', 'tomllib'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_typed_marker_shipped() -> None:
    assert (Path(chemoden.__file__).parent / "py.typed").exists()


def test_rules_page_matches_registry() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rules_markdown(), "regenerate with: chemoden rules --format markdown > docs/rules.md"


def test_rule_ids_kebab_case() -> None:
    for rule in chemoden.all_rules():
        assert rule.id == rule.id.lower()
        assert " " not in rule.id
        assert "_" not in rule.id
        assert rule.source
        assert rule.summary


def test_exports_match_all() -> None:
    from chemoden import _EXPORTS

    assert sorted(chemoden.__all__) == sorted(["__version__", *_EXPORTS])
    for name in _EXPORTS:
        assert getattr(chemoden, name) is not None


def test_policy_index_matches_files() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_policies", ROOT / "tools" / "build_policies.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    index = (ROOT / "src" / "chemoden" / "data" / "policies" / "index.csv").read_text(encoding="utf-8")
    assert index == module.policy_index(), "regenerate with: python tools/build_policies.py"


def test_validation_reads_only_named_policy() -> None:
    code = (
        "import chemoden\n"
        "from chemoden.coverage.bundled import bundled_policy\n"
        "line = {'code': '64615', 'units': 1, 'diagnosis_pointers': [1]}\n"
        "claim = chemoden.claim_from_dict({'date_of_service': '2026-03-10', 'payer': '01182',\n"
        "    'diagnoses': ['G43.709'], 'lines': [line]})\n"
        "report = chemoden.validate(claim)\n"
        "print(bundled_policy.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"
