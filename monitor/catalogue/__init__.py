"""Our catalogue and the price matrix: our products (watchlist, CSV, product feed), matching each
competitor product watch to one of ours, currencies, the matrix and its rules' changes.

Pure where possible (`matching`, `titles`, `rates`, `feeds`, `matrix`, `matrix_changes`); the store
side (`products_store`, `rates_store`, `auto_match`, `cells`, `refresh`, `view`) goes through
`models.catalogue` and `models.catalogue_queries`. Reading a source from a URL and running after a
crawl are the edge's (`monitor.catalogue_cycle`): nothing here does crawl I/O.
"""
