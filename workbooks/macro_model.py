"""The model workbook as a macro-enabled ``.xlsm`` for the classic Windows add-in.

:func:`write_macro_model` takes the ``.xlsx`` that :func:`workbooks.model_builder.write_model`
writes and makes it macro-enabled, part by part:

- ``xl/vbaProject.bin``: the VBA project of xlwings' own standalone workbook
  (``quickstart_standalone.xlsm`` in the installed xlwings package, what
  ``xlwings quickstart --standalone`` copies), never VBA written here. It holds
  xlwings' ``xlwings`` module (``RunPython``, ``ImportPythonUDFs``) and
  ``Module1.SampleCall``, which imports the Python module named like the workbook and
  calls its ``main()`` (``dsg new-model`` writes that module beside the workbook: the
  refresh);
- the workbook's content type becomes ``macroEnabled.main+xml`` and the workbook
  part names its VBA project and code name ``ThisWorkbook``;
- two buttons on the Dashboard (DrawingML shapes with an assigned macro):
  *Refresh DfE monitoring return* runs ``SampleCall`` and *Import Python functions*
  runs ``ImportPythonUDFs``.

Every other part is copied byte for byte. Source: ECMA-376 Part 2 (Open Packaging
Conventions) for the parts and relationships; [MS-OFFMACRO2] for the VBA project part.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from workbooks.publish import publish

MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_CONTENT = "application/vnd.ms-office.vbaProject"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
DRAWING_CONTENT = "application/vnd.openxmlformats-officedocument.drawing+xml"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: The Dashboard's buttons: (label, macro, column, row) of each, 0-based cell of its top left.
BUTTONS: tuple[tuple[str, str, int, int], ...] = (
    ("Refresh DfE monitoring return", "SampleCall", 3, 0),
    ("Import Python functions", "ImportPythonUDFs", 7, 0),
)
DASHBOARD = "Dashboard"
#: The standalone workbook in the xlwings package whose VBA project is used.
XLWINGS_STANDALONE = "quickstart_standalone.xlsm"


class MacroModelError(Exception):
    """The workbook or the xlwings package lacks a part the macro-enabled model needs."""


def xlwings_vba_project() -> bytes:
    """``xl/vbaProject.bin`` of the installed xlwings package's standalone workbook."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise MacroModelError("xlwings is not installed: it provides the VBA modules")
    source = Path(spec.origin).parent / XLWINGS_STANDALONE
    try:
        with zipfile.ZipFile(source) as z:
            return z.read("xl/vbaProject.bin")
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise MacroModelError(f"cannot read the VBA project of {source}: {e}") from None


def _rels_path(part: str) -> str:
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / f"{p.name}.rels")


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (str(PurePosixPath(base).parent) + "/" + target).split("/"):
        if piece == "..":
            parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _relationships(xml: str) -> list[dict[str, str]]:
    rels = []
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", xml):
        rels.append(dict(re.findall(r'(\w+)="([^"]*)"', tag)))
    return rels


def _next_rid(xml: str) -> str:
    ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', xml)]
    return f"rId{max(ids, default=0) + 1}"


def _add_relationship(xml: str, rid: str, rel_type: str, target: str) -> str:
    new = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'
    return re.sub(r"</((?:\w+:)?)Relationships>\s*$", new + r"</\1Relationships>", xml)


def _button(label: str, macro: str, col: int, row: int, shape_id: int) -> str:
    return (
        f'<xdr:oneCellAnchor xmlns:xdr="{XDR}" xmlns:a="{A}">'
        f"<xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        '<xdr:ext cx="2520000" cy="396000"/>'
        f'<xdr:sp macro="[0]!{macro}" textlink="">'
        f'<xdr:nvSpPr><xdr:cNvPr id="{shape_id}" name="{label}" descr="Runs the macro {macro}"/>'
        "<xdr:cNvSpPr/></xdr:nvSpPr>"
        '<xdr:spPr><a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom>'
        '<a:solidFill><a:srgbClr val="005E63"/></a:solidFill></xdr:spPr>'
        '<xdr:txBody><a:bodyPr vertOverflow="clip" rtlCol="0" anchor="ctr"/><a:lstStyle/>'
        '<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="en-GB" sz="1100" b="1">'
        '<a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:rPr>'
        f"<a:t>{label}</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/>"
        "</xdr:oneCellAnchor>"
    )


def _with_buttons(drawing: str) -> str:
    ids = [int(n) for n in re.findall(r'<(?:\w+:)?cNvPr\b[^>]*\bid="(\d+)"', drawing)]
    first = max(ids, default=0) + 1
    shapes = "".join(
        _button(label, macro, col, row, first + i)
        for i, (label, macro, col, row) in enumerate(BUTTONS)
    )
    out, n = re.subn(r"</((?:\w+:)?)wsDr>\s*$", shapes + r"</\1wsDr>", drawing)
    if n != 1:
        raise MacroModelError("the Dashboard's drawing part has no closing wsDr element")
    return out


def _sheet_part(parts: dict[str, bytes], name: str) -> str:
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    tag = re.search(rf'<(?:\w+:)?sheet\b[^>]*\bname="{re.escape(name)}"[^>]*>', workbook)
    if tag is None:
        raise MacroModelError(f"the workbook has no '{name}' sheet for the buttons")
    rid = re.search(r'\br:id="([^"]+)"', tag.group(0))
    rels = _relationships(parts[_rels_path("xl/workbook.xml")].decode("utf-8"))
    target = next((r["Target"] for r in rels if rid and r.get("Id") == rid.group(1)), None)
    if target is None:
        raise MacroModelError(f"the '{name}' sheet has no part")
    return _resolve("xl/workbook.xml", target)


def _add_buttons(parts: dict[str, bytes], types: str) -> str:
    sheet = _sheet_part(parts, DASHBOARD)
    rels_name = _rels_path(sheet)
    rels_xml = parts.get(rels_name, b"").decode("utf-8") or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        "</Relationships>"
    )
    drawing_rel = next((r for r in _relationships(rels_xml) if r.get("Type") == DRAWING_REL), None)
    if drawing_rel is not None:
        drawing = _resolve(sheet, drawing_rel["Target"])
        parts[drawing] = _with_buttons(parts[drawing].decode("utf-8")).encode("utf-8")
        return types
    # no drawing yet: a new drawing part holding only the buttons
    n = 1
    while f"xl/drawings/drawing{n}.xml" in parts:
        n += 1
    drawing = f"xl/drawings/drawing{n}.xml"
    parts[drawing] = _with_buttons(
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xdr:wsDr xmlns:xdr="{XDR}" '
        f'xmlns:a="{A}"></xdr:wsDr>'
    ).encode("utf-8")
    rid = _next_rid(rels_xml)
    parts[rels_name] = _add_relationship(rels_xml, rid, DRAWING_REL, f"/{drawing}").encode("utf-8")
    sheet_xml = parts[sheet].decode("utf-8")
    element = f'<drawing xmlns:r="{R}" r:id="{rid}"/>'
    for before in (
        "<legacyDrawing",
        "<legacyDrawingHF",
        "<picture",
        "<oleObjects",
        "<controls",
        "<webPublishItems",
        "<tableParts",
        "<extLst",
        "</worksheet>",
    ):
        i = sheet_xml.find(before)
        if i >= 0:
            parts[sheet] = (sheet_xml[:i] + element + sheet_xml[i:]).encode("utf-8")
            break
    override = f'<Override PartName="/{drawing}" ContentType="{DRAWING_CONTENT}"/>'
    return types.replace("</Types>", override + "</Types>")


def macro_enabled(xlsx: bytes | os.PathLike[str] | str, vba_project: bytes | None = None) -> bytes:
    """The parts of the workbook ``xlsx`` made into a macro-enabled workbook (bytes of an .xlsm).

    ``vba_project`` defaults to :func:`xlwings_vba_project`.
    """
    source = xlsx if isinstance(xlsx, bytes) else Path(xlsx).read_bytes()
    import io

    with zipfile.ZipFile(io.BytesIO(source)) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i) for i in infos}
    for needed in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if needed not in parts:
            raise MacroModelError(f"the workbook has no {needed} part")
    if "xl/vbaProject.bin" in parts:
        raise MacroModelError("the workbook already has a VBA project")
    types = parts["[Content_Types].xml"].decode("utf-8")
    if PLAIN_WORKBOOK not in types:
        raise MacroModelError("the workbook part is not a plain .xlsx workbook")
    types = types.replace(PLAIN_WORKBOOK, MACRO_WORKBOOK)
    types = types.replace(
        "</Types>", f'<Override PartName="/xl/vbaProject.bin" ContentType="{VBA_CONTENT}"/></Types>'
    )
    types = _add_buttons(parts, types)
    parts["[Content_Types].xml"] = types.encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = _add_relationship(
        rels, _next_rid(rels), VBA_REL, "/xl/vbaProject.bin"
    ).encode("utf-8")
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    workbook, n = re.subn(
        r"<((?:\w+:)?)workbookPr\b(?![^>]*codeName)",
        r'<\1workbookPr codeName="ThisWorkbook"',
        workbook,
        count=1,
    )
    parts["xl/workbook.xml"] = workbook.encode("utf-8")
    parts["xl/vbaProject.bin"] = vba_project if vba_project is not None else xlwings_vba_project()

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        order = [i.filename for i in infos] + [
            p for p in parts if p not in {i.filename for i in infos}
        ]
        for name in order:
            z.writestr(name, parts[name])
    return out.getvalue()


def write_macro_model(path: str | os.PathLike[str], write_xlsx: Callable[[Path], object]) -> Path:
    """Write the macro-enabled model to ``path`` (.xlsm); never overwrites, never half-written.

    ``write_xlsx(p)`` writes the plain model workbook to ``p`` (an ``.xlsx`` path in a
    temporary folder), e.g. ``lambda p: write_model(spec, p)``.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise ValueError(f"{path}: the macro-enabled model must be an .xlsm file")
    if path.exists():
        raise FileExistsError(f"{path} already exists: choose another name or move it first")
    vba = xlwings_vba_project()  # before anything is written
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".dsg-model-") as tmp:
        plain = Path(tmp) / "model.xlsx"
        write_xlsx(plain)
        data = macro_enabled(plain, vba)
    return publish(folder, path.name, lambda p: p.write_bytes(data), numbered=False)
