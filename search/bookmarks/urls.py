from django.urls import path, re_path

from cables import converters  # noqa: F401 - registers <cable_id:>

from . import export, feeds, views

app_name = "bookmarks"

urlpatterns = [
    path("bookmarks/", views.index, name="index"),
    path("bookmarks/export.csv", export.export_csv, name="export_csv"),
    path("bookmarks/export.json", export.export_json, name="export_json"),
    path("bookmarks/searches/", views.save_search, name="save_search"),
    path("bookmarks/searches/<int:pk>/open/", views.open_search, name="open_search"),
    path("bookmarks/searches/<int:pk>/rename/", views.rename_search, name="rename_search"),
    path("bookmarks/searches/<int:pk>/delete/", views.delete_search, name="delete_search"),
    path("bookmarks/searches/<int:pk>/token/", views.regenerate_token, name="regenerate_token"),
    path("bookmarks/cables/<cable_id:cable_id>/star/", views.star, name="star"),
    path("bookmarks/cables/<cable_id:cable_id>/note/", views.edit_note, name="edit_note"),
    re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{1,64})\.atom$", feeds.saved_search_feed, name="feed"),
]
