"""The languages a caption track may be in: BCP 47 tags (ISO 639-3 for the Miao varieties).

``hmn`` is the Hmong–Miao macrolanguage, for a track whose variety is not told apart; the
varieties the archive's villages speak have their own codes. Add one here to offer it."""

from django.utils.translation import gettext_lazy as _

LANGUAGES = [
    ("zh-Hans", _("Chinese (simplified)")),
    ("en", _("English")),
    ("hmn", _("Miao (Hmong–Miao, macrolanguage)")),
    ("hea", _("Northern Qiandong Miao (hea)")),
    ("hmq", _("Eastern Qiandong Miao (hmq)")),
    ("hms", _("Southern Qiandong Miao (hms)")),
    ("hmd", _("A-Hmao, Large Flowery Miao (hmd)")),
]
CODES = frozenset(code for code, _label in LANGUAGES)
