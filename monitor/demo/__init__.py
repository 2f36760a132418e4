"""The bundled demo market: seeded simulated competitor shops served over HTTP on 127.0.0.1.

Used by `rivalwatch demo`, by the tests and by the benchmarks. See `market.DemoMarket`.
"""

from monitor.demo.catalogue import Catalogue, ProductTruth, sim_date
from monitor.demo.market import DemoMarket
from monitor.demo.shops import DELTA_SELECTORS, GAMMA_SELECTORS, HTTP_SHOPS, HUALI_SELECTORS, SHOPS

__all__ = [
    "DELTA_SELECTORS",
    "GAMMA_SELECTORS",
    "HTTP_SHOPS",
    "HUALI_SELECTORS",
    "SHOPS",
    "Catalogue",
    "DemoMarket",
    "ProductTruth",
    "sim_date",
]
