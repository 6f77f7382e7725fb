import csv
import io

import pytest

from opus.budgets import services as budgets

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/refund","Claim your refund")'


def test_a_memo_reaches_the_statement_csv_as_text_not_a_formula(client, cast, budget):
    budgets.direct_payment(budget=budget, amount=10_00, by=cast.commissioner, memo=FORMULA)
    client.force_login(cast.resident)
    response = client.get(f"/budgets/{budget.pk}/statement/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    paid = rows[-1]
    assert paid[3] == "'" + FORMULA
    assert not any(cell.startswith("=") for row in rows for cell in row)
    # Genuine negative amounts stay numbers a spreadsheet can add up.
    assert paid[5] == "-10.00" and paid[-1] == "4990.00"
