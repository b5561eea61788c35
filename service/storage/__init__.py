"""Storage: SQLAlchemy models, engine/sessions (db.py), repository functions, users."""
