"""Fill the English catalogue from chuangwen/locale/en_terms.tsv (Chinese msgid → English).

The interface is written in Chinese (the msgids); English comes from this glossary. Run by
`make messages`, which then compiles the catalogue; untranslated strings stay Chinese.

The glossary holds msgids and translations as written in the .po file (``\\"`` and ``\\n``
escaped); a long msgid that the .po file wraps over several lines is matched joined. A
message with a context (``pgettext``: the same Chinese word as a button and as a status) is
matched by ``context::msgid``, and only so. Empty
translations are filled, and so are fuzzy ones (msgmerge's guesses from a similar string,
which gettext ignores): the glossary wins over a guess. Translations made by hand stay.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "chuangwen/locale/en/LC_MESSAGES/django.po"
TERMS = ROOT / "chuangwen/locale/en_terms.tsv"
QUOTED = re.compile(r'^"(.*)"$')


def _joined(lines: list[str]) -> str:
    return "".join(m.group(1) for line in lines if (m := QUOTED.match(line)))


def fill_entry(block: str, terms: dict[str, str]) -> tuple[str, bool]:
    lines = block.split("\n")
    try:
        i_id = next(i for i, line in enumerate(lines) if line.startswith("msgid "))
        i_str = next(i for i, line in enumerate(lines) if line.startswith("msgstr "))
    except StopIteration:
        return block, False
    msgid = _joined([lines[i_id][6:], *lines[i_id + 1 : i_str]])
    i_ctx = next((i for i, line in enumerate(lines) if line.startswith("msgctxt ")), None)
    key = (
        msgid
        if i_ctx is None
        else _joined([lines[i_ctx][8:], *lines[i_ctx + 1 : i_id]]) + "::" + msgid
    )
    msgstr = _joined([lines[i_str][7:], *lines[i_str + 1 :]])
    flags_at = next((i for i, line in enumerate(lines) if line.startswith("#, ")), None)
    flags = [f.strip() for f in lines[flags_at][3:].split(",")] if flags_at is not None else []
    fuzzy = "fuzzy" in flags
    english = terms.get(key)
    if not msgid or english is None or (msgstr and not fuzzy):
        return block, False
    start = i_id if i_ctx is None else i_ctx
    head = [line for line in lines[:start] if not line.startswith("#|")]  # msgmerge's previous id
    if flags_at is not None:
        kept = [f for f in flags if f != "fuzzy"]
        at = head.index(lines[flags_at])
        if kept:
            head[at] = "#, " + ", ".join(kept)
        else:
            del head[at]
    body = [*lines[start:i_str], f'msgstr "{english.strip()}"']
    return "\n".join(head + body), True


def main() -> int:
    terms = dict(line.split("\t", 1) for line in TERMS.read_text().splitlines() if "\t" in line)
    text = PO.read_text()
    # the header is ours, not fuzzy (other fuzzy entries stay for a translator to review)
    text = re.sub(r'\A((?:#.*\n)*?)#, fuzzy\nmsgid ""\n', r'\1msgid ""\n', text)
    blocks = text.split("\n\n")
    filled = 0
    for n, block in enumerate(blocks):
        blocks[n], changed = fill_entry(block, terms)
        filled += changed
    PO.write_text("\n\n".join(blocks))
    print(f"{filled} entries filled from {len(terms)} glossary entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
