"""This computer's clock, set for a test: what the services check an instant against
(`app.services.common.clock.now`: a run through a provider sends now, a notice is given now, a
letter is not dated ahead). A test that sends through a real provider at a fixed instant (an
SMTP server on this machine, the Alibaba Cloud stand-in) sets the clock to it, in the test's
process or in the command's (`CLOCKED`, with $TEST_CLOCK)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from app.services.common import clock

CLOCK_ENV = "TEST_CLOCK"

# The command line in a process of its own, its clock reading $TEST_CLOCK (ISO-8601).
CLOCKED = """
import os, sys
from datetime import UTC, datetime
from app.services.common import clock
moment = datetime.fromisoformat(os.environ["TEST_CLOCK"]).astimezone(UTC)
clock.now = lambda: moment
from app.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The clock reads `moment` until the block ends."""
    fixed = moment.astimezone(UTC)
    with clock.reading(lambda: fixed):
        yield
