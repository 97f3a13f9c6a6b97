#!/usr/bin/env bash
# The PyPI clients csm-serve's tests talk to the server with: the openai SDK,
# websockets and schemathesis, in a venv (argument: its folder). Reused when already complete.
set -euo pipefail
venv=${1:?usage: setup_venv.sh VENV_DIR}
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import openai, schemathesis, websockets, yaml, kubernetes_validate" 2>/dev/null; then
  echo "setup_venv: $venv already has openai and schemathesis"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "openai>=1.40" "websockets>=12" "schemathesis>=4" "pyyaml" "kubernetes-validate"
"$venv/bin/python" -c "import openai, schemathesis, websockets; print('setup_venv: openai', openai.__version__, 'websockets', websockets.__version__, 'schemathesis', schemathesis.__version__)"
