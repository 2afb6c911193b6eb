"""A type the mesh's engine does not know: the failed build names model, column, type, engine."""

from __future__ import annotations

from datamesh.write.engine_types import explain_unknown_type, is_unknown_type

DUCKDB_ERROR = (
    "Runtime Error in model orders (models/orders.sql)\n"
    "  Catalog Error: Type with name timestamp_ntz does not exist!\n"
    '  Did you mean "timestamptz"?\n\n  LINE 12:     cast(null as timestamp_ntz)\n'
)


def _node(version: int | None = None, **types: str) -> dict:
    return {
        "package_name": "shop",
        "name": "orders",
        "version": version,
        "patch_path": "shop://models/orders.yml",
        "original_file_path": "models/orders.sql",
        "columns": {name: {"name": name, "data_type": t} for name, t in types.items()},
    }


def test_names_model_column_type_and_engine() -> None:
    node = _node(order_id="integer", ordered_at="TIMESTAMP_NTZ")
    assert explain_unknown_type(DUCKDB_ERROR, node) == (
        "model 'shop.orders' column 'ordered_at' (models/orders.yml): contract type "
        "'TIMESTAMP_NTZ' does not exist in duckdb, the mesh's engine; did you mean 'timestamptz'?"
    )


def test_a_versioned_model_and_every_column_of_that_type() -> None:
    message = "Catalog Error: Type with name number does not exist!"
    node = _node(2, amount="number(10, 2)", tax="NUMBER", n="integer")
    sentence = explain_unknown_type(message, node)
    assert sentence is not None
    assert "model 'shop.orders v2' column 'amount' (models/orders.yml): contract type " in sentence
    assert "column 'tax'" in sentence and "column 'n'" not in sentence
    assert "did you mean" not in sentence  # DuckDB offered nothing


def test_a_type_in_the_sql_rather_than_the_contract() -> None:
    sentence = explain_unknown_type(DUCKDB_ERROR, _node(order_id="integer"))
    assert sentence == (
        "model 'shop.orders' (models/orders.sql) uses type 'timestamp_ntz', which does not exist "
        "in duckdb, the mesh's engine; did you mean 'timestamptz'?"
    )


def test_other_errors_are_left_to_dbts_own_words() -> None:
    message = 'Binder Error: Referenced column "amount" not found'
    assert not is_unknown_type(message)
    assert explain_unknown_type(message, _node(amount="double")) is None
    assert is_unknown_type(DUCKDB_ERROR)
