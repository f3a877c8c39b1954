"""HTTP API of intake for blank forms: the workbook a town fills in and imports back."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lookback.downloads import XLSX, disposition
from services.intake.adapters.templates import FILE_NAMES, Form, template

router = APIRouter(tags=["templates"])


@router.get(
    "/templates/{form}",
    summary="下载模板 / a blank form: roster (人口明细, 村级信息) or issues (问题清单)",
    description="An .xlsx whose sheets carry the columns the import reads, in the documented order. "
    "It holds no data, so no token is needed.",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_template(form: Form) -> Response:
    return Response(
        template(form),
        media_type=XLSX,
        headers={"Content-Disposition": disposition(FILE_NAMES[form], f"{form.value}-template.xlsx")},
    )
