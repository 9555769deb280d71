import time

from django.core.management.base import BaseCommand, CommandError

from hitech_portal.demo.loading import DemoLoadError, load_demo


class Command(BaseCommand):
    help = (
        "Loads the demo content: the 13 categories, the two seed articles, the seed indicators "
        "with their observations, and N generated articles. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles", type=int, default=200, metavar="N", help="generated articles (200)"
        )
        parser.add_argument("--seed", type=int, default=0, help="generator seed (0)")

    def handle(self, *args, articles, seed, **options):
        if articles < 0:
            raise CommandError(f"--articles 不能为负数：{articles}")
        started = time.monotonic()
        show_progress = articles >= 10_000 and options["verbosity"] > 0

        def progress(done, total):
            last = done >= total or not self.stderr.isatty()
            self.stderr.write(f"生成文章 {done:,}/{total:,}", ending="\n" if last else "\r")
            self.stderr.flush()

        try:
            result = load_demo(articles, seed=seed, progress=progress if show_progress else None)
        except DemoLoadError as exc:
            raise CommandError(str(exc)) from None
        restored = result.generated_updated
        existing = f"{result.generated_existing}（其中 {restored} 篇已恢复）" if restored else ""
        existing = existing or str(result.generated_existing)
        self.stdout.write(
            f"栏目 {result.categories} · 种子文章 {result.seed_articles} · "
            f"指标 {result.indicators} · 观测值 {result.observations} · "
            f"生成文章 新增 {result.generated_created}，已有 {existing} · "
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
