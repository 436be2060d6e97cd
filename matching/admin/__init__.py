"""Django admin for matching: settings, programs with their members, memberships with
their slots, connections, requests and preferred lists (one module each). Importing the
package registers them."""

from matching.admin import connections, memberships, programs, settings

__all__ = ["connections", "memberships", "programs", "settings"]
