"""The default Whoosh backend against the shared backend contract."""

from tests.search.contract import BackendContract


class TestWhooshBackend(BackendContract):
    pass
