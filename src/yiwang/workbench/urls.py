from django.urls import path

from yiwang.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("done/", views.done, name="done"),
    path("pledge-checks/", views.pledge_checks, name="pledge_checks"),
    path("cases/<str:number>/", views.case, name="case"),
    path("cases/<str:number>/act/<str:action>", views.act, name="act"),
    path("cases/<str:number>/materials/<int:material_id>", views.material, name="material"),
    path("cases/<str:number>/documents/<int:document_id>.pdf", views.document, name="document"),
    path("cases/<str:number>/licence.pdf", views.licence, name="licence"),
    path("cases/<str:number>/licence/revoke", views.revoke_licence, name="revoke_licence"),
    path("cases/<str:number>/pledge-check", views.pledge_check, name="pledge_check"),
]
