"""Offline checks of what hassfest and HACS check, plus forward compatibility.

- manifest.json: keys, order, SemVer version, values;
- hacs.json: keys and the minimum Home Assistant version;
- services: services.yaml, the registered service names, strings and icons agree;
- translations: every key the code uses exists in strings.json; en.json equals
  strings.json; every other language has the same keys and placeholders;
- icons.json and the brand images;
- forward compatibility: every `homeassistant` import of the integration resolves in
  the wheel of the newest Home Assistant release on PyPI (asked for on every run,
  downloaded once per release, cached); and the test run on the newest tested Home
  Assistant (scripts/test --ha 2026.11) reported nothing about retrowalk: no "will stop
  working" from Home Assistant's frame helper, no deprecation (tests/conftest.py writes
  these reports to artifacts/ha-reports/).
Prints one line per problem; exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import subprocess
import sys
from typing import Any
import zipfile

import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "custom_components" / "retrowalk"
# Any Python: the newest Home Assistant may need a newer one than this machine has.
ANY_PYTHON = "3.99"
CACHE = ROOT / ".venvs" / "cache"
REPORTS = ROOT / "artifacts" / "ha-reports"
WHEEL = re.compile(r"homeassistant-(\d[\w.]*)-py3-none-any\.whl")

MANIFEST_ORDER_FIRST = ["domain", "name"]
MANIFEST_REQUIRED = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
}
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
PLACEHOLDER = re.compile(r"{(\w+)}")
BRAND_SIZES = {"icon.png": (256, 256), "icon@2x.png": (512, 512)}
# The modules whose error keys a form shows.
FLOW_MODULES = {
    "config_flow.py",
    "options_flow.py",
    "flow_sections.py",
    "flow_fields.py",
}

problems: list[str] = []


def problem(text: str) -> None:
    """Record one problem."""
    problems.append(text)


def load_json(path: Path) -> Any:
    """A JSON file, or a problem if it does not parse."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        problem(f"{path.relative_to(ROOT)}: {err}")
        return {}


def check_manifest() -> dict[str, Any]:
    """Keys, order and values of manifest.json."""
    manifest: dict[str, Any] = load_json(PACKAGE / "manifest.json")
    if missing := MANIFEST_REQUIRED - set(manifest):
        problem(f"manifest.json: missing {sorted(missing)}")
    keys = list(manifest)
    if keys[:2] != MANIFEST_ORDER_FIRST or keys[2:] != sorted(keys[2:]):
        problem("manifest.json: keys must be domain, name, then alphabetical")
    if manifest.get("domain") != PACKAGE.name:
        problem("manifest.json: domain must equal the folder name")
    if not SEMVER.match(str(manifest.get("version", ""))):
        problem(f"manifest.json: version {manifest.get('version')!r} is not SemVer")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problem(f"manifest.json: unknown iot_class {manifest.get('iot_class')!r}")
    if manifest.get("integration_type") not in INTEGRATION_TYPES:
        problem("manifest.json: unknown integration_type")
    for key in ("documentation", "issue_tracker"):
        if not str(manifest.get(key, "")).startswith("https://"):
            problem(f"manifest.json: {key} must be an https URL")
    pyproject = (ROOT / "pyproject.toml").read_text()
    if f'version = "{manifest.get("version")}"' not in pyproject:
        problem("manifest.json and pyproject.toml carry different versions")
    return manifest


def check_hacs() -> None:
    """Keys of hacs.json and its minimum Home Assistant version."""
    hacs: dict[str, Any] = load_json(ROOT / "hacs.json")
    if unknown := set(hacs) - HACS_KEYS:
        problem(f"hacs.json: unknown keys {sorted(unknown)}")
    if "name" not in hacs:
        problem("hacs.json: name is required")
    version = str(hacs.get("homeassistant", ""))
    if not re.match(r"^\d{4}\.\d{1,2}\.\d+$", version):
        problem(f"hacs.json: homeassistant {version!r} is not a release version")
    tested_minimum = (ROOT / "requirements" / "test-ha-2025.4.txt").read_text()
    if not version.startswith("2025.4.") or "0.13.236" not in tested_minimum:
        problem("hacs.json: homeassistant must be the tested minimum, 2025.4.x")


def python_files() -> Iterator[Path]:
    """The integration's Python files."""
    yield from sorted(PACKAGE.rglob("*.py"))


def string_args(tree: ast.AST, function: str) -> Iterator[str]:
    """First positional string literals of calls to `function`."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == function
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def keyword_strings(tree: ast.AST, keyword: str) -> Iterator[str]:
    """String literals passed as `keyword=`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == keyword:
            if isinstance(node.value, ast.Constant) and isinstance(
                node.value.value, str
            ):
                yield node.value.value


def refusal_codes(tree: ast.AST) -> Iterator[str]:
    """String literals returned by functions named *_refusal (exception keys)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_refusal"):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    if re.fullmatch(r"[a-z_]+", inner.value):
                        yield inner.value


def flow_errors(tree: ast.AST) -> Iterator[str]:
    """Error keys a config flow returns: values of dicts keyed by CONF_* or 'base'."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                is_field = (
                    isinstance(key, ast.Name) and key.id.startswith("CONF_")
                ) or (isinstance(key, ast.Constant) and key.value in ("base", "name"))
                if (
                    is_field
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    yield value.value
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0].value
            if isinstance(target, ast.Name) and target.id == "errors":
                if isinstance(node.value, ast.Constant):
                    yield node.value.value


def check_translations(strings: dict[str, Any]) -> None:
    """Every translation key the code uses exists in strings.json."""
    entity_keys = {
        key for platform in strings.get("entity", {}).values() for key in platform
    }
    for path in python_files():
        tree = ast.parse(path.read_text())
        name = path.relative_to(ROOT)
        for code in [
            *string_args(tree, "validation_error"),
            *string_args(tree, "WorkoutError"),
            *refusal_codes(tree),
        ]:
            if code not in strings.get("exceptions", {}):
                problem(f"{name}: exception {code!r} is not in strings.json")
        for key in keyword_strings(tree, "translation_key"):
            known = (
                key in entity_keys
                or key in strings.get("exceptions", {})
                or key in strings.get("issues", {})
                or key in strings.get("selector", {})
            )
            if not known:
                problem(f"{name}: translation_key {key!r} is not in strings.json")
        for step in keyword_strings(tree, "step_id"):
            if (
                step not in strings["config"]["step"]
                and step not in strings["options"]["step"]
            ):
                problem(f"{name}: step {step!r} is not in strings.json")
        for reason in keyword_strings(tree, "reason"):
            if reason not in strings["config"]["abort"] and reason not in strings[
                "options"
            ].get("abort", {}):
                problem(f"{name}: abort reason {reason!r} is not in strings.json")
        if path.name in FLOW_MODULES:
            for error in flow_errors(tree):
                if error not in strings["config"]["error"]:
                    problem(f"{name}: error {error!r} is not in strings.json")
        for key in _entity_init_keys(tree):
            if key not in entity_keys:
                problem(f"{name}: entity {key!r} is not in strings.json")


def _entity_init_keys(tree: ast.AST) -> Iterator[str]:
    """Keys given to RetrowalkEntity.__init__ as `super().__init__(entry, "key")`."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Constant)
        ):
            yield node.args[1].value


def key_paths(data: Any, prefix: str = "") -> dict[str, set[str]]:
    """Every leaf's path and its placeholders."""
    if isinstance(data, dict):
        paths: dict[str, set[str]] = {}
        for key, value in data.items():
            paths |= key_paths(value, f"{prefix}.{key}" if prefix else key)
        return paths
    return {prefix: set(PLACEHOLDER.findall(str(data)))}


def check_languages(strings: dict[str, Any]) -> None:
    """en.json is strings.json; other languages have the same keys and placeholders."""
    translations = PACKAGE / "translations"
    if load_json(translations / "en.json") != strings:
        problem("translations/en.json differs from strings.json")
    source = key_paths(strings)
    for path in sorted(translations.glob("*.json")):
        other = key_paths(load_json(path))
        if missing := set(source) - set(other):
            problem(f"translations/{path.name}: missing {sorted(missing)[:5]}")
        if extra := set(other) - set(source):
            problem(f"translations/{path.name}: unknown keys {sorted(extra)[:5]}")
        for key in set(source) & set(other):
            if source[key] != other[key]:
                problem(f"translations/{path.name}: {key} placeholders differ")
    cues = PACKAGE / "cues"
    english_cues = key_paths(load_json(cues / "en.json"))
    for path in sorted(cues.glob("*.json")):
        if key_paths(load_json(path)) != english_cues:
            problem(f"cues/{path.name}: keys or placeholders differ from cues/en.json")


def registered_services() -> set[str]:
    """The SERVICE_* names services.py registers."""
    tree = ast.parse((PACKAGE / "services.py").read_text())
    return {
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.startswith("SERVICE_")
        and isinstance(node.value, ast.Constant)
    }


def check_services(strings: dict[str, Any], icons: dict[str, Any]) -> None:
    """services.yaml, services.py, strings and icons name the same services and fields."""
    described = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    registered = registered_services()
    if set(described) != registered:
        problem(
            f"services.yaml {sorted(described)} != services.py {sorted(registered)}"
        )
    translated = strings.get("services", {})
    if set(translated) != registered:
        problem("strings.json services differ from the registered services")
    if set(icons.get("services", {})) != registered:
        problem("icons.json services differ from the registered services")
    for service, spec in described.items():
        fields = set((spec or {}).get("fields", {}))
        if fields != set(translated.get(service, {}).get("fields", {})):
            problem(f"strings.json: fields of {service} differ from services.yaml")
        for part in ("name", "description"):
            if part not in translated.get(service, {}):
                problem(f"strings.json: service {service} has no {part}")


def check_icons(strings: dict[str, Any], icons: dict[str, Any]) -> None:
    """icons.json names only translated entities, and every translated entity has one."""
    for platform, entities in icons.get("entity", {}).items():
        for key in entities:
            if key not in strings.get("entity", {}).get(platform, {}):
                problem(f"icons.json: entity.{platform}.{key} is not in strings.json")
    for platform, entities in strings.get("entity", {}).items():
        for key in entities:
            if key not in icons.get("entity", {}).get(platform, {}):
                problem(f"icons.json: no icon for entity.{platform}.{key}")


def check_brand() -> None:
    """The brand images exist with the sizes Home Assistant expects."""
    brand = PACKAGE / "brand"
    for name in ("icon.png", "icon@2x.png", "logo.png", "logo@2x.png"):
        if not (brand / name).is_file():
            problem(f"brand/{name} is missing")
    try:
        from PIL import Image  # noqa: PLC0415 - optional: present where HA is installed
    except ImportError:
        return
    for name, size in BRAND_SIZES.items():
        if (brand / name).is_file():
            with Image.open(brand / name) as image:
                if image.size != size:
                    problem(f"brand/{name} is {image.size}, expected {size}")


def newest_wheel() -> tuple[str, Path]:
    """The newest Home Assistant release and its wheel (downloaded once, then cached).

    pip asks the index for the newest release every time; without an answer (offline),
    the newest wheel in the cache is used.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    download = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            ANY_PYTHON,
            "--dest",
            str(CACHE),
            "homeassistant",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if download.returncode == 0 and (found := WHEEL.search(download.stdout)):
        return found.group(1), CACHE / found.group(0)
    cached = sorted(
        (_version_key(match.group(1)), match.group(1), path)
        for path in CACHE.glob("homeassistant-*.whl")
        if (match := WHEEL.fullmatch(path.name))
    )
    if not cached:
        problem(f"the newest Home Assistant could not be downloaded: {download.stderr}")
        raise SystemExit(_finish(offline=False))
    print(f"note: PyPI did not answer; using the cached {cached[-1][1]}")
    return cached[-1][1], cached[-1][2]


def _version_key(version: str) -> tuple[int, ...]:
    """2026.11.0 -> (2026, 11, 0); what is not a number sorts first."""
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


TOP_LEVEL_NAME = re.compile(
    r"^(?:async\s+def|def|class)\s+(\w+)|^(\w+)\s*(?::[^=]*)?=|^type\s+(\w+)", re.M
)
FROM_IMPORT = re.compile(r"^from\s+[\w.]+\s+import\s+(\([^)]*\)|[^\n]+)", re.M)


def scanned_names(source: str) -> set[str]:
    """Top-level names found line by line, for sources newer than this Python's parser.

    Home Assistant 2026.11 needs Python 3.14, whose syntax (e.g. `except A, B:`) the
    3.13 parser refuses; definitions and imports at the start of a line suffice.
    """
    names = {next(g for g in m.groups() if g) for m in TOP_LEVEL_NAME.finditer(source)}
    for match in FROM_IMPORT.finditer(source):
        for part in match.group(1).strip("()").replace("\n", " ").split(","):
            if words := part.split("#")[0].split():
                names.add(words[-1])
    return names


def defined_names(source: str) -> set[str]:
    """Top-level names a module defines or imports."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return scanned_names(source)
    names: set[str] = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.AnnAssign, ast.TypeAlias)):
            target = node.target if isinstance(node, ast.AnnAssign) else node.name
            if isinstance(target, ast.Name):
                names.add(target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.If):  # e.g. `if TYPE_CHECKING:` blocks
            names |= defined_names(ast.unparse(node.body[0])) if node.body else set()
    return names


def check_forward_compatibility() -> None:
    """Every homeassistant import resolves in the newest release."""
    newest, path = newest_wheel()
    print(f"validate: imports checked against Home Assistant {newest}")
    wheel = zipfile.ZipFile(path)
    files = set(wheel.namelist())
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if not node.module.startswith("homeassistant"):
                continue
            base = node.module.replace(".", "/")
            module_file = next(
                (f for f in (f"{base}.py", f"{base}/__init__.py") if f in files), None
            )
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if module_file is None:
                problem(f"{where}: {node.module} does not exist in {newest}")
                continue
            names = defined_names(wheel.read(module_file).decode())
            for alias in node.names:
                submodule = f"{base}/{alias.name}"
                if alias.name not in names and not any(
                    f in files for f in (f"{submodule}.py", f"{submodule}/__init__.py")
                ):
                    problem(f"{where}: {node.module}.{alias.name} is gone in {newest}")


def check_test_reports(series: str) -> None:
    """The newest tested Home Assistant's test run reported nothing about retrowalk."""
    runs = sorted(
        REPORTS.glob(f"{series}.*.json"), key=lambda path: _version_key(path.stem)
    )
    if not runs:
        problem(
            f"no test run on Home Assistant {series} to check for reports about "
            f"retrowalk: run scripts/test --ha {series} first"
        )
        return
    found = json.loads(runs[-1].read_text())  # the latest release of the series
    print(
        f"validate: {len(found['reports'])} reports about retrowalk in the "
        f"{found['tests']} tests on Home Assistant {found['home_assistant']} "
        f"(Python {found['python']})"
    )
    for report in found["reports"]:
        problem(
            f"Home Assistant {found['home_assistant']}, {report['test']}: "
            f"{report['message']}"
        )


def _finish(*, offline: bool) -> int:
    """Print the problems; the exit status."""
    for text in problems:
        print(f"problem: {text}")
    checked = "everything" if not offline else "everything but forward compatibility"
    print(f"validate: {len(problems)} problems ({checked} checked)")
    return 1 if problems else 0


def main() -> None:
    """Run every check; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--offline",
        action="store_true",
        help="skip the forward compatibility checks (newest release, test reports)",
    )
    parser.add_argument(
        "--newest-tested",
        default="2026.11",
        help="the Home Assistant series whose test reports are checked",
    )
    args = parser.parse_args()
    strings: dict[str, Any] = load_json(PACKAGE / "strings.json")
    icons: dict[str, Any] = load_json(PACKAGE / "icons.json")
    check_manifest()
    check_hacs()
    check_translations(strings)
    check_languages(strings)
    check_services(strings, icons)
    check_icons(strings, icons)
    check_brand()
    if not args.offline:
        check_forward_compatibility()
        check_test_reports(args.newest_tested)
    sys.exit(_finish(offline=args.offline))


if __name__ == "__main__":
    main()
