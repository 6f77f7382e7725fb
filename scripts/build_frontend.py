"""Copy the GOV.UK Frontend build from node_modules into Opus's static files.

The precompiled stylesheet points at fonts and images under the site root
(`/assets/...`); we rewrite those to paths relative to the stylesheet so that
WhiteNoise can serve them under STATIC_URL with hashed names.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "opus" / "static" / "govuk"


def main() -> int:
    if not SOURCE.is_dir():
        print(f"build_frontend: {SOURCE} is missing; run 'npm ci' first", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    shutil.copytree(SOURCE / "assets", TARGET / "assets")
    css = (SOURCE / "govuk-frontend.min.css").read_text(encoding="utf-8")
    css = css.replace("url(/assets/", "url(assets/")
    css = css.split("/*# sourceMappingURL")[0]
    (TARGET / "govuk-frontend.min.css").write_text(css, encoding="utf-8")
    js = (SOURCE / "govuk-frontend.min.js").read_text(encoding="utf-8")
    js = js.split("//# sourceMappingURL")[0]
    (TARGET / "govuk-frontend.min.js").write_text(js, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
