from django.urls import path

from vbe.concerns import awaiting, case_page, lists, reporting, views

app_name = "concerns"
urlpatterns = [
    path("", reporting.guide, name="guide"),
    path("rapportera/", reporting.report, name="report"),
    path("kvitto/<str:reference>/", reporting.receipt, name="receipt"),
    path("mina/", lists.my_reports, name="mine"),
    path("arenden/", lists.case_list, name="case_list"),
    # Waiting for a new coordinator: the central coordinator hands it over without reading it.
    path("vantar-pa-samordnare/<str:reference>/", awaiting.hand_over, name="awaiting_hand_over"),
    path("arenden/<str:reference>/", case_page.detail, name="detail"),
    path("arenden/<str:reference>/personnummer/", case_page.reveal_personnummer, name="reveal_personnummer"),
    path("arenden/<str:reference>/nasta-steg/", views.advance, name="advance"),
    path("arenden/<str:reference>/bedomning/", views.assess, name="assess"),
    path("arenden/<str:reference>/atgard/", views.add_action, name="add_action"),
    path("arenden/<str:reference>/samtycke/", views.add_consent, name="add_consent"),
    path("arenden/<str:reference>/hanvisning/", views.refer, name="refer"),
    path(
        "arenden/<str:reference>/samtycke/<int:consent_id>/aterkalla/", views.withdraw_consent, name="withdraw_consent"
    ),
    path("arenden/<str:reference>/avsluta/", views.close, name="close"),
    path("arenden/<str:reference>/handlaggare/", views.assign, name="assign"),
    path("arenden/<str:reference>/overlamna/", views.transfer, name="transfer"),
    path("arenden/<str:reference>/rojande/", views.disclose, name="disclose"),
    path(
        "arenden/<str:reference>/rojande/<int:disclosure_id>/aterkalla/",
        views.withdraw_disclosure,
        name="withdraw_disclosure",
    ),
    path("arenden/<str:reference>/bevarande/", views.legal_hold, name="legal_hold"),
]
