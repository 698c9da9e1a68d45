from django.urls import path

from yiwang.licences import views

app_name = "licences"

urlpatterns = [
    path("licence/", views.verify_form, name="verify_form"),
    path("licence/<str:number>/", views.verify, name="verify"),
]
