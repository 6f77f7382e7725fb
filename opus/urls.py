from django.urls import include, path

from opus.api import api
from opus.directory.oruk import api as oruk_api

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/oruk/", oruk_api.urls),
    path("needs/", include("opus.needs.urls")),
    path("directory/", include("opus.directory.urls")),
    path("choose/", include("opus.choice.urls")),
    path("good-practice/", include("opus.knowledge.urls")),
    path("budgets/", include("opus.budgets.urls")),
    path("commissioning/", include("opus.commissioning.urls")),
    path("notifications/", include("opus.notifications.urls")),
    path("neighbourhoods/", include("opus.neighbourhoods.urls")),
    path("voice/", include("opus.voice.urls")),
    path("allocation/", include("opus.allocation.urls")),
    path("", include("opus.core.urls")),
]

handler403 = "opus.core.views.error_403"
handler404 = "opus.core.views.error_404"
handler500 = "opus.core.views.error_500"
