"""Currency text ("$", "zł", "руб", "EUR") to an ISO 4217 code, using what the page tells about itself.

An unambiguous symbol maps directly ("€" -> EUR). An ambiguous one ("$", "kr", "¥") is settled by
the page's country: the language tag ("en-CA"), then the domain's country-code TLD. When nothing
settles it, the raw symbol is kept so nobody is told a wrong code.
"""

from __future__ import annotations

import re

_ISO_CODES = frozenset(
    "AED ARS AUD BAM BGN BHD BRL BYN CAD CHF CLP CNY COP CRC CZK DKK DZD EGP EUR GBP GEL HKD HRK HUF IDR "
    "ILS INR IQD IRR ISK JOD JPY KES KRW KWD KZT LBP LKR MAD MDL MKD MXN MYR NGN NOK NZD OMR PEN PHP PKR "
    "PLN PYG QAR RON RSD RUB SAR SEK SGD THB TND TRY TWD UAH USD UYU VND YER ZAR".split()
)
# Symbols and words that name one currency wherever they appear.
_UNAMBIGUOUS = {
    "€": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "₹": "INR",
    "rs.": "INR",
    "₽": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "р.": "RUB",
    "rur": "RUB",
    "zł": "PLN",
    "zl": "PLN",
    "₩": "KRW",
    "원": "KRW",
    "₺": "TRY",
    "tl": "TRY",
    "₴": "UAH",
    "грн": "UAH",
    "₫": "VND",
    "₪": "ILS",
    'ש"ח': "ILS",
    "฿": "THB",
    "บาท": "THB",
    "r$": "BRL",
    "us$": "USD",
    "usd": "USD",
    "c$": "CAD",
    "ca$": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "nt$": "TWD",
    "rmb": "CNY",
    "円": "JPY",
    "yen": "JPY",
    "kč": "CZK",
    "kc": "CZK",
    "ft": "HUF",
    "lei": "RON",
    "лв": "BGN",
    "лв.": "BGN",
    "kn": "HRK",
    "chf": "CHF",
    "fr.": "CHF",
    "sfr": "CHF",
    "rp": "IDR",
    "rm": "MYR",
    "₱": "PHP",
    "din": "RSD",
    "дин": "RSD",
    "тг": "KZT",
    "₸": "KZT",
    "₦": "NGN",
    "ر.س": "SAR",
    "د.إ": "AED",
    "ر.ي": "YER",
    "ج.م": "EGP",
    "د.ك": "KWD",
    "ر.ق": "QAR",
    "сом": "KGS",
    "ман": "AZN",
    "₼": "AZN",
    "₾": "GEL",
    "ден": "MKD",
    "km": "BAM",
}
# Country when the page says no more: the currency of a country-code TLD.
_COUNTRY_CURRENCY = {
    "US": "USD",
    "CA": "CAD",
    "AU": "AUD",
    "NZ": "NZD",
    "MX": "MXN",
    "AR": "ARS",
    "CL": "CLP",
    "CO": "COP",
    "SG": "SGD",
    "HK": "HKD",
    "TW": "TWD",
    "UY": "UYU",
    "BR": "BRL",
    "SE": "SEK",
    "DK": "DKK",
    "NO": "NOK",
    "IS": "ISK",
    "JP": "JPY",
    "CN": "CNY",
    "IN": "INR",
    "PK": "PKR",
    "LK": "LKR",
    "ZA": "ZAR",
    "PE": "PEN",
    "GB": "GBP",
    "PL": "PLN",
    "RU": "RUB",
    "KR": "KRW",
    "CH": "CHF",
    "CZ": "CZK",
    "HU": "HUF",
    "RO": "RON",
    "NP": "NPR",
    "EC": "USD",
    "SV": "USD",
    "PR": "USD",
    "PA": "USD",
    "TH": "THB",
    "VN": "VND",
    "IL": "ILS",
    "TR": "TRY",
    "UA": "UAH",
    "MY": "MYR",
    "ID": "IDR",
    "PH": "PHP",
    "AE": "AED",
    "SA": "SAR",
    "EG": "EGP",
    "NG": "NGN",
    "KE": "KES",
    "BG": "BGN",
    "RS": "RSD",
    "HR": "EUR",
    "DE": "EUR",
    "FR": "EUR",
    "ES": "EUR",
    "IT": "EUR",
    "NL": "EUR",
    "BE": "EUR",
    "AT": "EUR",
    "PT": "EUR",
    "IE": "EUR",
    "FI": "EUR",
    "GR": "EUR",
    "SK": "EUR",
    "SI": "EUR",
    "LT": "EUR",
    "LV": "EUR",
    "EE": "EUR",
    "LU": "EUR",
}


def _of(*countries: str) -> dict[str, str]:
    """The currencies of `countries`, as `_COUNTRY_CURRENCY` has them."""
    return {country: _COUNTRY_CURRENCY[country] for country in countries}


# Symbols shared by several currencies, resolved by country.
_BY_COUNTRY = {
    # "$" (and Brazil's "R$"); the last countries' currencies are only read with the symbol, never
    # assumed for an amount without one (they are not in _COUNTRY_CURRENCY)
    "$": _of("US", "EC", "SV", "PR", "PA", "CA", "AU", "NZ", "MX", "AR", "CL", "CO", "SG", "HK", "TW", "UY", "BR")
    | {"DO": "DOP", "JM": "JMD", "TT": "TTD", "BS": "BSD", "FJ": "FJD", "NA": "NAD", "LR": "LRD"},
    "kr": _of("SE", "DK", "NO", "IS"),
    "kr.": _of("SE", "DK", "NO", "IS"),
    "¥": _of("JP", "CN"),
    "rs": _of("IN", "PK", "LK", "NP"),
    "₨": _of("IN", "PK", "LK", "NP"),
    "元": _of("CN", "TW", "HK"),
    "円": _of("JP"),
    "r": _of("ZA"),
    "s/": _of("PE"),
}
_TLD_COUNTRY = {"uk": "GB", "com": "US"}  # ".com" is mostly US-dollar shops when "$" is all we have
# Languages spoken (for shopping) in one country only: their tag settles "kr", "¥", "元" without a region.
_LANGUAGE_COUNTRY = {
    "ja": "JP",
    "sv": "SE",
    "da": "DK",
    "nb": "NO",
    "nn": "NO",
    "no": "NO",
    "is": "IS",
    "ko": "KR",
    "zh-hant": "TW",
    "zh": "CN",
    "cs": "CZ",
    "pl": "PL",
    "hu": "HU",
    "ro": "RO",
    "uk": "UA",
    "th": "TH",
    "vi": "VN",
    "he": "IL",
    "tr": "TR",
}


_ISO_CODES = _ISO_CODES | frozenset(_UNAMBIGUOUS.values()) | frozenset(_COUNTRY_CURRENCY.values())
_ISO_CODES = _ISO_CODES | frozenset(code for options in _BY_COUNTRY.values() for code in options.values())


def country_of(url: str = "", lang: str | None = None) -> str | None:
    """The country a page addresses: region of its language tag ("de-CH"), else its ccTLD."""
    if lang:
        match = re.match(r"^[a-zA-Z]{2,3}[-_]([a-zA-Z]{2})\b", lang.strip())
        if match:
            return match.group(1).upper()
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(tld) == 2 and tld.isalpha():
        return _TLD_COUNTRY.get(tld, tld.upper())
    if lang:
        low = lang.strip().lower().replace("_", "-")
        country = _LANGUAGE_COUNTRY.get(low) or _LANGUAGE_COUNTRY.get(low.split("-", 1)[0])
        if country:
            return country
    if lang and not lang.lower().startswith("en"):
        return None  # a Spanish ".com" page with "$" may be Chilean or Mexican: do not guess
    return _TLD_COUNTRY.get(tld)


def to_iso(currency: str | None, url: str = "", lang: str | None = None) -> str | None:
    """ISO 4217 code for a currency text when the page tells enough, else the text itself (or None)."""
    if not currency:
        return None
    raw = currency.strip()
    key = raw.lower()
    if raw.upper() in _ISO_CODES:
        return "RUB" if raw.upper() == "RUR" else raw.upper()
    if key == "rur":
        return "RUB"
    if key in _UNAMBIGUOUS:
        return _UNAMBIGUOUS[key]
    options = _BY_COUNTRY.get(key)
    if options:
        country = country_of(url, lang)
        if country in options:
            return options[country]
    return raw or None


def iso_options(symbol: str | None) -> set[str]:
    """The ISO codes an ambiguous symbol can stand for ("$" -> USD, CAD, ...); empty when not ambiguous."""
    if not symbol:
        return set()
    return set(_BY_COUNTRY.get(symbol.strip().lower(), {}).values())


def currency_of_country(url: str = "", lang: str | None = None) -> str | None:
    """The currency a page's country uses, for amounts shown without any symbol."""
    country = country_of(url, lang)
    return _COUNTRY_CURRENCY.get(country) if country else None
