"""User-facing text of the web pages, Vietnamese first, English on request (``?lang=en`` or the ``lang`` cookie)."""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("vi", "en")

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "product": "Thư điện tử công vụ",
        "home": "Trang chủ",
        "directory": "Danh bạ thư điện tử công vụ",
        "directory_short": "Danh bạ",
        "search": "Tìm kiếm",
        "search_hint": "Tên, cơ quan, địa chỉ… (gõ có dấu hoặc không dấu)",
        "download": "Tải về",
        "agencies": "cơ quan, đơn vị",
        "people": "cán bộ, công chức",
        "agency_mailbox": "Hộp thư cơ quan",
        "full_name": "Họ và tên",
        "position": "Chức vụ",
        "unit": "Phòng",
        "address": "Thư điện tử",
        "no_results": "Không tìm thấy kết quả phù hợp.",
        "welcome": "Hệ thống thư điện tử công vụ và gửi, nhận văn bản điện tử giữa các cơ quan nhà nước.",
        "status_ok": "Hệ thống đang hoạt động",
        "mail_settings": "Cấu hình máy khách thư",
        "language": "English",
        "results_for": "Kết quả cho",
        "footer": "Sử dụng bộ mã Unicode theo TCVN 6909:2001.",
    },
    "en": {
        "product": "Official e-mail",
        "home": "Home",
        "directory": "Directory of official e-mail addresses",
        "directory_short": "Directory",
        "search": "Search",
        "search_hint": "Name, agency, address… (diacritics optional)",
        "download": "Download",
        "agencies": "agencies and units",
        "people": "civil servants",
        "agency_mailbox": "Agency mailbox",
        "full_name": "Full name",
        "position": "Position",
        "unit": "Unit",
        "address": "E-mail",
        "no_results": "Nothing matches.",
        "welcome": "Official e-mail and electronic document exchange between state agencies.",
        "status_ok": "All services running",
        "mail_settings": "Mail client settings",
        "language": "Tiếng Việt",
        "results_for": "Results for",
        "footer": "Unicode text per TCVN 6909:2001.",
    },
}


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or "vi"
    return asked if asked in LANGUAGES else "vi"


def texts(lang: str) -> dict[str, str]:
    return TEXTS[lang]
