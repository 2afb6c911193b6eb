from __future__ import annotations

from pathlib import Path

import pytest

from datamesh.check.config import find_config, load_config
from datamesh.check.rules import RULES
from datamesh.errors import MeshError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mesh_check.yml"
    path.write_text(text)
    return path


def test_reads_overrides_and_waivers(tmp_path):
    path = write(
        tmp_path,
        "rules:\n  unused-public-model: {severity: off}\n"
        "waivers:\n  - {rule: public-contract, model: sales.fct_orders, reason: legacy feed}\n",
    )
    config = load_config(path, RULES)
    assert config.severities == {"unused-public-model": "off"}
    (waiver,) = config.waivers
    assert (waiver.domain, waiver.model, waiver.reason) == ("sales", "fct_orders", "legacy feed")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("waivers:\n  - {rule: public-contract, model: sales.fct_orders}\n", "has no reason"),
        ("waivers:\n  - {rule: public-contract, model: sales.x, reason: ' '}\n", "has no reason"),
        ("waivers:\n  - {rule: nope, model: sales.x, reason: r}\n", "unknown rule 'nope'"),
        (
            "waivers:\n  - {rule: public-contract, model: fct_orders, reason: r}\n",
            "<domain>.<model>",
        ),
        ("rules:\n  nope: {severity: error}\n", "unknown rule 'nope'"),
        ("rules:\n  public-contract: {severity: fatal}\n", "severity must be one of"),
        ("rule: {}\n", "unknown key(s) rule"),
        ("rules: [\n", "invalid YAML"),
    ],
)
def test_config_mistakes_name_the_file(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(MeshError) as raised:
        load_config(path, RULES)
    assert str(path) in str(raised.value) and words in str(raised.value)
    assert raised.value.exit_code == 2


def test_found_at_the_repo_root_above_the_mesh(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "domains" / "sales").mkdir(parents=True)
    assert find_config(tmp_path / "domains") is None
    path = write(tmp_path, "rules: {}\n")
    assert find_config(tmp_path / "domains") == path
