"""The product identifiers reader, where the tests and the catalogue have imported it from.

It lives with the extractor (`spiders.extract.product_identifiers`), which calls it on the JSON-LD it has
already parsed: each product record carries its identifiers (`ProductRecord.identifiers`).
"""

from spiders.extract.product_identifiers import normalise_gtin, read_identifiers

__all__ = ["normalise_gtin", "read_identifiers"]
