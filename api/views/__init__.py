"""The API's endpoints, one module per resource; ``api/urls.py`` registers them."""
