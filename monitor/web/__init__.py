"""The web dashboard and the REST API (/api/v1), served by rivalwatch over the same store and query
functions the report and `status` use. `create_app` in app.py builds the ASGI application."""
