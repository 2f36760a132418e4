"""The store: SQLAlchemy 2.0 typed models, one module per aggregate, and the session factory."""

from models.base import Base
from models.catalog import Competitor, Watch
from models.catalogue import OurProduct, ProductMatch  # noqa: F401  (our catalogue, issue 19)
from models.change import Change
from models.crawl import Body, CrawlRun, Observation
from models.listing import ListingSnapshot, ListingSnapshotItem  # noqa: F401
from models.outbox import AlertDelivery, AlertDeliveryChange  # noqa: F401
from models.page_text import PageDiff, PageText  # noqa: F401
from models.product import ProductState
from models.rank import DomainRank, RankCheck, RankResult  # noqa: F401
from models.series import SeriesState  # noqa: F401
from models.site import SitePage, SiteSnapshotRow  # noqa: F401
from models.web import ApiToken, User  # noqa: F401  (the dashboard and API, issue 16)

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
