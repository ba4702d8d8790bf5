"""The reference server's access log scrubs the key in every form a request can carry it in."""

import pytest

from batch_contract.secret import Secret
from batch_contract.server.access_log import REDACTED, scrub

from .canary import CANARY, echoed_forms, holds_canary


@pytest.mark.parametrize("form", echoed_forms().values(), ids=list(echoed_forms()))
def test_access_line_never_holds_the_key(form: str) -> None:
    """A key in a request path or query, in any encoding, is redacted from the access line."""
    line = f'127.0.0.1:5 "GET /api/v1/beta/batch-processing/{form}?note={form}" 404 1.0ms'
    scrubbed = scrub(line, Secret(CANARY))
    assert not holds_canary(scrubbed)
    assert scrubbed.count(REDACTED) == 2
