from django.urls import path

from rebond.interop import views

app_name = "interop"

urlpatterns = [
    path("exports/", views.caseload_exports, name="caseload_exports"),
    path("cases/<uuid:couple_id>/exports/", views.case_exports, name="case_exports"),
    path("cases/<uuid:couple_id>/import/", views.case_import, name="case_import"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
    path("jobs/<uuid:job_id>/status/", views.job_status, name="job_status"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="job_download"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("api/v1/docs/", views.api_docs, name="api_docs"),
    path(
        "account/api-tokens/<uuid:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
]
