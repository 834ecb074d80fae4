"""The web side: public pages, (later) webmail and administration, and the JSON API, on FastAPI + Jinja2."""
