"""The crawl side's records (spiders' dataclasses) made from the watchlist's models, field by name.

A crawl-side record such as `CrawlLimits` or `PageFilter` names its fields as the watchlist model it
is read from does, so each field is declared twice (in the model, with its checks and its help; in
the record) but copied across in one place, here: a field added to both is carried without a third
edit, and a field the record names otherwise or keeps in another type is the only one spelt out.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def crawl_record(record: type[R], model: BaseModel, **given: Any) -> R:
    """`record` with every field that `model` has under the same name (copied, so the record never
    shares a list with the model), and `given` for the rest: fields the model names otherwise, and
    fields the record keeps in another type (a tuple where the model has a list)."""
    names = {f.name for f in fields(record)} & set(type(model).model_fields) - given.keys()
    return record(**model.model_dump(include=names), **given)
