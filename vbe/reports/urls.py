from django.urls import path

from vbe.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("efterlevnad/", views.compliance, name="compliance"),
    path("efterlevnad/<int:year>.xlsx", views.compliance_xlsx, name="compliance_xlsx"),
    path("efterlevnad/<int:year>/<slug:slug>/", views.compliance_detail, name="compliance_detail"),
    path("tackning/", views.coverage, name="coverage"),
    path("tackning/<int:year>.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
    path("nulagesrapport/", views.status_report_list, name="status_report_list"),
    path("nulagesrapport/<int:year>/", views.status_report, name="status_report"),
    path("nulagesrapport/<int:year>/status/", views.status_report_state, name="status_report_state"),
    path("nulagesrapport/<int:year>.pdf", views.status_report_pdf, name="status_report_pdf"),
    path("nulagesrapport/<int:year>.docx", views.status_report_docx, name="status_report_docx"),
    path("planer/<int:pk>.pdf", views.plan_pdf, name="plan_pdf"),
    path("planer/<int:pk>.docx", views.plan_docx, name="plan_docx"),
]
