import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Creates superuser 'admin' with a generated password, printed once (no-op if it exists)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            hint = f"python manage.py changepassword {username}"
            self.stdout.write(f"管理员 {username} 已存在（忘记密码可运行 {hint}）")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(f"管理员账号 admin login: {username}  密码 password: {password}")
        )
        self.stdout.write("（密码只显示这一次 / shown only once）")
