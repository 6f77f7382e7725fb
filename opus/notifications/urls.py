from django.urls import path

from opus.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("preferences/", views.preferences, name="preferences"),
    path("failed/", views.failed_list, name="failed"),
]
