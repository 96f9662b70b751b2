"""IIIF Authorization Flow 2.0 in a real browser, on a viewer page of another origin.

The viewer page (served from another port: another origin on the same site, as a museum's
viewer beside its archive would be) follows the specification step by step, with nothing
of ours but the URLs it reads from info.json: the cross-origin probe, the access service in
a window the visitor opens with a click, the token service in a hidden iframe answering by
``postMessage`` (read only from the archive's origin), the probe again with the token. An
anonymous viewer gets the probe's 401; a member of the picture's community signs in and
sees the picture; a member of another community signs in and gets 403, and no picture.

Mirador 3 speaks only the older Auth 1.0, so the client here is written out from the
specification instead.
"""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer

import pytest

from archive.access.models import CommunityMembership
from demo import mediamaker as make
from tests import factories
from tests.iiif_support import add_media
from tests.test_iiif_browser import CHROMIUM_ARGS, _QuietHandler, drawn, shows_our_image

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_root"),
]

CLIENT = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<button id="signin" hidden></button>
<p id="status"></p>
<img id="pic" alt="">
<script>
const INFO = "__INFO__";
window.state = {};
async function probe(token) {
  const info = await (await fetch(INFO)).json();  // no cookie: what anyone may read
  const svc = info.service.find((s) => s.type === "AuthProbeService2");
  const headers = token ? {Authorization: "Bearer " + token} : {};
  const result = await (await fetch(svc.id, {headers})).json();
  return {info, svc, result};
}
function token(service, archiveOrigin) {
  return new Promise((resolve) => {
    const messageId = String(Math.random());
    window.addEventListener("message", function handler(e) {
      if (e.origin !== archiveOrigin || e.data.messageId !== messageId) return;
      window.removeEventListener("message", handler);
      resolve(e.data);
    });
    const frame = document.createElement("iframe");
    frame.hidden = true;
    frame.src = service + "?messageId=" + encodeURIComponent(messageId) +
      "&origin=" + encodeURIComponent(location.origin);
    document.body.appendChild(frame);
  });
}
function show(info) {
  document.getElementById("pic").src = info.id + "/full/400,/0/default.jpg";
}
(async () => {
  const first = await probe(null);
  state.first = first.result.status;
  if (first.result.status === 200) return show(first.info);
  const access = first.svc.service[0];
  const tokenService = access.service.find((s) => s.type === "AuthAccessTokenService2").id;
  const button = document.getElementById("signin");
  button.textContent = access.confirmLabel.en[0];
  button.hidden = false;
  button.onclick = () => {
    const win = window.open(access.id + "?origin=" + encodeURIComponent(location.origin));
    const timer = setInterval(async () => {
      if (!win.closed) return;
      clearInterval(timer);
      const message = await token(tokenService, new URL(access.id).origin);
      state.token = message.type;
      state.profile = message.profile;
      const again = await probe(message.accessToken);
      state.second = again.result.status;
      if (again.result.status === 200) show(again.info);
    }, 200);
  };
  state.ready = true;
})();
</script></body></html>"""


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def members_picture(tmp_path):
    """A public song from Paimo whose picture is shared with Paimo's members only."""
    _, collections = factories.site_tree()
    village = factories.person(kind="community", consent=None, name_en="Paimo village")
    elsewhere = factories.person(kind="community", consent=None, name_en="Langde")
    item = factories.recording(
        collections["dialects"], speaker=factories.person(), community=village
    )
    picture = add_media(
        item, make.card(tmp_path / "members.jpg", 800, 600), access_level="community"
    )
    member, stranger = factories.user(), factories.user()
    CommunityMembership.objects.create(user=member, community=village)
    CommunityMembership.objects.create(user=stranger, community=elsewhere)
    return picture, {"member": member, "other-member": stranger}


@pytest.fixture
def viewer_site(tmp_path, live_server):
    """The viewer page on another port of the same host name: another origin, same site."""
    root = tmp_path / "viewer"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    assert live_server.url.startswith("http://localhost:")
    yield root, f"http://localhost:{server.server_port}"
    server.shutdown()
    server.server_close()


def open_viewer(browser, viewer_site, live_server, picture):
    root, url = viewer_site
    info = f"{live_server.url}/iiif/3/{picture.pk}/info.json"
    (root / "index.html").write_text(CLIENT.replace("__INFO__", info), encoding="utf-8")
    page = browser.new_page(viewport={"width": 900, "height": 800})
    page.goto(f"{url}/index.html")
    page.wait_for_function("window.state.first !== undefined", timeout=30_000)
    return page


def sign_in_through_the_access_service(page, user) -> None:
    with page.expect_popup() as popup_info:
        page.click("#signin")
    popup = popup_info.value
    popup.wait_for_selector("input[name=username]", timeout=30_000)
    popup.fill("input[name=username]", user.username)
    popup.fill("input[name=password]", "pw-for-tests")
    popup.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_function("window.state.second !== undefined", timeout=30_000)


def test_an_anonymous_viewer_is_asked_to_sign_in_and_sees_nothing(
    browser, live_server, viewer_site, members_picture
):
    picture, _ = members_picture
    page = open_viewer(browser, viewer_site, live_server, picture)
    assert page.evaluate("window.state.first") == 401
    assert page.locator("#signin").inner_text() == "Sign in"
    assert page.locator("#pic").get_attribute("src") is None


def test_a_community_member_signs_in_and_sees_the_picture(
    browser, live_server, viewer_site, members_picture
):
    picture, users = members_picture
    page = open_viewer(browser, viewer_site, live_server, picture)
    assert page.evaluate("window.state.first") == 401
    sign_in_through_the_access_service(page, users["member"])
    assert page.evaluate("[window.state.token, window.state.profile]") == [
        "AuthAccessToken2",
        None,
    ]
    assert page.evaluate("window.state.second") == 200
    pic = page.locator("#pic")
    page.wait_for_function("document.getElementById('pic').naturalWidth > 0", timeout=30_000)
    assert shows_our_image(pic.screenshot())
    assert drawn(pic.screenshot()).width == 400


def test_another_communitys_member_signs_in_and_is_refused(
    browser, live_server, viewer_site, members_picture
):
    picture, users = members_picture
    page = open_viewer(browser, viewer_site, live_server, picture)
    sign_in_through_the_access_service(page, users["other-member"])
    assert page.evaluate("window.state.token") == "AuthAccessToken2"
    assert page.evaluate("window.state.second") == 403
    assert page.locator("#pic").get_attribute("src") is None
