"""The backoffice service: enrolled devices, their health, the event intake and the staff pages.

One FastAPI app (`backoffice.app.create_app`) on SQLAlchemy; SQLite on one machine, PostgreSQL for a city.
"""
