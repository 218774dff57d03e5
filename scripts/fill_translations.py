"""Fill the English catalogue from chuangwen/locale/en_terms.tsv (Chinese msgid → English).

The interface is written in Chinese (the msgids); English comes from this glossary. Run by
`make messages`, which then compiles the catalogue; untranslated strings stay Chinese.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "chuangwen/locale/en/LC_MESSAGES/django.po"
TERMS = ROOT / "chuangwen/locale/en_terms.tsv"


def main() -> int:
    terms = dict(line.split("\t", 1) for line in TERMS.read_text().splitlines() if "\t" in line)
    text = PO.read_text()
    filled = 0

    def fill(match: re.Match) -> str:
        nonlocal filled
        msgid = match.group(1)
        english = terms.get(msgid)
        if english is None:
            return match.group(0)
        filled += 1
        return f'msgid "{msgid}"\nmsgstr "{english.strip()}"'

    # only empty translations: a filled multi-line one also starts with `msgstr ""`, followed
    # by its continuation lines
    text = re.sub(r'^msgid "(.+)"\nmsgstr ""$(?!\n")', fill, text, flags=re.M)
    # the header is ours, not fuzzy (other fuzzy entries stay for a translator to review)
    text = re.sub(r'\A((?:#.*\n)*?)#, fuzzy\nmsgid ""\n', r'\1msgid ""\n', text)
    PO.write_text(text)
    print(f"{filled} of {len(terms)} glossary entries used")
    return 0


if __name__ == "__main__":
    sys.exit(main())
