"""Property tests in two sizes: a bounded number of examples in `make test`, many more in `make test-long`."""
import pytest
from hypothesis import HealthCheck, given, settings

# Parametrize a test with SIZES and hand its size to run_sized: `-m long` selects the long size alone.
SIZES = ["bounded", pytest.param("long", marks=pytest.mark.long)]


def run_sized(size, examples, check, **strategies):
    """Run `check(**drawn)` for examples[0] generated inputs (bounded) or examples[1] (long); no example database."""
    @settings(max_examples=examples[size == "long"], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(**strategies)
    def generated(**drawn):
        check(**drawn)
    generated()
