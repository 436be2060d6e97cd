from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Stable pages however rows are added meanwhile: newest first, by id."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
