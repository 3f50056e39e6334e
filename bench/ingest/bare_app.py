"""The ingestion benchmark's baseline: a bare Flask endpoint inserting one row into the same database.

Served by gunicorn with the same workers as Tandem; one POST = one INSERT and one COMMIT, nothing else.
"""
from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import text

from surveys.db import make_engine

app = Flask(__name__)
engine = make_engine(os.environ["TANDEM_DATABASE_URL"])  # Tandem's own engine settings (WAL, timeouts)


@app.post("/bare")
def bare():
    """Insert the posted body as one row."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO bench_bare (body) VALUES (:body)"), {"body": request.get_data(as_text=True)})
    return "", 204
