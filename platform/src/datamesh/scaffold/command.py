"""``mesh init``: a new domain that ``mesh build`` builds and publishes at once."""

from __future__ import annotations

import argparse
import os

from datamesh.command_args import command_parser, root_of, warehouse_of

DESCRIPTION = """\
Create domains/<domain>/: dbt_project.yml (the mesh description and the group), profiles.yml
(your dev target), dependencies.yml (the producers it consumes), models/_groups.yml (the
owner), a seed with its staging model, one public contracted mart reading the first consumed
model (two-argument ref pinned to its version, columns and types from the producer's
published interface), one YAML per model and an expectations file. It builds at once with
mesh build; edit it from there. Refuses an existing domain, an unknown producer, model or
version."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "init", summary="create a new domain that builds at once",
        description=DESCRIPTION,
        examples=[
            "mesh init loyalty",
            "mesh init loyalty --consumes sales.fct_orders --owner 'Loyalty Team <loyalty@x.com>'",
            "mesh init churn --consumes customers.dim_customers@2 --consumes sales.fct_orders",
        ],
        exit_codes={0: "the domain was written", 2: "the name is taken or invalid, or a "
                    "producer, model or version does not exist"},
    )  # fmt: skip
    parser.add_argument("domain", help="the new domain's name (a dbt project name)")
    parser.add_argument(
        "--consumes", action="append", default=[], metavar="DOMAIN.MODEL[@VERSION]",
        help="a public model of another domain to read (repeatable); without @VERSION, its "
        "latest version, pinned",
    )  # fmt: skip
    parser.add_argument(
        "--owner", default=None, metavar="'NAME <EMAIL>'",
        help="owner of the domain's group (default: '<Domain> Team')",
    )  # fmt: skip
    parser.add_argument(
        "--description", default=None, help="the domain's description (vars.mesh.description)"
    )
    parser.set_defaults(func=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    from datamesh.scaffold.files import Owner, parse_owner
    from datamesh.scaffold.init_domain import init_domain

    name = args.domain
    owner = parse_owner(args.owner) if args.owner else Owner(f"{name.title()} Team")
    description = args.description or f"The {name} domain: describe what it publishes."
    root = root_of(args)
    folder, written = init_domain(
        root, warehouse_of(args), name, consumes=args.consumes, owner=owner,
        description=description,
    )  # fmt: skip
    shown = os.path.relpath(folder)
    print(f"created domain '{name}' in {shown}/:")
    for path in written:
        print(f"  {path.relative_to(folder)}")
    print(
        "\nnext steps:\n"
        f"  mesh build -s {name}            build, audit and publish it\n"
        f"  mesh check                       governance rules and the breaking-change gate\n"
        f"  cd {shown} && dbt build     your dev target, reading producers' published data\n"
        "  then replace the seed with your source, write the mart's logic, and describe it"
    )
    return 0
