from django.urls import path

from opus.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("write/", views.entry_new, name="entry_new"),
    path("yours/", views.your_entries, name="your_entries"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/<slug:slug>/", views.entry_review, name="entry_review"),
    path("<slug:slug>/", views.entry_detail, name="entry_detail"),
    path("<slug:slug>/edit/", views.entry_edit, name="entry_edit"),
    path("<slug:slug>/submit/", views.entry_submit, name="entry_submit"),
    path("<slug:slug>/publish/", views.entry_publish, name="entry_publish"),
    path("<slug:slug>/return/", views.entry_return, name="entry_return"),
]
