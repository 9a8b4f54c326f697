from django.urls import path

from cables import converters, views  # noqa: F401 - converters registers <cable_id:>

app_name = "cables"

urlpatterns = [
    # Before the detail route: "07MOSCOW5100.json" is a valid path segment.
    path("cables/<cable_id:cable_id>.json", views.cable_json, name="json"),
    path("cables/<cable_id:cable_id>/raw", views.cable_raw, name="raw"),
    path("cables/<cable_id:cable_id>/diff", views.cable_diff, name="diff"),
    path(
        "cables/<cable_id:cable_id>/sources/<int:source_id>/original",
        views.cable_original,
        name="original",
    ),
    path("cables/<cable_id:cable_id>/thread/", views.cable_thread, name="thread"),
    path("cables/<cable_id:cable_id>/", views.cable_detail, name="detail"),
]
