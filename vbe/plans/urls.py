from django.urls import path

from vbe.plans import views, views_duties, views_follow_up, views_lists, views_measures

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("ny/", views.create, name="create"),
    path("att-gora/", views_duties.task_list, name="tasks"),
    path("uppfoljning/<int:year>/", views_follow_up.rollup_view, name="rollup"),
    path("samordnaruppdrag/<slug:slug>/<int:year>/", views_duties.duty_report, name="duty_report"),
    path("atgardslista/<slug:slug>/<int:year>/", views_lists.measure_list, name="measure_list"),
    path("atgardslista/<slug:slug>/<int:year>/ny/", views_lists.measure_list_add, name="measure_list_add"),
    path(
        "atgardslista/<slug:slug>/<int:year>/<int:measure_pk>/", views_lists.measure_list_edit, name="measure_list_edit"
    ),
    path(
        "atgardslista/<slug:slug>/<int:year>/rapportera/", views_lists.measure_list_report, name="measure_list_report"
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/lamna-till-namnden/", views.submit, name="submit"),
    path("<int:pk>/ta-tillbaka/", views.return_to_draft, name="return_to_draft"),
    path("<int:pk>/beslut/", views.decide, name="decide"),
    path("<int:pk>/ny-version/", views.new_version, name="new_version"),
    path("<int:pk>/atgarder/ny/", views_measures.measure_add, name="measure_add"),
    path("<int:pk>/atgarder/<int:measure_pk>/", views_measures.measure_edit, name="measure_edit"),
    path("<int:pk>/atgarder/<int:measure_pk>/ta-bort/", views_measures.measure_delete, name="measure_delete"),
    path("<int:pk>/uppfoljning/<int:year>/", views_follow_up.follow_up, name="follow_up"),
    path("<int:pk>/uppfoljning/<int:year>/klar/", views_follow_up.complete_follow_up, name="follow_up_complete"),
]
