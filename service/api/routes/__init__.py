"""Thin routers: parse the request, call service.api.actions / the repository, present the result."""
