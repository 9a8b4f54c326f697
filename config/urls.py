from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("search.bookmarks.account_urls")),
    path("", include("search.bookmarks.urls")),
    path("", include("cables.urls")),
    path("", include("search.urls")),
]
