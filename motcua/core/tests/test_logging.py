import logging

import pytest

from motcua.logging import PersonalDataFilter, mask_personal_data


@pytest.mark.parametrize(("text", "masked"), [
    ("cccd 004090000123 ok", "cccd *********123 ok"),
    ("phone 0912345678.", "phone *******678."),
    ("phone +84912345678", "phone *********678"),
    ("old id 123456789", "old id ******789"),
    ("code 000.31.00.H11-260309-0001 stays", "code 000.31.00.H11-260309-0001 stays"),
    ('"GET /tra-cuu/?ma=000.31.00.H11-260309-0001&bi-mat=XKEBQBNY HTTP/1.1" 200',
     '"GET /tra-cuu/?ma=000.31.00.H11-260309-0001&bi-mat=*** HTTP/1.1" 200'),
    ("Ma tra cuu: 9LQ8S93G. Theo doi: https://x/ho-so/?ma=TT261127-KH89UD&bi-mat=9LQ8S93G",
     "Ma tra cuu: ***. Theo doi: https://x/ho-so/?ma=TT261127-KH89UD&bi-mat=***"),
    ("Mã tra cứu: 9LQ8S93G", "Mã tra cứu: ***"),
])
def test_id_and_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


def test_every_log_record_passes_through_the_filter(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("motcua.test")
    logger.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="motcua.test"):
        logger.info("applicant %s phone %s", "004090000123", "0912345678")
    assert "004090000123" not in caplog.text
    assert "0912345678" not in caplog.text
    assert "*********123" in caplog.text
