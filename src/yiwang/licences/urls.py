from django.urls import path

from yiwang.licences import views

app_name = "licences"

urlpatterns = [
    path("licence/<str:number>/", views.verify, name="verify"),
]
