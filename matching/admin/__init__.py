"""Django admin for matching: settings, memberships with their slots, connections,
requests and preferred lists (one module each). Importing the package registers them."""

from matching.admin import connections, memberships, settings

__all__ = ["connections", "memberships", "settings"]
