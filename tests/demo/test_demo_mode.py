"""Demo data is refused outside demo mode (production never gets fictitious people or backup codes)."""

import pytest
from django.core.management import CommandError

from wuding_enforcement.roster.models import Unit

from .test_seed_demo import run

pytestmark = pytest.mark.django_db


def test_it_refuses_to_seed_when_demo_mode_is_off(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示模式"):
        run("seed_demo")
    assert not Unit.objects.exists()
