from django.urls import path, re_path

from cables import converters  # noqa: F401 - registers <cable_id:>

from . import export, feeds, stories, views

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
    path("bookmarks/cables/<cable_id:cable_id>/mark/", views.mark_paragraph, name="mark_paragraph"),
    path("bookmarks/stories/", stories.create_story, name="create_story"),
    path("bookmarks/stories/<int:pk>/", stories.story_page, name="story"),
    path("bookmarks/stories/<int:pk>/dossier/", stories.dossier, name="dossier"),
    path("bookmarks/stories/<int:pk>/export.csv", stories.export_story_csv, name="story_csv"),
    path("bookmarks/stories/<int:pk>/export.json", stories.export_story_json, name="story_json"),
    path("bookmarks/stories/<int:pk>/rename/", stories.rename_story, name="rename_story"),
    path("bookmarks/stories/<int:pk>/delete/", stories.delete_story, name="delete_story"),
    path("bookmarks/stories/<int:pk>/share/", stories.share_story, name="share_story"),
    path("bookmarks/stories/<int:pk>/cables/", stories.add_cable, name="story_add"),
    path(
        "bookmarks/stories/<int:pk>/cables/<cable_id:cable_id>/remove/",
        stories.remove_cable,
        name="story_remove",
    ),
    re_path(r"^shared/(?P<token>[A-Za-z0-9_-]{1,64})/$", stories.shared_story, name="shared"),
    re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{1,64})\.atom$", feeds.saved_search_feed, name="feed"),
]
