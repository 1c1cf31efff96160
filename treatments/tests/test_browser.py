import pytest

pytestmark = [pytest.mark.django_db]


def test_q():
    exec(open("/tmp/explore/q.py").read())
