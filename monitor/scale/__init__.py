"""Scale-out: one scheduler, many crawl workers and dispatchers sharing PostgreSQL and a Redis queue.

`rivalwatch serve --role scheduler|worker|dispatcher` runs one of these roles (`roles.py`); `all`,
the default, is the single-process service (`monitor.service`), unchanged. The queue is a Redis
Stream read through a consumer group (`queue.py`), the scheduler's lease a Redis lock (`leader.py`),
the members' heartbeats Redis hashes with a TTL (`members.py`); politeness across workers lives on
the crawl side (`spiders.shared_politeness`), configured by the settings `politeness_settings` gives.
"""
