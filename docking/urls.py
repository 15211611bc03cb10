from django.urls import path  # noqa: F401  (used by the sections below)

app_name = "docking"
urlpatterns: list = []

# --- Needs, enterprises and matching ---

# --- Leads, meetings, fair schedules and deals ---
