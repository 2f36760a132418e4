"""The store: SQLAlchemy 2.0 typed models, one module per aggregate, and the session factory."""

from models.base import Base
from models.catalog import Competitor, Watch
from models.change import Change
from models.crawl import Body, CrawlRun, Observation
from models.outbox import AlertDelivery
from models.product import ProductState

__all__ = [
    "AlertDelivery",
    "Base",
    "Body",
    "Change",
    "Competitor",
    "CrawlRun",
    "Observation",
    "ProductState",
    "Watch",
]
