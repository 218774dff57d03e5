"""Text of a WeasyPrint PDF, for tests (no PDF library is installed: pypdf, pdfminer and
poppler's pdftotext are absent). Enough of PDF for what WeasyPrint writes: Flate streams,
object streams, Type0 fonts with ToUnicode CMaps named by their subset tag, TJ / Tj text."""

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*<<(.*?)>>\s*stream\r?\n", re.S)


def _streams(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    out = {}
    for m in _OBJ.finditer(pdf):
        head = m.group(2)
        length = int(re.search(rb"/Length (\d+)", head).group(1))
        data = pdf[m.end() : m.end() + length]
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        out[int(m.group(1))] = (head, data)
    return out


def _objects(pdf: bytes, streams: dict[int, tuple[bytes, bytes]]) -> dict[int, bytes]:
    objs = {}
    for m in re.finditer(rb"(\d+) 0 obj\s*(<<.*?>>)\s*endobj", pdf, re.S):
        objs[int(m.group(1))] = m.group(2)
    for head, data in streams.values():
        if b"/ObjStm" not in head:
            continue
        first = int(re.search(rb"/First (\d+)", head).group(1))
        nums = list(map(int, data[:first].split()))
        pairs = list(zip(nums[::2], nums[1::2], strict=True))
        for i, (num, off) in enumerate(pairs):
            end = pairs[i + 1][1] if i + 1 < len(pairs) else len(data) - first
            objs[num] = data[first + off : first + end]
    return objs


def _cmap(data: bytes) -> dict[int, str]:
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            start = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(start + k)
    return table


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    streams = _streams(pdf)
    objs = _objects(pdf, streams)
    fonts: dict[bytes, dict[int, str]] = {}
    for body in objs.values():
        m = re.search(rb"/BaseFont /([A-Z]{6})\+.*?/ToUnicode (\d+) 0 R", body, re.S)
        if m and int(m.group(2)) in streams:
            fonts[m.group(1)] = _cmap(streams[int(m.group(2))][1])
    lines = []
    for head, data in streams.values():
        if b"/Subtype" in head or b"/ObjStm" in head or b"/XRef" in head or b"BT" not in data:
            continue
        font: dict[int, str] = {}
        for op in re.finditer(
            rb"/(\w+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", data, re.S
        ):
            if op.group(1) is not None:
                font = fonts.get(op.group(1), {})
                continue
            hexes = (
                re.findall(rb"<([0-9a-fA-F]*)>", op.group(2) or b"")
                if op.group(2)
                else [op.group(3)]
            )
            text = ""
            for h in hexes:
                for i in range(0, len(h), 4):
                    text += font.get(int(h[i : i + 4], 16), "")
            lines.append(text)
    return "\n".join(lines)
