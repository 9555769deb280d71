"""Operators' view of the settings: safe defaults, production checks clean, secrets from the env."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


DROPPED = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in DROPPED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="portal.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_secret_key_refuses_to_start():
    result = manage("check", DEBUG="False", ALLOWED_HOSTS="portal.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_are_chinese_and_local(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }


PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "portal.example.com",
}
SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
)


def test_proxy_header_and_hsts_for_the_whole_domain_are_opt_in():
    result = manage("shell", "--no-imports", "-c", SHOW, **PRODUCTION)
    assert result.stdout.split() == ["None", "False", "False"], result.stderr


def test_operators_opt_in_to_the_proxy_header_and_hsts_preload():
    env = {
        **PRODUCTION,
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_HSTS_PRELOAD": "True",
    }
    result = manage("shell", "--no-imports", "-c", SHOW, **env)
    assert result.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "True"]
    check = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert check.returncode == 0, check.stderr


def test_several_app_servers_keep_images_in_an_s3_compatible_bucket():
    script = (
        "from django.core.files.storage import storages; s = storages['default'];"
        "from django.urls import Resolver404, resolve;\n"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.url('images/a.jpg'))\n"
        "try:\n    resolve('/media/images/a.jpg'); print('served here')\n"
        "except Resolver404:\n    print('not served here')"
    )
    result = manage(
        "shell", "-c", script,
        MEDIA_STORAGE="s3", S3_BUCKET="portal-media", S3_ENDPOINT_URL="https://s3.example.com",
        S3_CUSTOM_DOMAIN="media.example.com", S3_ACCESS_KEY_ID="id", S3_SECRET_ACCESS_KEY="key",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("\n")[-2:] == [
        "S3Storage portal-media https://s3.example.com https://media.example.com/images/a.jpg",
        "not served here",
    ]


def test_s3_storage_without_a_bucket_refuses_to_start():
    result = manage("check", MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs S3_BUCKET" in result.stderr
    assert "must be 'local' or 's3'" in manage("check", MEDIA_STORAGE="ftp").stderr


def test_one_machine_serves_its_own_images_with_debug_off():
    script = "from django.urls import resolve; print(resolve('/media/images/a.jpg').url_name)"
    result = manage(
        "shell", "-c", script,
        DEBUG="False", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("\nmedia")
    behind_nginx = manage(
        "shell", "-c", "from django.urls import resolve; resolve('/media/images/a.jpg')",
        DEBUG="False", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example.com", SERVE_MEDIA="False",
    )  # fmt: skip
    assert "Resolver404" in behind_nginx.stderr
