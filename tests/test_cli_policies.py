"""The ``chemoden policies`` listing and the policy file errors of ``chemoden validate --policy``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chemoden.cli import EXIT_INPUT, EXIT_OK, main
from chemoden.coverage import bundled_policies
from conftest import FIXTURES

SAMPLES = FIXTURES / "samples" / "claims.json"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def policy_block(text: str, policy_id: str) -> str:
    """Return the lines of one policy in the listing, from its header to the blank line."""
    blocks = [block for block in text.split("\n\n") if block.startswith(f"{policy_id}  ")]
    assert len(blocks) == 1, policy_id
    return blocks[0]


# chemoden policies


def test_policies_lists_every_bundled_policy() -> None:
    status, out, err = run("policies")
    assert status == EXIT_OK
    assert err == ""
    for policy in bundled_policies():
        block = policy_block(out, policy.id)
        assert policy.title in block.splitlines()[0]
        assert policy.jurisdiction is not None
        assert f"contractor:       {policy.jurisdiction.contractor}" in block
        assert f"jurisdiction:     {policy.jurisdiction.jurisdiction}" in block
        assert ", ".join(policy.jurisdiction.states) in block
        version_lines = [line for line in block.splitlines() if line.startswith("    v")]
        assert len(version_lines) == len(policy.versions)


def test_policies_shows_payer_values_for_noridian_je() -> None:
    block = policy_block(run("policies")[1], "L35170")
    assert "contract numbers: 01111, 01112, 01182, 01211, 01212, 01311, 01312, 01911" in block
    assert "states:           CA, HI, NV, AS, GU, MP\n" in block + "\n"


def test_policies_version_lines() -> None:
    block = policy_block(run("policies")[1], "L35170")
    lines = block.splitlines()
    assert (
        "    v54  2015-10-01 to 2026-02-21 [dates unconfirmed]  "
        "Botulinum Toxin Types A and B Policy; article A57185 v27"
    ) in lines
    assert "    v60  2026-02-22 to open  Botulinum Toxin Injections; article A57185" in lines


def test_policies_tells_apart_article_revisions() -> None:
    block = policy_block(run("policies")[1], "L35172")
    assert "2025-10-01 to 2026-02-21 [dates unconfirmed]" in block
    assert "article A57186 R10" in block
    assert "article A57186 R12 or earlier [unconfirmed]" in block
    assert "article A57186 R13" in block


def test_policies_marks_doubtful_states_and_missing_article() -> None:
    block = policy_block(run("policies")[1], "L39857")
    assert "states:           KY, OH [unconfirmed]" in block
    assert "contract numbers: not recorded" in block
    assert "article not known" in block


def test_policies_names_successor() -> None:
    block = policy_block(run("policies")[1], "L34635")
    assert "replaced by:      L39909" in block


# chemoden validate --policy FILE


def test_missing_policy_file_message(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    status, out, err = run("validate", "--policy", str(missing), str(SAMPLES))
    assert status == EXIT_INPUT
    assert out == ""
    assert err == f"chemoden: {missing}: policy file not found; check the path\n"
    assert "Errno" not in err


@pytest.mark.parametrize(
    ("text", "position", "detail"),
    [
        ("id = \n", "line 1, column 6", "invalid value"),
        ('id = "X"\n[versions\n', "line 2, column 10", "expected ']' at the end of a table declaration"),
        ('id = "X"\nlist = [1,\n', "end of file", "invalid value"),
    ],
)
def test_policy_syntax_error_message(tmp_path: Path, text: str, position: str, detail: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    status, _, err = run("validate", "--policy", str(path), str(SAMPLES))
    assert status == EXIT_INPUT
    assert err == f"chemoden: {path}: {position}: invalid TOML ({detail}); fix the syntax there\n"
    assert "(got" not in err


def test_policy_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "Politique d\u00e9riv\u00e9e"\n'.encode("latin-1"))
    status, _, err = run("validate", "--policy", str(path), str(SAMPLES))
    assert status == EXIT_INPUT
    assert err == f"chemoden: {path}: byte offset 20: invalid text; save the policy file as UTF-8\n"


def test_policy_path_is_directory(tmp_path: Path) -> None:
    status, _, err = run("validate", "--policy", str(tmp_path), str(SAMPLES))
    assert status == EXIT_INPUT
    assert err.startswith(f"chemoden: {tmp_path}: policy file could not be read (")
    assert "Errno" not in err
