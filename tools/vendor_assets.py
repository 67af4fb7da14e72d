"""Copy the front-end files zhifa serves from node_modules into the git-ignored static/vendor.

Pages never load anything from the internet: `npm ci` fetches the pinned packages from the
registry at install time, and this script puts the needed files (with their licences) in place.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "zhifa" / "static" / "vendor"

FILES = {
    "htmx": ["htmx.org/dist/htmx.min.js", "htmx.org/LICENSE"],
    "echarts": ["echarts/dist/echarts.min.js", "echarts/LICENSE", "echarts/NOTICE"],
    "tus": [
        "tus-js-client/dist/tus.min.js",
        "tus-js-client/dist/tus.min.js.map",
        "tus-js-client/LICENSE",
    ],
}


def main() -> int:
    missing = [f for files in FILES.values() for f in files if not (NODE_MODULES / f).exists()]
    if missing:
        print("缺少前端文件，请先运行 npm ci：" + "，".join(missing), file=sys.stderr)
        return 1
    for package, files in FILES.items():
        target = VENDOR / package
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copy2(NODE_MODULES / name, target / Path(name).name)
    print(f"前端依赖已复制到 {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
