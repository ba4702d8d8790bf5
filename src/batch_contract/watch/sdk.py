"""Reads the official SDK (`llama-cloud`) as files, never importing it: a wheel, an unpacked tree
or the distribution installed in this environment.

The SDK is generated from the provider's OpenAPI document. Each resource module
(`llama_cloud/resources/.../*.py`) has a `...Resource` class whose methods call
`self._get(path, ..., cast_to=Model)`; the model is a pydantic class in `llama_cloud/types/`.
They are read with `ast`: the path and the model of each method, and the model's fields.
"""

from __future__ import annotations

import ast
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from batch_contract import ENDPOINT_PATH
from batch_contract.core.documents import cannot_read
from batch_contract.core.limits import MAX_DOCUMENT_BYTES
from batch_contract.core.reading import read_regular
from batch_contract.errors import InputError, UsageError
from batch_contract.watch.operations import METHOD, Facts, Operation
from batch_contract.watch.shapes import Node, any_node

PACKAGE = "llama_cloud"
DISTRIBUTION = "llama-cloud"
MAX_FILE_BYTES = 256 * 1024
"""The largest SDK source file read: `ast` holds hundreds of bytes for each byte of dense source,
and the SDK's own files are a fraction of this (docs/watch.md)."""
MAX_SOURCE_BYTES = 4 * 1024 * 1024
"""The most Python source parsed in one run: several times what a whole SDK holds."""
MAX_FILES = 20_000
_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"types": ["string"]},
    "int": {"types": ["integer"]},
    "float": {"types": ["number"]},
    "bool": {"types": ["boolean"]},
    "datetime": {"types": ["string"], "format": "date-time"},
    "date": {"types": ["string"], "format": "date"},
    "object": {"types": []},
    "Any": {"types": []},
}
_SKIPPED_ARGUMENTS = frozenset(
    {"self", "extra_headers", "extra_query", "extra_body", "timeout", "idempotency_key"}
)


class SdkTree:
    """The files of the SDK's package, by their path under it (`resources/batches.py`)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.version: str | None = None
        self.parsed = 0
        """How many characters of source have been parsed (bounded by `MAX_SOURCE_BYTES`)."""
        self._files: dict[str, Any] = {}

    def names(self) -> list[str]:
        """The package's file paths, sorted."""
        return sorted(self._files)

    def read(self, name: str) -> str | None:
        """The text of one file, None when the SDK has no such file."""
        source = self._files.get(name)
        if source is None:
            return None
        raw = source() if callable(source) else source
        return bytes(raw).decode("utf-8", "replace")


def _bounded(data: bytes, name: str, label: str) -> bytes:
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{label}: {name}: larger than {MAX_FILE_BYTES} bytes")
    return data


def _from_wheel(path: Path) -> SdkTree:
    tree = SdkTree(str(path))
    try:  # a regular file only, read bounded: zipfile would read /dev/zero for ever, or block on
        raw, size = read_regular(path)  # a FIFO
    except OSError as error:
        raise InputError(cannot_read(str(path), error)) from None
    if size > MAX_DOCUMENT_BYTES or len(raw) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{path}: too large for a wheel: more than {MAX_DOCUMENT_BYTES} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not a wheel (not a zip file)") from None
    members = archive.infolist()
    if len(members) > MAX_FILES:
        raise InputError(f"{path}: more than {MAX_FILES} files")
    for member in members:
        name = member.filename
        if name.endswith(".dist-info/METADATA") and member.file_size < MAX_FILE_BYTES:
            tree.version = _version(archive.read(member).decode("utf-8", "replace"))
        if not name.startswith(PACKAGE + "/") or not name.endswith(".py"):
            continue
        if member.file_size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {name}: larger than {MAX_FILE_BYTES} bytes")

        def load(member: zipfile.ZipInfo = member) -> bytes:
            try:
                with archive.open(member) as handle:
                    return _bounded(handle.read(MAX_FILE_BYTES + 1), member.filename, str(path))
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
                raise InputError(f"{path}: {member.filename}: {error}") from None

        tree._files[name[len(PACKAGE) + 1 :]] = load
    return tree


def _version(metadata: str) -> str | None:
    for line in metadata.splitlines():
        if line.startswith("Version:"):
            return line.partition(":")[2].strip()
    return None


def _from_folder(folder: Path, label: str) -> SdkTree:
    root = folder / PACKAGE if (folder / PACKAGE).is_dir() else folder
    if not (root / "resources").is_dir():
        raise InputError(f"{label}: no {PACKAGE} package (no {PACKAGE}/resources/ folder)")
    tree = SdkTree(label)
    for count, file in enumerate(sorted(root.rglob("*.py")), 1):
        if count > MAX_FILES:
            raise InputError(f"{label}: more than {MAX_FILES} files")
        name = file.relative_to(root).as_posix()

        def load(file: Path = file, name: str = name) -> bytes:
            try:
                raw, size = read_regular(file)
            except OSError as error:
                raise InputError(f"{label}: {name}: {error.strerror or error}") from None
            if size > MAX_FILE_BYTES:
                raise InputError(f"{label}: {name}: larger than {MAX_FILE_BYTES} bytes")
            return _bounded(raw, name, label)

        tree._files[name] = load
    for info in folder.glob(f"{PACKAGE}-*.dist-info/METADATA"):
        tree.version = _version(info.read_text("utf-8", "replace"))
    return tree


def _installed() -> SdkTree:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(DISTRIBUTION)
    except PackageNotFoundError:
        raise UsageError(f"--sdk installed: {DISTRIBUTION} is not installed here") from None
    package = Path(str(dist.locate_file(PACKAGE)))
    tree = _from_folder(package, f"{DISTRIBUTION} (installed)")
    tree.version = dist.version
    return tree


def open_sdk(where: str) -> SdkTree:
    """The SDK named by `--sdk`: a wheel, a folder, or `installed`."""
    if where == "installed":
        return _installed()
    path = Path(where)
    if path.is_dir():
        return _from_folder(path, where)
    if not path.exists():
        raise InputError(f"{where}: no such file or folder")
    return _from_wheel(path)


# --- reading the sources ------------------------------------------------------------------------


def _parse(tree: SdkTree, name: str) -> ast.Module | None:
    text = tree.read(name)
    if text is None:
        return None
    tree.parsed += len(text)
    if tree.parsed > MAX_SOURCE_BYTES:
        raise InputError(
            f"{tree.label}: more than {MAX_SOURCE_BYTES} bytes of Python source to parse"
        )
    try:
        return ast.parse(text, filename=name)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError(f"{tree.label}: {name}: not Python source this reader can parse") from None


def _path_of(node: ast.expr) -> str | None:
    """The URL path of a request call's first argument: a string, `path_template("...", ...)`
    or an f-string (older SDKs)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and node.args:
        return _path_of(node.args[0])
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
                parts.append("{" + value.value.id + "}")
            else:
                return None
        return "".join(parts)
    return None


def _call_name(module: str) -> str:
    """`resources/beta/batch/batch.py` -> `client.beta.batch`."""
    parts = list(PurePosixPath(module).with_suffix("").parts[1:])
    if len(parts) >= 2 and parts[-1] == parts[-2]:
        parts.pop()
    return ".".join(["client", *parts])


def _requests(function: ast.FunctionDef) -> Iterator[tuple[str, str, str | None]]:
    """(method, path, cast_to) of each `self._get(...)`-like call in a method."""
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        verb = node.func.attr
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "self"):
            continue
        if verb not in ("_get", "_post", "_put", "_patch", "_delete") or not node.args:
            continue
        path = _path_of(node.args[0])
        if path is None:
            continue
        model = next(
            (
                k.value.id
                for k in node.keywords
                if k.arg == "cast_to" and isinstance(k.value, ast.Name)
            ),
            None,
        )
        yield verb[1:].upper(), path, model


def _arguments(function: ast.FunctionDef) -> dict[str, dict[str, Any]]:
    args = function.args
    found: dict[str, dict[str, Any]] = {}
    positional = args.posonlyargs + args.args
    firsts = len(positional) - len(args.defaults)
    for index, arg in enumerate(positional):
        found[arg.arg] = {"in": "path", "required": index >= 0 and index < firsts}
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        found[arg.arg] = {"in": "query", "required": default is None}
    return {name: value for name, value in found.items() if name not in _SKIPPED_ARGUMENTS}


def _imports(module: ast.Module, name: str) -> dict[str, str]:
    """Imported name -> the package file it comes from (relative imports resolved)."""
    package = list(PurePosixPath(name).parent.parts)
    found: dict[str, str] = {}
    for node in module.body:
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        target = "/".join([*base, *(node.module or "").split(".")]).strip("/")
        for alias in node.names:
            found[alias.asname or alias.name] = target
    return found


def read_sdk(tree: SdkTree) -> Facts:
    """The SDK's facts: the endpoint's operation (its call, parameters and response model) and
    every other GET of the sync resources (for the successor rule)."""
    target: Operation | None = None
    others: list[Operation] = []
    for name in tree.names():
        if not name.startswith("resources/") or name.endswith("__init__.py"):
            continue
        module = _parse(tree, name)
        if module is None:
            continue
        imports = _imports(module, name)
        for cls in module.body:
            if not isinstance(cls, ast.ClassDef) or not cls.name.endswith("Resource"):
                continue
            if cls.name.startswith("Async"):
                continue
            for function in cls.body:
                if not isinstance(function, ast.FunctionDef):
                    continue
                for method, path, model in _requests(function):
                    operation = Operation(
                        method,
                        path,
                        parameters=_arguments(function),
                        call=f"{_call_name(name)}.{function.name}",
                    )
                    if method == METHOD and path == ENDPOINT_PATH and target is None:
                        operation.response = _model(tree, imports, model)
                        target = operation
                    elif method == METHOD:
                        operation.response = _model(tree, imports, model, quiet=True)
                        others.append(operation)
    return Facts("sdk", tree.label, target, others, version=tree.version)


def _model(tree: SdkTree, imports: dict[str, str], model: str | None, quiet: bool = False) -> Node:
    if model is None or model not in imports:
        return any_node()
    try:
        return _Models(tree).node_of(imports[model], model, 0)
    except InputError:
        if quiet:
            return any_node()
        raise


class _Models:
    """Turns pydantic model classes of the SDK into normal-form nodes."""

    def __init__(self, tree: SdkTree) -> None:
        self.tree = tree

    def _module(self, target: str) -> tuple[ast.Module, str] | None:
        for name in (f"{target}.py", f"{target}/__init__.py"):
            module = _parse(self.tree, name)
            if module is not None:
                return module, name
        return None

    def node_of(self, target: str, cls_name: str, depth: int) -> Node:
        if depth > 8:
            raise InputError(f"{self.tree.label}: {cls_name}: models nest too deep")
        found = self._module(target)
        if found is None:
            raise InputError(f"{self.tree.label}: no module {target} for {cls_name}")
        module, name = found
        for node in module.body:
            if isinstance(node, ast.ClassDef) and node.name == cls_name:
                return self._class(module, name, node, depth)
        imported = _imports(module, name).get(cls_name)
        if imported is not None:
            return self.node_of(imported, cls_name, depth + 1)
        raise InputError(f"{self.tree.label}: no class {cls_name} in {name}")

    def _class(self, module: ast.Module, name: str, cls: ast.ClassDef, depth: int) -> Node:
        properties: dict[str, Node] = {}
        required: list[str] = []
        for item in cls.body:
            if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
                continue
            field = item.target.id
            if field.startswith("_") or field == "model_config":
                continue
            properties[field] = self._annotation(module, name, item.annotation, depth)
            if item.value is None:
                required.append(field)
        node: Node = {"types": ["object"], "nullable": False, "properties": properties}
        if required:
            node["required"] = sorted(required)
        return node

    def _annotation(self, module: ast.Module, name: str, node: ast.expr, depth: int) -> Node:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a forward reference
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return any_node()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union(module, name, [node.left, node.right], depth)
        if isinstance(node, ast.Constant) and node.value is None:
            return {"types": [], "nullable": True}
        if isinstance(node, ast.Name | ast.Attribute):
            ident = node.id if isinstance(node, ast.Name) else node.attr
            if ident in _SCALARS:
                return {"nullable": False, **_SCALARS[ident]}
            if ident in ("Dict", "dict"):
                return {"types": ["object"], "nullable": False}
            if ident in ("List", "list"):
                return {"types": ["array"], "nullable": False}
            return self._named(module, name, ident, depth)
        if isinstance(node, ast.Subscript):
            head = node.value.id if isinstance(node.value, ast.Name) else None
            inner = node.slice
            args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
            if not args:  # `Optional[()]`, `List[()]`: no type named, read as `Any`
                args = [ast.Name("Any")]
            if head == "Optional":
                return self._union(module, name, [args[0], ast.Constant(None)], depth)
            if head == "Union":
                return self._union(module, name, args, depth)
            if head == "Literal":
                values = [a.value for a in args if isinstance(a, ast.Constant)]
                from batch_contract.watch.shapes import Normaliser

                return Normaliser({}, name).node({"enum": values}, "$")
            if head in ("List", "list", "Sequence", "SequenceNotStr"):
                items = self._annotation(module, name, args[0], depth)
                return {"types": ["array"], "nullable": False, "items": items}
            if head in ("Dict", "dict"):
                return {"types": ["object"], "nullable": False}
            if head == "Annotated":
                return self._annotation(module, name, args[0], depth)
        return any_node()

    def _union(self, module: ast.Module, name: str, parts: list[ast.expr], depth: int) -> Node:
        from batch_contract.watch.shapes import union

        return union([self._annotation(module, name, part, depth) for part in parts])

    def _named(self, module: ast.Module, name: str, ident: str, depth: int) -> Node:
        for node in module.body:
            if isinstance(node, ast.ClassDef) and node.name == ident:
                if depth > 8:
                    raise InputError(f"{self.tree.label}: {ident}: models nest too deep")
                return self._class(module, name, node, depth + 1)
        imported = _imports(module, name).get(ident)
        if imported is not None:
            try:
                return self.node_of(imported, ident, depth + 1)
            except InputError:
                return any_node()
        return any_node()
