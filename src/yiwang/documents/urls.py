from django.urls import path

from yiwang.documents import views

app_name = "documents"

urlpatterns = [
    path("letter/", views.verify, name="verify"),
]
