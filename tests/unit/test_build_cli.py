"""``mesh build`` flags reach the build options."""

from __future__ import annotations

from datamesh.cli import build_parser


def test_pipeline_is_on_unless_turned_off() -> None:
    parser = build_parser()
    assert parser.parse_args(["build"]).pipeline is True
    args = parser.parse_args(["build", "--no-pipeline", "-s", "sales+", "--workers", "3"])
    assert args.pipeline is False and args.select == ["sales+"] and args.workers == 3
