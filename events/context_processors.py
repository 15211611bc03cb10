"""What every page's navigation bar shows: the events the signed-in user holds a role in."""

from django.utils.functional import SimpleLazyObject

from .models import Role
from .permissions import roles_for
from .selectors import role_grants_of


def _nav_roles(user) -> dict:
    """Events the user holds a role in, grouped for the navigation bar (one query, evaluated lazily)."""

    organising, judging, taking_part = [], [], []
    dashboards = user.is_staff  # a programme dashboard to read (insights.view somewhere)
    seen: set[tuple[str, int]] = set()
    for grant in role_grants_of(user):
        dashboards = dashboards or grant.role in roles_for("insights.view")
        if grant.role == Role.ORGANISER:
            bucket, key = organising, "organise"
        elif grant.role == Role.JUDGE:
            bucket, key = judging, "judge"
        else:
            bucket, key = taking_part, "part"
        if (key, grant.event_id) not in seen:
            seen.add((key, grant.event_id))
            bucket.append(grant.event)
    return {"organising": organising, "judging": judging, "taking_part": taking_part, "dashboards": dashboards}


def site(request):
    user = getattr(request, "user", None)
    nav = SimpleLazyObject(lambda: _nav_roles(user)) if user is not None and user.is_authenticated else {}
    return {"nav": nav}
