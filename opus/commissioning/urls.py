from django.urls import path

app_name = "commissioning"

urlpatterns: list[path] = []
