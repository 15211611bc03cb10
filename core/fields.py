"""Technology fields shared by tracks, enterprise needs and profiles.

One list, so that "same field" means the same thing when a need is matched with a
project in any event.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TechField(models.TextChoices):
    NEW_ENERGY = "new_energy", _("New energy and storage")
    NEW_MATERIALS = "new_materials", _("New materials")
    BIOMEDICINE = "biomedicine", _("Biomedicine and health")
    DIGITAL = "digital", _("Digital economy and AI")
    MANUFACTURING = "manufacturing", _("Advanced manufacturing")
    ENVIRONMENT = "environment", _("Environment and agriculture")
    MARINE = "marine", _("Marine technology")
    OTHER = "other", _("Other fields")
