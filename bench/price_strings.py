"""Price string benchmark: amount and currency accuracy on real shop strings (price-parser's test data).

Usage, from the repo root:  .venv/bin/python bench/price_strings.py [--show-errors]

Each example is parsed as price-parser's own tests do: the price text with the nearby currency
text as `currency_hint` (and the decimal separator where the example gives one). Prints
rivalwatch's amount accuracy and currency accuracy beside plain price-parser measured in the same
run, and the ratio. Exits 0 with a note when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from price_parser import Price  # noqa: E402

from spiders.extract.price import parse_price  # noqa: E402

SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpora" / "price_strings" / "price_strings.json"


def load_examples(path: Path = CORPUS) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [dict(example, list=name) for name, examples in data["lists"].items() for example in examples]


def expected_amount(example: dict) -> Decimal | None:
    value = example.get("expected_amount")
    return None if value is None else Decimal(str(value))


def ours(example: dict) -> tuple[Decimal | None, str | None]:
    parsed = parse_price(example["price_raw"], example.get("currency_raw"), example.get("decimal_separator"))
    return parsed.amount, parsed.currency


def plain(example: dict) -> tuple[Decimal | None, str | None]:
    price = Price.fromstring(
        example["price_raw"],
        currency_hint=example.get("currency_raw"),
        decimal_separator=example.get("decimal_separator"),
    )
    return price.amount, price.currency


def measure(examples: list[dict], parser) -> tuple[float, float, list[tuple[dict, Decimal | None]]]:
    amount_ok = currency_ok = 0
    wrong: list[tuple[dict, Decimal | None]] = []
    for example in examples:
        amount, currency = parser(example)
        if amount == expected_amount(example):
            amount_ok += 1
        else:
            wrong.append((example, amount))
        currency_ok += currency == example.get("expected_currency")
    return amount_ok / len(examples), currency_ok / len(examples), wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true", help="list the strings whose amount is wrong")
    args = parser.parse_args()
    if not CORPUS.is_file():
        print(f"price_strings corpus not found at {CORPUS} (set RIVALWATCH_SHARED); nothing measured")
        return 0
    examples = load_examples()
    amount, currency, wrong = measure(examples, ours)
    base_amount, base_currency, _ = measure(examples, plain)
    print(f"price strings: {len(examples)} examples from {CORPUS}")
    print(
        f"amount accuracy    rivalwatch {amount:.2%}   price-parser {base_amount:.2%}   ratio {amount / base_amount:.3f}"
    )
    print(f"currency accuracy  rivalwatch {currency:.2%}   price-parser {base_currency:.2%}")
    if args.show_errors:
        for example, got in wrong:
            print(
                f"  {example['list']}: {example['price_raw']!r} hint {example.get('currency_raw')!r} "
                f"got {got} want {example.get('expected_amount')}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
