from django.urls import path

from yiwang.public import views

app_name = "public"

urlpatterns = [
    path("items/<str:code>/", views.item_guide, name="item_guide"),
    path("items/<str:code>/qr.svg", views.item_qr, name="item_qr"),
    path(
        "items/<str:code>/samples/<int:position>.pdf",
        views.material_sample,
        name="material_sample",
    ),
    path("progress/", views.progress, name="progress"),
]
