from django.urls import path

from search import api, views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="home"),
    path("search", views.search_page, name="index"),
    path("search.json", api.search_json, name="json"),
    path("search.csv", views.search_csv, name="csv"),
    path("search.atom", views.search_atom, name="atom"),
    path("search/facets/<str:facet>", views.facet_values, name="facet"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("help", views.help_page, name="help"),
]
