"""A collection's metadata out to CSV/XLSX and back, as a curator does it in Chinese: export,
edit in a spreadsheet, preview each row's changes and errors, apply only a clean sheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from archive.items.models import RecordingPage
from archive.vocabularies.models import Place
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection():
    _, collections = factories.site_tree()
    dialects = collections["dialects"]
    Place.objects.create(slug="paimo", label_zh="排莫村", label_en="Paimo Village")
    factories.recording(dialects, title="古歌", identifier="MHA-DIA-0001", access="restricted")
    factories.recording(dialects, title="飞歌", identifier="MHA-DIA-0002", access="restricted")
    return dialects


@pytest.fixture
def curator(client):
    user = factories.user(groups=("Curators",), is_staff=True)
    client.force_login(user)
    return user


def _export(client, collection, kind: str) -> bytes:
    url = reverse("media_metadata")
    response = client.get(url, {"collection": collection.pk, "export": kind})
    assert response.status_code == 200
    return response.content


def _send(client, collection, name: str, data: bytes, **extra):
    sheet = SimpleUploadedFile(name, data)
    return client.post(
        reverse("media_metadata"), {"collection": collection.pk, "sheet": sheet, **extra}
    )


def test_the_export_has_chinese_headers_and_every_item(client, curator, collection):
    rows = list(csv.reader(io.StringIO(_export(client, collection, "csv").decode("utf-8-sig"))))
    assert rows[0][:2] == ["编号", "标题（中文）"]
    assert [r[0] for r in rows[1:]] == ["MHA-DIA-0001", "MHA-DIA-0002"]
    book = load_workbook(io.BytesIO(_export(client, collection, "xlsx")))
    assert book.active["A2"].value == "MHA-DIA-0001" and book.active["B1"].value == "标题（中文）"


def test_an_edited_sheet_is_previewed_then_applied(client, curator, collection):
    rows = list(csv.reader(io.StringIO(_export(client, collection, "csv").decode("utf-8-sig"))))
    header = rows[0]
    rows[1][header.index("标题（中文）")] = "排莫古歌"
    rows[1][header.index("村寨或地点")] = "paimo"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode("utf-8")

    preview = _send(client, collection, "dialects.csv", data)
    html = preview.content.decode()
    assert "1 个条目将被修改" in html, html[-3000:]
    assert "排莫古歌" in html and "<del>古歌</del>" in html
    # Nothing is written by the preview.
    assert RecordingPage.objects.get(identifier="MHA-DIA-0001").title == "古歌"

    sheet_data = preview.context["sheet_data"]
    applied = client.post(
        reverse("media_metadata"),
        {
            "collection": collection.pk,
            "sheet_name": "dialects.csv",
            "sheet_data": sheet_data,
            "apply": "1",
        },
    )
    assert applied.status_code == 302
    page = RecordingPage.objects.get(identifier="MHA-DIA-0001").get_latest_revision_as_object()
    assert page.title == "排莫古歌" and page.place.slug == "paimo"


def test_a_sheet_with_one_bad_row_names_it_and_writes_nothing(client, curator, collection):
    book = load_workbook(io.BytesIO(_export(client, collection, "xlsx")))
    sheet = book.active
    sheet["B2"] = "新标题"
    sheet["G3"] = "secret"  # access level: not a level
    sheet.append(["MHA-DIA-9999", "不存在"])
    out = io.BytesIO()
    book.save(out)
    response = _send(client, collection, "dialects.xlsx", out.getvalue())
    html = response.content.decode()
    assert "2 行有错误" in html
    line3 = html.split('data-line="3"', 1)[1].split("</tr>", 1)[0]
    assert "secret" in line3 and "访问级别" in line3 and "不是" in line3
    line4 = html.split('data-line="4"', 1)[1].split("</tr>", 1)[0]
    assert "MHA-DIA-9999" in line4
    assert 'name="apply"' not in html
    # Applying anyway (a forged request) writes nothing.
    client.post(
        reverse("media_metadata"),
        {
            "collection": collection.pk,
            "sheet_name": "dialects.xlsx",
            "sheet_data": response.context["sheet_data"],
            "apply": "1",
        },
    )
    assert (
        RecordingPage.objects.get(identifier="MHA-DIA-0001").get_latest_revision_as_object().title
        == "古歌"
    )


def test_an_unknown_column_stops_the_whole_sheet(client, curator, collection):
    response = _send(client, collection, "x.csv", "编号,颜色\nMHA-DIA-0001,红\n".encode())
    assert "颜色" in response.content.decode()
    assert "data-preview" not in response.content.decode()


@pytest.mark.parametrize("role", ["contributor", "teacher", "registered"])
def test_only_curators_use_the_spreadsheet(client, collection, role):
    groups = {"contributor": ("Contributors",), "teacher": ("Teachers",), "registered": ()}[role]
    client.force_login(factories.user(groups=groups, is_staff=bool(groups)))
    response = client.get(reverse("media_metadata"), {"collection": collection.pk, "export": "csv"})
    assert response.status_code in (302, 403)
