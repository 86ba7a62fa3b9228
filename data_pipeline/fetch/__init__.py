"""Live refresh: fetch the current public releases into a versioned raw-data cache.

``python -m data_pipeline fetch`` runs one fetcher per source (``data_pipeline/sources/
<source>_fetch.py``, beside its reader) over the datasets listed in
``data_pipeline/sources/registry.toml``. The shared machinery lives here: the HTTP client
with retries and backoff (:mod:`.http`), the cache and its index (:mod:`.cache`), format
checks (:mod:`.checks`), publisher listings (:mod:`.arcgis`, :mod:`.listings`), progress
(:mod:`.progress`), the fetcher registry (:mod:`.fetchers`), the run itself
(:mod:`.runner`) and the command line (:mod:`.cli`).
"""
