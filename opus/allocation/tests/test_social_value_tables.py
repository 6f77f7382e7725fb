"""Value tables: loaded whole with their licence, or refused naming the row and column."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from opus.allocation.models import DeflatorTable, ValueMetric, ValueModel
from opus.allocation.social_value import SocialValueError, table_load
from opus.allocation.tests.social_value_helpers import DATA, value_model
from opus.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = "theme,outcome,code,name,unit,wellby_per_unit,proxy_per_unit\n"


def _load(cast, content, kind="metrics", licence="CC0"):
    return table_load(kind=kind, owner=cast.council, name="T", source="Tests", licence=licence,
                      content=content, by=cast.commissioner)  # fmt: skip


def test_the_synthetic_model_loads_with_its_licence_and_an_audit_event(cast):
    model = value_model(cast)
    assert model.licence == "CC0 1.0 (synthetic)" and model.synthetic
    wellby = model.metrics.get(code="SYN-W1")
    assert str(wellby.wellby_per_unit) == "0.3000" and wellby.proxy_pence is None
    assert model.metrics.get(code="SYN-J1").proxy_pence == 100_000
    assert AuditEvent.objects.filter(action="social_value.model_load").count() == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("W,Less,X1,Name,person,abc,\n", "Row 2, column wellby_per_unit: abc is not a number"),
        ("W,Less,X1,Name,person,0.3,\nW,Less,,Name,person,0.3,\n", "Row 3, column code: is empty"),
        ("W,Less,X1,Name,person,0.3,5\n", "Row 2: give either wellby_per_unit or proxy_per_unit"),
        ("W,Less,X1,Name,person,12,\n", "Row 2, column wellby_per_unit: must be between"),
        ("W,Less,X1,Name,person,,-5\n", "Row 2, column proxy_per_unit: must be between"),
        ("W,Less,X1,A,p,0.1,\nW,Less,X1,B,p,0.2,\n", "Row 3, column code: X1 appears twice"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_kept(cast, rows, message):
    with pytest.raises(SocialValueError, match=message):
        _load(cast, (HEADER + rows).encode())
    assert not ValueModel.objects.exists() and not ValueMetric.objects.exists()


def test_a_missing_column_is_named(cast):
    with pytest.raises(SocialValueError, match="no column proxy_per_unit"):
        _load(cast, b"theme,outcome,code,name,unit,wellby_per_unit\nW,L,X,N,p,0.1\n")


def test_a_table_without_a_licence_is_refused(cast):
    with pytest.raises(SocialValueError, match="licence") as refused:
        _load(cast, (DATA / "synthetic_value_model.csv").read_bytes(), licence=" ")
    assert refused.value.field == "licence" and not ValueModel.objects.exists()


def test_a_json_model_and_json_deflators_load(cast):
    rows = [{"theme": "W", "outcome": "L", "code": "J1", "name": "N", "unit": "p",
             "wellby_per_unit": 0.25}]  # fmt: skip
    assert _load(cast, json.dumps(rows).encode()).metrics.get().code == "J1"
    table = _load(cast, json.dumps({"2019": 100, "2024": "119.5"}).encode(), kind="deflators")
    assert table.indices == {"2019": "100", "2024": "119.5"}


def test_deflators_need_the_base_year_and_each_year_once(cast):
    with pytest.raises(SocialValueError, match="index for 2019"):
        _load(cast, b"year,index\n2024,119.5\n", kind="deflators")
    with pytest.raises(SocialValueError, match="Row 3, column year"):
        _load(cast, b"year,index\n2019,100\n2019,101\n", kind="deflators")
    assert not DeflatorTable.objects.exists()


def test_the_command_loads_a_file_with_its_licence(cast, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes((DATA / "synthetic_value_model.csv").read_bytes())
    call_command(
        "load_value_tables", str(path), "--licence", "Held under an agreement", "--synthetic"
    )
    model = ValueModel.objects.get()
    assert model.licence == "Held under an agreement" and model.metrics.count() == 5


def test_the_command_refuses_a_bad_file_in_one_line(cast, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "W,L,X,N,p,zero,\n")
    with pytest.raises(CommandError, match=r"^bad.csv: Row 2, column wellby_per_unit"):
        call_command("load_value_tables", str(path), "--licence", "CC0")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("load_value_tables", str(tmp_path / "none.csv"), "--licence", "CC0")
    assert not ValueModel.objects.exists()


def test_an_admin_uploads_a_table_and_everyone_sees_its_licence(client, cast):
    client.force_login(cast.admin)
    upload = SimpleUploadedFile("d.csv", (DATA / "synthetic_deflators.csv").read_bytes())
    response = client.post("/allocation/social-value/tables/new/", {
        "kind": "deflators", "name": "Deflators", "source": "Made up", "licence": "OGL v3.0",
        "file": upload,
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    client.logout()
    page = client.get("/allocation/social-value/").content.decode()
    assert "OGL v3.0" in page and "CC BY-NC-ND" in page


def test_an_upload_with_a_bad_row_shows_the_error_summary(client, cast):
    client.force_login(cast.commissioner)
    upload = SimpleUploadedFile("m.csv", (HEADER + "W,L,X,N,p,,£ten\n").encode())
    response = client.post("/allocation/social-value/tables/new/", {
        "kind": "metrics", "name": "M", "source": "S", "licence": "CC0", "file": upload,
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Row 2, column proxy_per_unit" in page and not ValueModel.objects.exists()


@pytest.mark.parametrize("role", ["resident", "provider", "councillor", "auditor", "stranger"])
def test_only_commissioning_staff_load_tables(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get("/allocation/social-value/tables/new/").status_code == 404
    with pytest.raises(Exception, match="commissioning staff"):
        table_load(kind="metrics", owner=cast.council, name="T", source="S", licence="CC0",
                   content=(DATA / "synthetic_value_model.csv").read_bytes(),
                   by=getattr(cast, role))  # fmt: skip
