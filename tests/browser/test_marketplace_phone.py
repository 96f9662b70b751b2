"""From a pattern to the woman who stitches it today, on a 390×844 phone in Chinese: the
pattern's page names her, her profile shows her work, the product tells the story behind it
and takes an enquiry, and the enquiry reaches her and her cooperative by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from archive.marketplace.models import Enquiry
from tests.marketplace_support import market

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def shop(wagtail_root, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.MHA_ENQUIRY_MIN_SECONDS = 0  # the time trap is tested elsewhere
    return market()


def test_pattern_to_artisan_to_product_to_a_sent_enquiry(phone, live_server, shop, axe):
    pattern, profile = shop["pattern"], shop["profile"]
    sleeve = shop["products"]["sleeve"]
    with translation.override("zh-hans"):
        pattern_url, profile_url = pattern.url, profile.get_absolute_url()
    phone.goto(live_server.url + pattern_url)
    # "Made today by": the artisan, one tap away.
    phone.locator("#artisans a.artisan-link", has_text="杨阿妹").click()
    phone.wait_for_url(f"**{profile_url}")
    assert phone.locator("h1").inner_text() == "杨阿妹"
    phone.locator(f"a[href$='{sleeve.slug}/']").first.click()
    phone.wait_for_url(f"**{sleeve.slug}/")
    assert "¥680.00" in phone.locator(".price").inner_text()
    # The story behind this leads back to the pattern.
    assert (
        phone.locator(".story-behind a.heritage-link").get_attribute("href").endswith(pattern_url)
    )
    # Nothing on the product page is serious or critical for axe.
    assert axe(phone) == []
    phone.select_option("select[name=kind]", "commission")
    phone.fill("input[name=name]", "李伟")
    phone.fill("input[name=contact]", "liwei@example.org")
    phone.fill("textarea[name=message]", "想定做一对蝴蝶妈妈袖片，可以吗？")
    phone.get_by_role("button", name="发送").click()
    phone.wait_for_url("**?sent=1")
    assert "谢谢" in phone.locator(".notice").inner_text()
    enquiry = Enquiry.objects.get()
    assert enquiry.product == sleeve and enquiry.kind == "commission"
    assert len(mail.outbox) == 1
    assert "蝴蝶妈妈袖片" in mail.outbox[0].body
    assert "coop@example.org" in mail.outbox[0].to


def test_a_withdrawal_sweeps_the_shop_from_every_door_the_phone_opens(
    phone, live_server, shop, settings
):
    import io

    from django.core.management import call_command

    from search import indexing

    settings.MHA_PAGE_CACHE_SECONDS = 300  # the server's page cache must let go at once
    indexing.rebuild()
    sleeve, profile, pattern = shop["products"]["sleeve"], shop["profile"], shop["pattern"]
    doors = {
        "product": live_server.url + sleeve.get_absolute_url(),
        "artisan": live_server.url + profile.get_absolute_url(),
    }
    for url in doors.values():
        assert phone.goto(url).status == 200
        assert phone.goto(url).status == 200  # the second from the page cache
    phone.goto(live_server.url + "/search/?type=product")
    assert phone.locator(f".hit a[href$='{sleeve.slug}/']").count() == 1
    assert "¥680.00" in phone.locator(".hit .price").all_inner_texts()
    call_command(
        "consent", "withdraw", shop["maker"].slug, "--scope", "commercial", stdout=io.StringIO()
    )
    for name, url in doors.items():
        assert phone.goto(url).status == 404, name
    phone.goto(live_server.url + "/search/?type=product")
    assert phone.locator(f".hit a[href$='{sleeve.slug}/']").count() == 0
    phone.goto(live_server.url + pattern.url)
    assert phone.locator(f"a[href$='{profile.slug}/']").count() == 0
    assert phone.goto(live_server.url + "/market/products.json").status == 200
    assert sleeve.slug not in phone.content()
