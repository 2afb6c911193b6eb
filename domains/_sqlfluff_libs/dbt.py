"""The ``dbt.*`` cross-database macros the models call, rendered as plain SQL for linting."""


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def dateadd(datepart: str, interval: int | str, from_date_or_timestamp: str) -> str:
    return f"({from_date_or_timestamp} + interval ({interval}) {datepart})"


def split_part(string_text: str, delimiter_text: str, part_number: int) -> str:
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def safe_cast(field: str, type: str) -> str:  # noqa: A002 - dbt's argument name
    return f"try_cast({field} as {type})"


def concat(fields: list[str]) -> str:
    return "(" + " || ".join(fields) + ")"


def type_string() -> str:
    return "varchar"


def type_int() -> str:
    return "integer"


def type_bigint() -> str:
    return "bigint"


def type_float() -> str:
    return "double"


def type_timestamp() -> str:
    return "timestamp"


def current_timestamp() -> str:
    return "current_timestamp"
