"""The practical limits of this stack: bare Flask-SQLAlchemy routes on the product's gunicorn settings.

Benchmark only: never registered in the product (gunicorn bench.bare:app). It reads the product's
`reports` table by primary key and inserts into its own `bench_rows` table.
"""

import os
from datetime import datetime

from flask import Flask, abort
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = MetaData()  # its own metadata: the product's models never see these classes


db = SQLAlchemy(model_class=Base)


class BareReport(db.Model):
    """Three columns of the product's reports table, for a bare primary-key load."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30))


class BenchRow(db.Model):
    __tablename__ = "bench_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


def create_bare_app(url=None):
    """Same engine options as the product (pool_pre_ping), nothing else."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url or os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)

    @app.get("/hello")
    def hello():
        return "hello"

    @app.get("/row/<int:row_id>")
    def row(row_id):
        found = db.session.get(BareReport, row_id) or abort(404)
        return f"{found.number} {found.state}"

    @app.post("/insert")
    def insert():
        db.session.add(BenchRow(body="bench", created_at=datetime.now()))
        db.session.commit()
        return "ok", 201

    return app


def create_bench_rows(app):
    """The insert route's table (only it: the reports table is the product's)."""
    with app.app_context():
        BenchRow.__table__.create(db.engine, checkfirst=True)


app = create_bare_app() if os.environ.get("BENCH_BARE_SERVE") else None
