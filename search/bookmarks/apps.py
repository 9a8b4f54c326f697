from django.apps import AppConfig


class BookmarksConfig(AppConfig):
    name = "search.bookmarks"
    label = "bookmarks"
    verbose_name = "Accounts and bookmarks"
