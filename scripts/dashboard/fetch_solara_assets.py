#!/usr/bin/env python
"""Fill Solara's asset proxy cache from the npm registry, so a Solara page works offline.

By default, Solara's server sends the browser to ``/_solara/cdn/<npm package>@<version>/<file>``.
It serves that path from its proxy cache directory and, when the file is missing, downloads it
from a public CDN (jsdelivr). With no network access to that CDN the page stays blank. Every such
URL names an npm package and a version, so this script gets the same packages from the npm
registry with ``npm pack`` and unpacks each into ``<cache dir>/<package>@<version as written in the
URL>/``, which is where ``solara.server.cdn_helper.get_path`` looks first.

Nothing is hard-coded: the assets come from the installed Solara itself.
  * page assets: Solara's page template (``solara/server/templates/solara.html.j2``) rendered with
    the settings that this environment's server uses (vue 2 or 3 from ipyvue, the ipywidgets major
    version, the font-awesome path, dev and production mode), and every URL under the CDN kept;
  * component assets: ``${this.getCdn()}/<package>@<version>/...`` references in Solara's widget
    and component sources (``.vue``, ``.js``, ``.py``), such as vue-grid-layout (GridDraggable,
    which Mesa's SolaraViz uses), vega/vega-lite/vega-embed (FigureAltair), katex and mermaid
    (Markdown), echarts, codemirror, solara-milkdown. A ``${version}`` in such a URL is read from a
    ``const version = "..."`` in the same file; a version that cannot be read is listed and skipped.

Run it with the Python of the environment that runs Solara:

    python scripts/dashboard/fetch_solara_assets.py            # page and component assets
    python scripts/dashboard/fetch_solara_assets.py --minimal  # page assets only
    python scripts/dashboard/fetch_solara_assets.py --check    # only verify, exit 1 if missing
    python scripts/dashboard/fetch_solara_assets.py --list     # print what it would fetch

It is idempotent: a package folder holding this script's marker file for the same resolved spec
is left alone (``--refresh`` fetches it again).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".fetch_solara_assets.json"
CDN_MARK = "https://solara-cdn.invalid"
# <package>@<version>/<path>, package optionally scoped; version up to the next "/"
_REF = r"((?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)@([^/\s\"'`)]+)/([^\s\"'`)?#]*)"
_COMPONENT_REF = re.compile(r"getCdn\(\)\}/" + _REF, re.IGNORECASE)
_PAGE_REF = re.compile(re.escape(CDN_MARK) + r"/+" + _REF, re.IGNORECASE)


class Failure(Exception):
    pass


@dataclass
class Asset:
    name: str
    spec: str  # version as written in the URL: exact (2.3.6) or a range (5)
    kind: str  # "page" or "component"
    paths: set = field(default_factory=set)
    sources: set = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.spec}"


def _add(found: dict, name: str, spec: str, path: str, kind: str, source: str) -> None:
    key = f"{name}@{spec}"
    asset = found.get(key)
    if asset is None:
        asset = found[key] = Asset(name, spec, kind)
    elif kind == "page":
        asset.kind = "page"
    if path:
        asset.paths.add(path)
    asset.sources.add(source)


def page_assets(found: dict) -> None:
    """The CDN URLs in the page that Solara's server renders, as this environment renders it."""
    import jinja2
    import solara
    import solara.server.server as server
    import solara.server.settings as settings

    class Resources:
        module_urls: list = []
        nbextensions: list = []
        nbextensions_hashes: dict = {}

        def include_css(self, *args, **kwargs):
            return ""

        include_js = versioned_asset_url = include_css

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(server.directory / "templates")),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
    )
    template = env.get_template("solara.html.j2")
    for production in (False, True):  # dev mode loads .js, production mode .min.js
        html = template.render(
            cdn=CDN_MARK,
            vue3=server.vue3,
            ipywidget_major_version=server.ipywidgets_major,
            production=production,
            assets=settings.assets.dict(),
            resources=Resources(),
            theme=settings.theme.dict(),
            solara_version=solara.__version__,
            title="",
            path="/",
            root_path="",
            jupyter_root_path="/jupyter",
            force_refresh=False,
            client_version="",
            pre_rendered_html="",
            pre_rendered_css="",
            pre_rendered_metas="",
            platform=sys.platform,
            perform_check=False,
        )
        for name, spec, path in _PAGE_REF.findall(html):
            _add(found, name, spec, path, "page", "solara/server/templates/solara.html.j2")


def component_assets(found: dict, skipped: set) -> None:
    """``${this.getCdn()}/pkg@version/...`` references in Solara's widget and component sources."""
    import solara

    root = Path(solara.__file__).parent
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root)
        if file.suffix not in (".vue", ".js", ".py") or rel.parts[0] == "website":
            continue  # solara/website is the solara.dev documentation site, not a library part
        text = file.read_text(encoding="utf-8", errors="replace")
        for name, spec, path in _COMPONENT_REF.findall(text):
            var = re.fullmatch(r"\$\{\s*(\w+)\s*\}", spec)
            if var:  # `${version}`: take `const version = "5.4.0"` from the same file, if it is there
                values = set(re.findall(r"(?:const|let|var)\s+" + var.group(1) + r"\s*=\s*[\"']([^\"'$]+)[\"']", text))
                if len(values) == 1:
                    spec = values.pop()
            if "$" in spec or "{" in spec:
                skipped.add(f"{name}@{spec} (version computed at run time; in solara/{rel})")
                continue
            _add(found, name, spec, path, "component", f"solara/{rel}")


def npm_pack(npm: str, spec: str, dest: Path) -> dict:
    proc = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(dest)],
        cwd=dest,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise Failure(f"npm pack {spec} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    try:
        info = json.loads(proc.stdout)[0]
    except (ValueError, IndexError) as e:
        raise Failure(f"npm pack {spec}: could not read its --json output: {e}\n{proc.stdout[:500]}")
    return info


def unpack(tgz: Path, target: Path) -> int:
    """Unpack an npm tarball (files under one top folder, usually package/) into target."""
    count = 0
    with tarfile.open(tgz, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            parts = member.name.split("/", 1)
            if len(parts) < 2 or not parts[1] or not (member.isfile() or member.isdir()):
                continue
            member.name = parts[1]
            members.append(member)
            count += member.isfile()
        tar.extractall(target, members=members, filter="data")
    return count


def read_marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, help="default: solara.server.settings.assets.proxy_cache_dir (env SOLARA_ASSETS_PROXY_CACHE_DIR)")
    parser.add_argument("--minimal", action="store_true", help="only the assets the page itself loads, not those of components")
    parser.add_argument("--skip", action="append", default=[], metavar="PACKAGE", help="leave out an npm package by name (repeatable), e.g. --skip mermaid")
    parser.add_argument("--refresh", action="store_true", help="fetch packages again even when present")
    parser.add_argument("--check", action="store_true", help="fetch nothing; exit 1 when an asset file is missing")
    parser.add_argument("--list", action="store_true", help="print the assets found in Solara's sources and exit")
    args = parser.parse_args(argv)

    try:
        import solara
        import solara.server.settings as settings
    except ImportError as e:
        print(f"error: cannot import solara ({e}); run this with the Python that runs Solara", file=sys.stderr)
        return 2

    cache_dir = (args.cache_dir or settings.assets.proxy_cache_dir).resolve()
    found: dict[str, Asset] = {}
    skipped: set[str] = set()
    page_assets(found)
    if not args.minimal:
        component_assets(found, skipped)
    found = {k: a for k, a in found.items() if a.name not in args.skip}
    if not any(a.kind == "page" for a in found.values()):
        print("error: found no CDN assets in Solara's page template; its layout has changed", file=sys.stderr)
        return 2

    import solara.settings as main_settings

    print(f"solara {solara.__version__}; cache dir {cache_dir}")
    print(f"upstream CDN {main_settings.assets.cdn}; proxy {'on' if main_settings.assets.proxy else 'OFF (SOLARA_ASSETS_PROXY)'}")
    import solara.server.server as server

    if server.vue3:
        print(
            "warning: ipyvue 3 (Vue 3) is installed. Solara's GridDraggable, which Mesa's SolaraViz uses for\n"
            "  its plots, then loads @widgetti/vue-grid-layout, a Vue 2 build that fails in the browser\n"
            "  ('GlobalVue.use is not a function') and leaves the plot area empty, CDN or not.\n"
            "  Install 'ipyvue<3' 'ipyvuetify<3' and run this script again.",
            file=sys.stderr,
        )
    for asset in sorted(found.values(), key=lambda a: (a.kind != "page", a.key)):
        print(f"  {asset.kind:9} {asset.key}: {', '.join(sorted(asset.paths)) or '-'}")
    for s in sorted(skipped):
        print(f"  skipped   {s}")
    if args.list:
        return 0

    if args.check:
        missing = [f"{a.key}/{p}" for a in found.values() for p in sorted(a.paths) if not (cache_dir / a.key / p).is_file()]
        for m in missing:
            print(f"missing: {cache_dir / m}")
        print("all asset files present" if not missing else f"{len(missing)} asset file(s) missing")
        return 1 if missing else 0

    npm = shutil.which("npm")
    if npm is None:
        print(
            "error: npm not found on PATH. Install Node.js and npm (e.g. `apt-get install -y npm`); "
            "the assets are npm packages fetched with `npm pack`.",
            file=sys.stderr,
        )
        return 2

    cache_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    manifest = {"solara": solara.__version__, "packages": {}}
    with tempfile.TemporaryDirectory(prefix="solara-assets-") as tmp:
        for asset in sorted(found.values(), key=lambda a: a.key):
            target = cache_dir / asset.key
            marker = read_marker(target)
            have_all = all((target / p).is_file() for p in asset.paths)
            if marker and marker.get("spec") == asset.key and have_all and not args.refresh:
                print(f"present   {asset.key} (npm {marker.get('name')}@{marker.get('version')})")
                manifest["packages"][asset.key] = marker.get("version")
                continue
            try:
                workdir = Path(tmp) / re.sub(r"[^\w.-]", "_", asset.key)
                workdir.mkdir()
                info = npm_pack(npm, asset.key, workdir)
                staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache_dir))
                try:
                    nfiles = unpack(workdir / info["filename"], staging)
                    for p in sorted(asset.paths):
                        # jsdelivr minifies on request: x.min.js is served even where the package
                        # only has x.js (requirejs@2.3.6/require.min.js). Use the unminified file.
                        full = re.sub(r"\.min\.(js|css)$", r".\1", p)
                        if not (staging / p).is_file() and full != p and (staging / full).is_file():
                            shutil.copyfile(staging / full, staging / p)
                            print(f"note      {asset.key}/{p} is not in the npm package; copied from {full} (the CDN minifies on request)")
                    missing = [p for p in asset.paths if not (staging / p).is_file()]
                    if missing:
                        raise Failure(f"{asset.key}: npm package lacks {', '.join(missing)}")
                    (staging / MARKER).write_text(
                        json.dumps({"spec": asset.key, "name": info["name"], "version": info["version"], "integrity": info.get("integrity"), "solara": solara.__version__}, indent=1)
                    )
                    staging.chmod(0o755)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if target.exists():
                        shutil.rmtree(target)
                    staging.rename(target)
                finally:
                    shutil.rmtree(staging, ignore_errors=True)
                print(f"fetched   {asset.key} -> npm {info['name']}@{info['version']} ({nfiles} files) into {target}")
                manifest["packages"][asset.key] = info["version"]
            except Failure as e:
                failures.append(str(e))
                print(f"FAILED    {e}", file=sys.stderr)
    (cache_dir / MARKER).write_text(json.dumps(manifest, indent=1))
    if failures:
        print(f"error: {len(failures)} package(s) could not be fetched", file=sys.stderr)
        return 1
    print(f"done: {len(found)} package(s) in {cache_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
