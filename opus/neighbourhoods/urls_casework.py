"""Routes of councillors' casework (joined to urls.py's namespace)."""

from django.urls import URLPattern, path

from opus.neighbourhoods import views_casework as views

urlpatterns: list[URLPattern] = [
    path("casework/", views.case_list, name="case_list"),
    path("casework/new/", views.case_new, name="case_new"),
    path("casework/<int:pk>/", views.case_detail, name="case_detail"),
    path("casework/<int:pk>/start/", views.case_start, name="case_start"),
    path("casework/<int:pk>/refer/", views.case_refer, name="case_refer"),
    path("casework/<int:pk>/answer/", views.case_answer, name="case_answer"),
    path("casework/<int:pk>/close/", views.case_close, name="case_close"),
]
