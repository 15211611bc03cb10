from django.urls import path  # noqa: F401  (used by the sections below)

urlpatterns: list = []

# --- Needs and matches ---

# --- Deals and meetings ---
