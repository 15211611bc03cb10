app_name = "landing"
urlpatterns: list = []
