"""The FastAPI application: home page, health endpoint and the public directory (``/danh-ba``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select, text

from congvu import __version__
from congvu.directory.export import ExportFormat, collect, render
from congvu.installation import Installation
from congvu.store.schema import accounts, agencies
from congvu.web.i18n import language, texts

HERE = Path(__file__).parent


def create_app(inst: Installation) -> FastAPI:
    app = FastAPI(title="CôngVụ", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    settings = inst.settings

    def page(request: Request, name: str, **context: object) -> HTMLResponse:
        lang = language(request)
        response = templates.TemplateResponse(request, name, {
            "t": texts(lang), "lang": lang, "other_lang": "en" if lang == "vi" else "vi",
            "org_name": settings.org_name, "domain": settings.domain, **context})
        if request.query_params.get("lang") in ("vi", "en"):
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
        return response

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            with inst.db.read() as conn:
                conn.execute(text("SELECT 1"))
            return JSONResponse({"status": "ok", "version": __version__, "database": "ok"})
        except Exception as exc:  # the health check reports, it does not raise
            return JSONResponse({"status": "error", "database": str(exc)}, status_code=503)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        with inst.db.read() as conn:
            agency_count = conn.execute(select(func.count()).select_from(agencies)
                                        .where(agencies.c.status == "active")).scalar_one()
            people_count = conn.execute(select(func.count()).select_from(accounts).where(
                accounts.c.kind == "person", accounts.c.status == "active")).scalar_one()
        return page(request, "home.html", agency_count=agency_count, people_count=people_count)

    @app.get("/danh-ba", response_class=HTMLResponse)
    def public_directory(request: Request, q: str | None = Query(default=None, max_length=200)) -> HTMLResponse:
        query = (q or "").strip() or None
        data = collect(inst.directory.ctx, inst.directory.agencies, query=query)
        return page(request, "directory.html", data=data, q=query or "",
                    people_total=sum(len(a.people) for a in data))

    @app.get("/danh-ba.{fmt}")
    def public_directory_file(fmt: str, q: str | None = Query(default=None, max_length=200)) -> Response:
        try:
            chosen = ExportFormat(fmt)
        except ValueError:
            return JSONResponse({"error": "Định dạng không hỗ trợ (xlsx, csv, json)."}, status_code=404)
        data = collect(inst.directory.ctx, inst.directory.agencies, query=(q or "").strip() or None)
        body = render(data, chosen, title=f"Danh bạ thư điện tử công vụ — {settings.org_name}")
        media = {ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ExportFormat.CSV: "text/csv; charset=utf-8",
                 ExportFormat.JSON: "application/json"}[chosen]
        return Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="danh-ba-{settings.domain}.{chosen.value}"'})

    return app
