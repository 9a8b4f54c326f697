"""Signal receivers that keep the index in step with the database (connected in apps.py)."""

from __future__ import annotations

import logging

from search.service import get_backend, reset_backend

log = logging.getLogger(__name__)


def on_cables_stored(sender, ids=(), in_import=False, **kwargs) -> None:
    # The cables are committed already: a failure here cannot undo them. It is raised to the
    # importer (which sends robustly), so the import stops and says so instead of reporting
    # success over an index that lacks its cables; `manage.py check_index --repair` fixes it.
    try:
        backend = get_backend()
        if in_import and backend.supports_background_indexing:
            # Written while the import stores the next group; import_finished waits for it.
            backend.index_cables_later(list(ids))  # raises the previous group's failure
        else:
            backend.index_cables(list(ids))
    except Exception:
        # In the background, this may be the previous group's failure, raised now.
        log.exception("indexing stored cables failed; run manage.py check_index --repair")
        raise


def on_import_started(sender, **kwargs) -> None:
    # Opening the index creates it when it is missing and the library is empty: a first import
    # then never leaves searches facing stored cables without an index. A missing index over
    # a non-empty library stays an error, for rebuild_index to fix.
    try:
        get_backend().prepare()
    except Exception:
        log.warning("the search index is not ready; searches answer 503 until rebuild_index")


def on_import_finished(sender, **kwargs) -> None:
    # However the import ended, what it stored is committed to the index before it returns
    # (a failure is raised to the importer, which reports it).
    backend = get_backend()
    if backend.supports_background_indexing:
        backend.wait_for_indexing()


def on_cables_deleted(sender, ids=(), **kwargs) -> None:
    try:
        get_backend().delete_cables(list(ids))
    except Exception:
        log.exception(
            "removing %d cables from the index failed; run check_index --repair", len(ids)
        )


def on_setting_changed(sender, setting, **kwargs) -> None:
    if setting in ("SEARCH_INDEX_DIR", "CABLESEARCH_SEARCH_BACKEND", "CABLESEARCH_SEARCH_OPTIONS"):
        reset_backend()
