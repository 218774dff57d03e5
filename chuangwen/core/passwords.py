import functools
import re

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin


class ComplexityValidator:
    """At least three of: upper case, lower case, digit, symbol (等保 level 3 practice)."""

    classes = (r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]")

    def validate(self, password: str, user: object = None) -> None:
        found = sum(1 for pattern in self.classes if re.search(pattern, password))
        if found < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


# Keyboard walks as typed on a US/Chinese keyboard: rows, shifted rows, columns (1qaz2wsx …).
_ROWS = (
    "`1234567890-=",
    "~!@#$%^&*()_+",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "qazwsxedcrfvtgbyhnujmikolp",
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
)
_WALKS = _ROWS + tuple(w[::-1] for w in _ROWS)
_LEET = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o"}
    | {
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
        "9": "g",
        "8": "b",
    }
)
_SHIFTED = str.maketrans(dict(zip("!@#$%^&*()", "1234567890", strict=True)))
_MAX_CHECKED = 64  # longer passphrases are not decomposed (and are not guessable this way)


@functools.cache
def _common_words() -> frozenset[str]:
    """Django's list of 20,000 common passwords, the entries usable as a word of a longer one."""
    from django.contrib.auth.password_validation import CommonPasswordValidator

    return frozenset(
        w
        for w in CommonPasswordValidator().passwords
        if (len(w) >= 3 and w.isalpha()) or (len(w) >= 4 and re.search("[a-z]", w))
    )


def _weak_piece(piece: str, names: tuple[str, ...]) -> bool:
    """A piece an attacker's wordlist rules generate: a common word, a keyboard walk or an
    alphabet/number run, a repeated character, a year, a short number or symbol padding, or
    the user's own name."""
    if len(set(piece)) == 1 and len(piece) >= 2:
        return True
    if not re.search(r"[a-z]", piece) and (
        len(piece) <= 2 or (piece.isdigit() and len(piece) <= 4)
    ):
        return True
    if len(piece) >= 3 and any(piece in walk for walk in _WALKS):
        return True
    return piece in _common_words() or piece in names


def _covered_by_weak_pieces(text: str, names: tuple[str, ...]) -> bool:
    n = len(text)
    reachable = [True] + [False] * n  # reachable[i]: text[:i] splits into weak pieces
    for end in range(1, n + 1):
        reachable[end] = any(
            reachable[start] and _weak_piece(text[start:end], names) for start in range(end)
        )
    return reachable[n]


class GuessableValidator:
    """Refuses passwords made only of guessable pieces, in any case and with the usual
    substitutions (P@ssw0rd, 1qaz@WSX, Qwerty@123, password12!, Zhangsan2024, aaaaaa…):
    what cracking rules try first, and what the length and complexity rules let through."""

    def validate(self, password: str, user: object = None) -> None:
        text = (password or "").lower()
        if len(text) > _MAX_CHECKED:
            return
        names = _user_names(user)
        if any(name in text or name in text.translate(_LEET) for name in names):
            raise ValidationError(
                _("密码中不能包含登录名或姓名拼音。"), code="password_contains_name"
            )
        for variant in {text, text.translate(_LEET), text.translate(_SHIFTED)}:
            if _covered_by_weak_pieces(variant, names):
                raise ValidationError(
                    _(
                        "密码容易被猜到：不要只用常见单词、键盘连续键（如 qwerty、1qaz2wsx）、"
                        "连续或重复的字符、年份和登录名拼凑，也不要用 @、0 等替换字母。"
                    ),
                    code="password_guessable",
                )

    def get_help_text(self) -> str:
        return _("不能只由常见单词、键盘连续键、连续或重复字符、年份、登录名拼凑而成。")


def _user_names(user: object) -> tuple[str, ...]:
    """The user's login name (3+ characters), its parts split at punctuation (4+) and their
    name in pinyin (张三 → zhangsan; the person's, or ``first_name`` before the person
    exists), lower case."""
    username = str(getattr(user, "username", "") or "").lower()
    parts = {p for p in re.split(r"[^a-z0-9]+", username) if len(p) >= 4}
    if len(username) >= 3:
        parts.add(username)
    spelled = re.sub(r"[^a-z]", "", "".join(lazy_pinyin(_person_name(user))).lower())
    if len(spelled) >= 4:
        parts.add(spelled)
    return tuple(sorted(parts))


def _person_name(user: object) -> str:
    try:
        person = getattr(user, "person", None)
    except (ObjectDoesNotExist, ValueError):  # no person yet, or an unsaved user
        person = None
    return str(getattr(person, "name", "") or getattr(user, "first_name", "") or "")


class PasswordHistoryValidator:
    """A new password may not repeat the current one or the last ``PasswordHistory.KEEP``;
    each password set is recorded (Django calls ``password_changed`` after every saved
    ``set_password``, not on the silent re-hash at login)."""

    def validate(self, password: str, user: object = None) -> None:
        from django.contrib.auth.hashers import check_password

        from .models import PasswordHistory

        pk = getattr(user, "pk", None)
        if pk is None:
            return
        hashes = list(
            PasswordHistory.objects.filter(user_id=pk).values_list("password", flat=True)[
                : PasswordHistory.KEEP
            ]
        )
        current = getattr(user, "password", "")
        for encoded in dict.fromkeys([current, *hashes]):
            if encoded and check_password(password, encoded):
                raise ValidationError(
                    _("新密码不能与最近 %(n)s 次使用过的密码相同。") % {"n": PasswordHistory.KEEP},
                    code="password_reused",
                )

    def password_changed(self, password: str, user: object = None) -> None:
        from .models import PasswordHistory

        pk = getattr(user, "pk", None)
        encoded = getattr(user, "password", "")
        if pk is None or not encoded:
            return
        PasswordHistory.objects.create(user_id=pk, password=encoded)
        old = PasswordHistory.objects.filter(user_id=pk).values_list("pk", flat=True)[
            PasswordHistory.KEEP :
        ]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        from .models import PasswordHistory

        return _("不能与最近 %(n)s 次使用过的密码相同。") % {"n": PasswordHistory.KEEP}
