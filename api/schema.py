"""What drf-spectacular cannot see by itself: the answers every endpoint may give besides 200."""

ERROR = {
    "type": "object",
    "description": "出错的参数 → 原因列表，或 detail → 原因",
    "additionalProperties": True,
}
ERRORS = {
    "400": "查询参数不合要求（响应列出每个出错的参数及原因）",
    "404": "没有这一页、这篇已发布的文章或这个指标",
    "429": "这个地址的请求太多，稍后再试（见 Retry-After）",
}


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS: document 400, 404 and 429 on every operation."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, description in ERRORS.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
    return result
