"""Who may do what: roles come from memberships, and gates answer 404 to the rest.

A page or endpoint a user may not see answers 404 rather than 403, so that a
stranger cannot learn what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from opus.core.models import Membership, Organisation, Role, User

# The dashboard a user lands on is that of their first role in this order.
ROLE_PRECEDENCE = [
    Role.ADMIN,
    Role.COMMISSIONER,
    Role.AUDITOR,
    Role.COUNCILLOR,
    Role.PROVIDER,
    Role.CHAMPION,
    Role.RESIDENT,
]


def user_roles(user: Any) -> frozenset[str]:
    """The roles a user holds through any membership (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_opus_roles", None)
    if cached is None:
        cached = frozenset(Membership.objects.filter(user=user).values_list("role", flat=True))
        user._opus_roles = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def primary_role(user: Any) -> str | None:
    held = user_roles(user)
    return next((role.value for role in ROLE_PRECEDENCE if role in held), None)


def organisations_for(user: User, role: str) -> list[Organisation]:
    """The organisations through which a user holds a role."""
    return list(
        Organisation.objects.filter(memberships__user=user, memberships__role=role).distinct()
    )


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Gate a view: sign-in first, then 404 unless the user holds one of the roles."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise Http404("Page not found")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
