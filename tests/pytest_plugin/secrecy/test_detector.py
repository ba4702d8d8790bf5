"""The test's own detector of the canary key finds it in every form (so a pass elsewhere means
the key was absent, not that the detector was blind)."""

from .canary import CANARY, echoed_forms, holds_canary


def test_the_detector_finds_every_form() -> None:
    """The detector itself: each echoed form, in text and in a Latin-1 body, is found."""
    for form in echoed_forms().values():
        assert holds_canary(f"before {form} after"), form
        assert holds_canary(f"é {form}".encode("latin-1")), form
    assert holds_canary(CANARY.encode("utf-16-le"))
    assert not holds_canary("nothing to see " + CANARY[:-1])
