"""导入记录 in the admin: every import, what came of each row, and 撤销 for a 主编."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles import tasks as article_tasks
from articles.models import may_publish
from articles.undo import may_undo, plan_undo

from . import jobs
from .imports import tasks
from .imports.report import ImportReport
from .models import ImportRecord

ERRORS_PER_PAGE = 100
#: Where 确认导入 posts: the admin of what is imported decides who may import it.
CONFIRM_URLS = {
    ImportRecord.Kind.ARTICLES: "admin:articles_article_process_import",
    ImportRecord.Kind.OBSERVATIONS: "admin:indicators_observation_process_import",
}


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "kind",
        "file_name",
        "via",
        "user",
        "status",
        "counts",
        "undone",
    ]
    list_filter = ["kind", "via", "status"]
    list_select_related = ["user", "undone_by"]
    search_fields = ["file_name", "user__username"]
    search_help_text = "按文件名或导入人搜索"
    date_hierarchy = "started_at"
    fields = [
        "kind",
        "file_name",
        "via",
        "user",
        "started_at",
        ("status", "finished_at"),
        "problem",
        ("created", "updated", "unchanged", "failed"),
        ("undone_at", "undone_by"),
        "row_table",
    ]
    readonly_fields = [
        name for entry in fields for name in (entry if isinstance(entry, tuple) else [entry])
    ]

    def has_add_permission(self, request):
        return False  # records are written by imports only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="结果")
    def counts(self, obj):
        return f"新建 {obj.created} · 更新 {obj.updated} · 不变 {obj.unchanged} · 出错 {obj.failed}"

    @admin.display(description="撤销", boolean=True)
    def undone(self, obj):
        return obj.undone_at is not None

    @admin.display(description="各行（前 1000 行）")
    def row_table(self, obj):
        outcomes = {"new": "新建", "update": "更新", "unchanged": "不变", "failed": "出错"}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row["line"],
                    outcomes.get(row["outcome"], row["outcome"]),
                    row["label"],
                    "；".join(row["errors"]) or "、".join(row["changed"]) or row["note"],
                )
                for row in obj.rows
            ),
        )
        head = "<tr><th>行</th><th>结果</th><th>标题</th><th>说明</th></tr>"
        return format_html(
            '<table class="import-rows"><thead>{}</thead><tbody>{}</tbody></table>',
            mark_safe(head),  # a constant
            rows,
        )

    def get_urls(self):
        def view(name, function):
            return path(
                f"<int:object_id>/{name}/",
                self.admin_site.admin_view(function),
                name=f"hitech_portal_importrecord_{name}",
            )

        return [
            view("undo", self.undo_view),
            view("undo_status", self.undo_status_view),
            view("progress", self.progress_view),
            view("status", self.status_view),
            view("cancel", self.cancel_view),
            view("rerun", self.rerun_view),
            *super().get_urls(),
        ]

    # --- a background import: its page, its state as JSON, cancel and run again ----------------
    def _record(self, request, object_id) -> ImportRecord:
        record = get_object_or_404(ImportRecord, pk=object_id)
        if not self.has_view_permission(request, record):
            raise PermissionDenied
        return record

    def _may_steer(self, request, record) -> bool:
        """Who imported the file, or a 主编, may cancel it or run it again."""
        return request.user == record.user or may_publish(request.user)

    def _state(self, record) -> dict:
        job = tasks.job_name(record)
        report = jobs.progress(job)
        total, done = (report or {}).get("total") or 0, (report or {}).get("done") or 0
        waiting = record.status == ImportRecord.Status.CHECKED  # for the uploader's 确认导入
        if record.finished or waiting:
            percent = 100
        else:
            percent = min(99, int(done * 100 / total)) if total else 0
        status = ImportRecord.Status
        return {
            "status": record.status,
            "status_display": record.get_status_display(),
            "finished": record.finished,
            "waiting": waiting,
            "percent": percent,
            # A check still waiting for a worker has not reported yet: only a silent one is stale.
            "stale": (
                record.status == status.RUNNING
                or (record.status == status.CHECKING and report is not None)
            )
            and jobs.is_stale(job, record.started_at.timestamp()),
        }

    def progress_view(self, request, object_id):
        """The job's page: the bar of the check, then its preview (the counts, the first rows,
        every error, paged) with 确认导入, then the bar of the import and its result."""
        record = self._record(request, object_id)
        errors = Paginator(record.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"后台导入 #{record.pk}：{record.file_name}",
            "record": record,
            "state": self._state(record),
            "may_steer": self._may_steer(request, record),
            "may_confirm": request.user == record.user,  # and the import rights, at the POST
            "confirm_url": reverse(CONFIRM_URLS[record.kind]),
            "errors": errors,
            "error_pages": errors.paginator.get_elided_page_range(errors.number),
            "counts": ImportReport(
                created=record.created,
                updated=record.updated,
                unchanged=record.unchanged,
                failed=record.failed,
            ).counts(record.unit),
        }
        return TemplateResponse(request, "admin/hitech_portal/importrecord/progress.html", context)

    def status_view(self, request, object_id):
        """What the progress bar polls (static/js/admin/import-progress.js)."""
        return JsonResponse(self._state(self._record(request, object_id)))

    def cancel_view(self, request, object_id):
        record = self._record(request, object_id)
        if request.method != "POST" or not self._may_steer(request, record):
            raise PermissionDenied
        if not record.finished:
            tasks.cancel(record)
            self.message_user(request, "已请求取消：导入停下后，什么也不会写入。", messages.WARNING)
        return HttpResponseRedirect(
            reverse("admin:hitech_portal_importrecord_progress", args=[record.pk])
        )

    def rerun_view(self, request, object_id):
        record = self._record(request, object_id)
        if request.method != "POST" or not self._may_steer(request, record):
            raise PermissionDenied
        if self._state(record)["stale"] or record.status == ImportRecord.Status.FAILED:
            if record.upload and default_storage.exists(
                tasks.upload_storage(record.upload).get_full_path()
            ):
                tasks.requeue(record)
                self.message_user(request, "已重新排队。", messages.INFO)
        return HttpResponseRedirect(
            reverse("admin:hitech_portal_importrecord_progress", args=[record.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = get_object_or_404(ImportRecord, pk=object_id)
        context = {**(extra_context or {}), "may_undo": may_undo(request.user, record)}
        return super().change_view(request, object_id, form_url, context)

    def undo_view(self, request, object_id):
        """The undo's page: what it would do (or which articles were edited since), then the
        bar of its background job, then that it was done. The page is the state: a reload
        starts from it again."""
        record = self._record(request, object_id)
        state = self._undo_state(record)
        if record.undone_at is None and not may_undo(request.user, record):
            raise PermissionDenied
        plan = None
        if not state["running"] and record.undone_at is None:
            plan = plan_undo(record)
            if request.method == "POST" and plan.possible:
                article_tasks.start_undo(record, request.user)
                url = reverse("admin:hitech_portal_importrecord_undo", args=[record.pk])
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"撤销导入 #{record.pk}：{record.file_name}",
            "record": record,
            "plan": plan,
            "state": state,
        }
        return TemplateResponse(request, "admin/hitech_portal/importrecord/undo.html", context)

    def undo_status_view(self, request, object_id):
        """What the undo's progress bar polls (static/js/admin/import-progress.js)."""
        return JsonResponse(self._undo_state(self._record(request, object_id)))

    @staticmethod
    def _undo_state(record) -> dict:
        job = article_tasks.undo_job_name(record.pk)
        report = jobs.progress(job)
        total, done = (report or {}).get("total") or 0, (report or {}).get("done") or 0
        # Queued (no total yet) it waits for a worker; started and silent, its worker is gone.
        stale = bool(total) and jobs.is_stale(job, 0)
        running = report is not None and not stale and record.undone_at is None
        return {
            "running": running,
            "status_display": ("撤销中" if total else "排队中") if running else "",
            "finished": not running,
            "waiting": False,
            "percent": min(99, int(done * 100 / total)) if running and total else 0,
            "stale": stale,
        }
