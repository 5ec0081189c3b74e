#!/usr/bin/env bash
# Weekly workflow, part 1: build the Binder image from binder/ exactly as mybinder.org does
# (repo2docker), then run every notebook of _toc.yml inside it with nbval-lax (every cell must
# run without error; stored outputs are not compared: the environment is under test, not the
# digits). The container gets Binder's memory (2 GB) so a notebook that needs more fails here.
#
# Needs Docker and, in the Python that runs this script, jupyter-repo2docker and PyYAML:
#   python -m pip install jupyter-repo2docker==2026.4.0 pyyaml
#   bash scripts/binder_check.sh
# Environment: PYTHON (default python3), BINDER_IMAGE (image name), BINDER_MEMORY (default 2g).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
image=${BINDER_IMAGE:-dl-basics-binder-check}
memory=${BINDER_MEMORY:-2g}

# The notebooks of the table of contents, paths relative to the repository (the image's workdir).
mapfile -t notebooks < <("$python" - <<'PY'
import sys
sys.path.insert(0, "scripts")
import editions
for path in editions.chapter_notebooks():
    print(path.relative_to(editions.ROOT).as_posix())
PY
)
echo "==> ${#notebooks[@]} notebooks"

echo "==> building the Binder image with repo2docker (binder/ takes precedence over root files)"
"$python" -m repo2docker --no-run --user-id 1000 --user-name jovyan --image-name "$image" .

# pytest and nbval are test tools, deliberately not in binder/requirements.txt: add them to the
# container only for this run. -p no:warnings: the repository's pytest settings turn warnings
# into errors, which would test the container's Jupyter stack instead of the course.
echo "==> running every notebook in the image (nbval-lax, memory limit $memory)"
docker run --rm --memory "$memory" --memory-swap "$memory" "$image" bash -c '
  set -euo pipefail
  python -m pip install --quiet --no-cache-dir pytest==9.2.0 nbval==0.11.0
  python -c "import torch, nnlib; print(\"torch\", torch.__version__, \"|\", nnlib.NUMERICS.describe())"
  python -m pytest --nbval-lax --nbval-current-env -p no:warnings -q "$@"
' binder-check "${notebooks[@]}"
