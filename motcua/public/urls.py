app_name = "public"

urlpatterns: list = []  # type: ignore[type-arg]
