"""The watchlist's keys, read from its pydantic models: which model a path leads to (for did-you-mean
on unknown keys) and the key reference `rivalwatch check --keys` prints.

The models are the one source: a key's type, default and description (`Field(description=...)`)
are written once, where it is validated, and the reference follows them.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from monitor.config.durations import format_duration, parse_duration

_SEQUENCES = (list, tuple, set, frozenset)
_SCALARS: dict[Any, str] = {
    str: "text",
    int: "integer",
    float: "number",
    bool: "true/false",
    Decimal: "decimal",
    time: "HH:MM",
}


def unwrap(tp: Any) -> Any:
    """The type under `Annotated[...]` and `X | None`."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(tp):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        else:
            return tp


def list_item_type(tp: Any) -> Any | None:
    """The item type of a list field (`list[ProductWatch]` -> ProductWatch), else None."""
    tp = unwrap(tp)
    return get_args(tp)[0] if get_origin(tp) in _SEQUENCES and get_args(tp) else None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model whose keys are allowed at `loc` (`products, 0, actions, 1` -> PageAction), if any."""
    tp: Any = root
    for part in loc:
        tp = unwrap(tp)
        if _is_model(tp):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            tp = field.annotation
        elif get_origin(tp) in _SEQUENCES and get_args(tp):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict and get_args(tp):
            tp = get_args(tp)[1]
        else:
            return None
    tp = unwrap(tp)
    return tp if _is_model(tp) else None


def _is_duration(field: FieldInfo) -> bool:
    validators = [*field.metadata, *(m for a in [field.annotation] for m in _annotated_metadata(a))]
    return any(getattr(v, "func", None) is parse_duration for v in validators)


def _annotated_metadata(tp: Any) -> Iterator[Any]:
    if get_origin(tp) is Annotated:
        yield from get_args(tp)[1:]
    for arg in get_args(tp):
        if get_origin(arg) is Annotated:
            yield from get_args(arg)[1:]


def type_name(tp: Any) -> str:
    """A type as users read it: `http | browser`, `list of text`, `mapping of engine settings`."""
    tp = unwrap(tp)
    origin = get_origin(tp)
    if origin is Literal:
        return " | ".join(str(a) for a in get_args(tp))
    if origin in _SEQUENCES:
        return f"list of {type_name(get_args(tp)[0])}" if get_args(tp) else "list"
    if origin is dict:
        key, value = get_args(tp) or (str, str)
        return f"mapping {type_name(key)} -> {type_name(value)}"
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(a) for a in get_args(tp))
    if _is_model(tp):
        return "mapping"
    return _SCALARS.get(tp, getattr(tp, "__name__", str(tp)))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if field.default_factory is not None:
        try:
            value = field.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "-"
    if value is None or value is PydanticUndefined or value in ([], {}) or isinstance(value, BaseModel):
        return "-"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _is_duration(field):
        return format_duration(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class KeyDoc:
    """One key of the watchlist: where it goes, what it takes, its default, what it does."""

    path: str  # products[].selectors, keywords[].access.<engine>.min_delay
    type: str
    default: str
    description: str


def _child_prefix(prefix: str, name: str, tp: Any) -> tuple[str, Any]:
    """The path under which a nested model's keys are listed, and that model."""
    tp = unwrap(tp)
    path = f"{prefix}{name}"
    while True:
        origin = get_origin(tp)
        if origin in _SEQUENCES and get_args(tp):
            path, tp = f"{path}[]", unwrap(get_args(tp)[0])
        elif origin is dict and get_args(tp):
            path, tp = f"{path}.<key>", unwrap(get_args(tp)[1])
        else:
            return path, tp


def _in_reading_order(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """A model's fields, those of its first base first: a watch's `url`, `competitor` and schedule
    (WatchFields) before its kind's options (pydantic lists the fields of base classes first)."""
    declared_in = {}
    for depth, cls in enumerate(model.__mro__):
        for name in vars(cls).get("__annotations__", {}):
            declared_in.setdefault(name, depth)
    fields = list(model.model_fields.items())
    return sorted(fields, key=lambda item: declared_in.get(item[0], 0))


def key_reference(model: type[BaseModel], prefix: str = "") -> list[KeyDoc]:
    """Every key of a model and of the models under it, in the order they are declared."""
    docs: list[KeyDoc] = []
    for name, field in _in_reading_order(model):
        kind = "duration (90s, 15m, 6h, 1d)" if _is_duration(field) else type_name(field.annotation)
        docs.append(KeyDoc(f"{prefix}{name}", kind, _default(field), field.description or ""))
        path, child = _child_prefix(prefix, name, field.annotation)
        if _is_model(child):
            docs += key_reference(child, f"{path}.")
    return docs
