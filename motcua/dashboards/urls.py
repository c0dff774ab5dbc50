app_name = "dashboards"

urlpatterns: list = []  # type: ignore[type-arg]
