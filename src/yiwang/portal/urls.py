from django.urls import path

from yiwang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.my_cases, name="my_cases"),
    path("register/", views.register, name="register"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("drafts/<int:draft_id>/", views.draft, name="draft"),
    path("drafts/<int:draft_id>/autosave/", views.draft_autosave, name="draft_autosave"),
    path(
        "drafts/<int:draft_id>/materials/<int:position>/",
        views.draft_material,
        name="draft_material",
    ),
    path("cases/<str:number>/", views.case, name="case"),
    path("cases/<str:number>/receipt/", views.receipt, name="receipt"),
    path("cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<str:number>/act/<str:action>/", views.case_act, name="case_act"),
    path("cases/<str:number>/materials/<int:position>/", views.case_material, name="case_material"),
    path("cases/<str:number>/rate/", views.rate, name="rate"),
    path("cases/<str:number>/licence.pdf", views.licence, name="licence"),
    path("cases/<str:number>/documents/<int:document_id>.pdf", views.document, name="document"),
]
