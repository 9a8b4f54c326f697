from django.urls import path

from cables import views

app_name = "cables"

urlpatterns = [
    path("cables/<str:cable_id>/", views.cable_detail, name="detail"),
]
