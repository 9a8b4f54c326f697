from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.test.signals import setting_changed

        from cables import hooks
        from cables.signals import cables_deleted, cables_stored, import_finished, import_started
        from search import indexing
        from search.reader import HOOKS

        # The cable page reaches search through this one hook (cables never imports search).
        hooks.install(HOOKS)

        cables_stored.connect(indexing.on_cables_stored, dispatch_uid="search.cables_stored")
        cables_deleted.connect(indexing.on_cables_deleted, dispatch_uid="search.cables_deleted")
        import_started.connect(indexing.on_import_started, dispatch_uid="search.import_started")
        import_finished.connect(indexing.on_import_finished, dispatch_uid="search.import_finished")
        setting_changed.connect(indexing.on_setting_changed, dispatch_uid="search.settings")
