"""Exchange rates: read from an ECB-style XML or a CSV, and used to convert a price on its day. Pure.

The ECB publishes, each working day, how many units of ~30 currencies one euro buys
(`eurofxref-daily.xml`; `eurofxref-hist-90d.xml` has 90 days in the same shape). A CSV source gives
`date,currency,rate` rows against a base the watchlist names. A price observed on a day is converted
at the newest rate on or before that day; when a currency has no such rate, or only one older than
`max_age`, the price is not converted and the reason says why: rates are never guessed.
"""

from __future__ import annotations

import bisect
import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from lxml import etree

QUANT = Decimal("0.0001")


class RatesError(ValueError):
    """A rates file or answer that cannot be read; the message says what is wrong with it."""


@dataclass(frozen=True)
class RateRow:
    day: date
    base: str
    currency: str
    rate: Decimal  # 1 base = rate currency


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    rate: Decimal  # 1 source currency = rate target currency
    rate_day: date


@dataclass(frozen=True)
class NoRate:
    reason: str


def parse_ecb_xml(data: bytes) -> list[RateRow]:
    """Rows of an ECB-style XML: `<Cube time="YYYY-MM-DD"><Cube currency="USD" rate="1.0870"/>...`."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise RatesError(f"not XML: {exc}") from None
    rows: list[RateRow] = []
    for day_cube in root.iter("{*}Cube"):
        when = day_cube.get("time")
        if not when:
            continue
        try:
            day = date.fromisoformat(when)
        except ValueError:
            raise RatesError(f"not a date: time={when!r}") from None
        for cube in day_cube:
            currency, rate = cube.get("currency"), cube.get("rate")
            if currency and rate:
                rows.append(RateRow(day, "EUR", currency.upper(), _rate(rate, currency)))
    if not rows:
        raise RatesError("no <Cube time=... currency=... rate=...> rates in the XML")
    return rows


def parse_rates_csv(text: str, base: str) -> list[RateRow]:
    """Rows of a CSV with the columns date, currency, rate (1 base = rate currency)."""
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    missing = {"date", "currency", "rate"} - set(fields)
    if missing:
        raise RatesError(f"the CSV needs the columns date, currency, rate (missing {', '.join(sorted(missing))})")
    rows = []
    for n, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat(row[fields["date"]].strip())
        except ValueError:
            raise RatesError(f"line {n}: not a date: {row[fields['date']]!r}") from None
        currency = row[fields["currency"]].strip().upper()
        rows.append(RateRow(day, base, currency, _rate(row[fields["rate"]], currency, n)))
    if not rows:
        raise RatesError("the CSV has no rates")
    return rows


def parse_rates(data: bytes, base: str = "EUR") -> list[RateRow]:
    """An ECB-style XML or a CSV, told apart by their first character."""
    text = data.decode("utf-8-sig", "replace").lstrip()
    return parse_ecb_xml(data) if text.startswith("<") else parse_rates_csv(text, base)


def _rate(value: str, currency: str, line: int | None = None) -> Decimal:
    where = f"line {line}: " if line else ""
    try:
        rate = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        raise RatesError(f"{where}{currency}: not a rate: {value!r}") from None
    if not rate.is_finite() or rate <= 0:
        raise RatesError(f"{where}{currency}: a rate must be positive, got {value!r}")
    return rate


class RateTable:
    """Rates against one base, by currency and day."""

    def __init__(self, rows: list[RateRow], base: str = "EUR", max_age: timedelta = timedelta(days=7)) -> None:
        self.base = base
        self.max_age = max_age
        series: dict[str, dict[date, Decimal]] = {}
        for row in rows:
            if row.base == base:
                series.setdefault(row.currency, {})[row.day] = row.rate
        self._days = {c: sorted(s) for c, s in series.items()}
        self._rates = {c: [s[d] for d in self._days[c]] for c, s in series.items()}

    def __bool__(self) -> bool:
        return bool(self._days)

    def _against_base(self, currency: str, day: date) -> tuple[Decimal, date] | NoRate:
        if currency == self.base:
            return Decimal(1), day
        days = self._days.get(currency)
        if not days:
            return NoRate(f"no {self.base}/{currency} rate in the rates source")
        i = bisect.bisect_right(days, day) - 1
        if i < 0:
            return NoRate(f"no {self.base}/{currency} rate on or before {day} (the first is of {days[0]})")
        if day - days[i] > self.max_age:
            return NoRate(f"the newest {self.base}/{currency} rate before {day} is of {days[i]}, too old")
        return self._rates[currency][i], days[i]

    def rate(self, source: str, target: str, day: date) -> tuple[Decimal, date] | NoRate:
        """1 `source` = rate `target`, on the newest day both rates are known on or before `day`."""
        if source == target:
            return Decimal(1), day
        a = self._against_base(source, day)
        if isinstance(a, NoRate):
            return a
        b = self._against_base(target, day)
        if isinstance(b, NoRate):
            return b
        return (b[0] / a[0]), min(a[1], b[1])

    def convert(self, amount: Decimal, source: str | None, target: str, day: date) -> Conversion | NoRate:
        if not source:
            return NoRate("the page shows no currency")
        found = self.rate(source.upper(), target, day)
        if isinstance(found, NoRate):
            return found
        rate, rate_day = found
        return Conversion((amount * rate).quantize(QUANT), rate, rate_day)


def ecb_xml(rows: dict[date, dict[str, Decimal]]) -> bytes:
    """An ECB-style XML of EUR rates (the demo writes its market's rates in this shape)."""
    days = "".join(
        f'<Cube time="{day.isoformat()}">'
        + "".join(f'<Cube currency="{c}" rate="{r}"/>' for c, r in sorted(rates.items()))
        + "</Cube>"
        for day, rates in sorted(rows.items(), reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><gesmes:subject>Reference rates</gesmes:subject>'
        f"<Cube>{days}</Cube></gesmes:Envelope>\n"
    ).encode()

