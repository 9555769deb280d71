"""Admin logins are throttled (django-axes): after 5 wrong passwords for one user name, or from one
address, that name or address is locked out, with a Chinese message, even for the right password."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "pw-不要用-123"  # tests.factories.make_user


def log_in(client, username, password, address="198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_right_password_after_five_wrong_ones_is_refused_with_a_chinese_message(client):
    make_user("bianji")
    for _ in range(4):
        assert log_in(client, "bianji", "wrong").status_code == 200  # the form again
    assert log_in(client, "bianji", "wrong").status_code == 429  # the fifth locks
    response = log_in(client, "bianji", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多，已暂停登录" in page
    assert "15 分钟后再试" in page
    assert "_auth_user_id" not in client.session


def test_a_user_name_is_locked_whatever_address_the_guesses_come_from(client):
    make_user("bianji")
    for n in range(5):
        log_in(client, "bianji", "wrong", address=f"203.0.113.{n}")
    assert log_in(client, "bianji", PASSWORD, address="192.0.2.99").status_code == 429


def test_an_address_is_locked_whatever_user_names_it_tries(client):
    make_user("bianji")
    for n in range(5):
        log_in(client, f"guess{n}", "wrong", address="203.0.113.9")
    assert log_in(client, "bianji", PASSWORD, address="203.0.113.9").status_code == 429
    # Someone else, elsewhere, still logs in.
    response = log_in(client, "bianji", PASSWORD, address="192.0.2.1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_few_mistakes_then_the_right_password_logs_in(client):
    make_user("bianji")
    for _ in range(3):
        log_in(client, "bianji", "wrong")
    assert log_in(client, "bianji", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lockout(client):
    make_user("bianji")
    for n in range(5):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    response = client.post(
        LOGIN,
        {"username": "bianji", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert response.status_code == 429
