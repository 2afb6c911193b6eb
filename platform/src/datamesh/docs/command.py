"""``mesh docs DOMAIN``: dbt's docs of a domain, its upstream models documented like its own."""

from __future__ import annotations

import argparse

from datamesh.command_args import command_parser, root_of, warehouse_of

DESCRIPTION = """\
Run dbt docs generate for one domain (the platform's profile, no data read), then fill each
upstream model it reads, which dbt's plugin API leaves "not currently documented", from the
producer's registry entry: description, owner and group, columns with descriptions, types and
constraints, contract and version, in manifest.json and catalog.json. Writes them with dbt's
index.html and a one-file static_index.html to the warehouse's docs folder for the domain
(printed at the end)."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "docs", summary="dbt docs of a domain, with its upstreams documented",
        description=DESCRIPTION,
        examples=[
            "mesh docs marketing",
            "cd domains/marketing && dbt docs serve --target-path <the folder mesh docs printed>",
        ],
        exit_codes={0: "docs written", 2: "unknown domain, an upstream never published, or "
                    "dbt cannot parse the domain"},
    )  # fmt: skip
    parser.add_argument("domain", help="the domain whose docs to generate")
    parser.set_defaults(func=cmd_docs)


def cmd_docs(args: argparse.Namespace) -> int:
    from datamesh.docs.write_docs import write_domain_docs

    folder, documented = write_domain_docs(root_of(args), warehouse_of(args), args.domain)
    print(f"dbt docs of '{args.domain}' in {folder}: {len(documented)} upstream model "
          f"version(s) documented from the registry")  # fmt: skip
    for unique_id in documented:
        print(f"  {unique_id}")
    print(f"open {folder / 'static_index.html'} in a browser, or run:\n"
          f"  dbt docs serve --project-dir <domain folder> --target-path {folder}")  # fmt: skip
    return 0
