"""志愿服务证明 as a PDF (WeasyPrint, Debian's CJK fonts), laid out after the
《志愿服务记录与证明出具办法（试行）》: the volunteer's identity, the service time and content,
the issuing organisation with its person in charge, handler and contact, the serial number, the
issue date and the organisation's seal — the uploaded seal image, or, when none is uploaded, a
seal drawn from the organisation's name and marked as such on the certificate."""

import base64
import mimetypes

from django.template.loader import render_to_string

from chuangwen.core import crypto

from .models import Certificate


def _seal_data_uri(cert: Certificate) -> str:
    seal = cert.issuer.seal
    if not seal:
        return ""
    with seal.open("rb") as f:
        data = f.read()
    mime = mimetypes.guess_type(seal.name or "")[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def certificate_context(cert: Certificate) -> dict:
    content = cert.content
    issuer = content.get("issuer", {})
    rows = content.get("rows", [])
    for r in rows:
        r["hours"] = round(r["minutes"] / 60, 2)
    return {
        "cert": cert,
        "name": content.get("name", ""),
        "gender": content.get("gender", ""),
        "id_number": crypto.decrypt(cert.volunteer.id_cipher),
        "rows": rows,
        "total_hours": round(cert.total_minutes / 60, 2),
        "issuer": issuer,
        "seal_uri": _seal_data_uri(cert),
        # the drawn seal: the organisation's name along the ring (one glyph per position)
        "seal_chars": _ring(issuer.get("name", "")),
    }


def _ring(name: str) -> list[dict]:
    """Positions of the name's characters on the upper arc of a 40 mm seal (SVG units)."""
    import math

    chars = list(name)[:20]
    if not chars:
        return []
    span = min(240.0, 18.0 * len(chars))
    start = -90 - span / 2
    step = span / max(1, len(chars) - 1) if len(chars) > 1 else 0
    out = []
    for i, ch in enumerate(chars):
        angle = start + i * step
        rad = math.radians(angle)
        out.append(
            {
                "ch": ch,
                "x": round(100 + 74 * math.cos(rad), 2),
                "y": round(100 + 74 * math.sin(rad), 2),
                "rot": round(angle + 90, 2),
            }
        )
    return out


def certificate_pdf(cert: Certificate) -> bytes:
    from weasyprint import HTML

    html = render_to_string("volunteers/certificate_pdf.html", certificate_context(cert))
    return HTML(string=html).write_pdf()


def certificate_filename(cert: Certificate) -> str:
    return f"志愿服务证明-{cert.content.get('name', '')}-{cert.serial}.pdf"
