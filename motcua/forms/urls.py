app_name = "forms"

urlpatterns: list = []  # type: ignore[type-arg]
