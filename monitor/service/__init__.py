"""The long-running service (`rivalwatch serve`): scheduler, crawl workers, dispatcher, heartbeat."""

from monitor.service.service import Service, ServiceError, ServiceOptions, ServiceStats

__all__ = ["Service", "ServiceError", "ServiceOptions", "ServiceStats"]
