"""HTTP API (FastAPI). ``service.api.main.create_app()`` builds the application."""
