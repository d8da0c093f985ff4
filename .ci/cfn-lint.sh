#!/usr/bin/env bash
# Lints every CloudFormation template in provision/ with cfn-lint: zero errors and zero warnings
# (informational findings are printed too, and also fail the check). cfn-lint is installed with pip
# when it is missing and pip is available.
set -euo pipefail
cd "$(dirname "$0")/.."

# Regions the templates are checked against (resource types and properties differ by Region).
REGIONS=(us-east-1 us-west-2 eu-west-1 eu-central-1 ap-southeast-2 ap-northeast-1)

if ! command -v cfn-lint >/dev/null 2>&1; then
  if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    echo "cfn-lint not found; installing it with pip (python3 -m pip install --user cfn-lint)"
    if python3 -m pip install --quiet --user cfn-lint; then
      PATH="$(python3 -m site --user-base)/bin:$PATH"
    else
      echo "pip could not install cfn-lint here." >&2
    fi
  fi
fi
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint is required to check provision/*.yaml, and it is not installed." >&2
  echo "Install it with 'pip install cfn-lint' or 'pipx install cfn-lint' (https://github.com/aws-cloudformation/cfn-lint)," >&2
  echo "or 'brew install cfn-lint', then run this script again." >&2
  exit 1
fi

shopt -s nullglob
templates=(provision/*.yaml provision/*.yml provision/*.json provision/*.template)
if [ ${#templates[@]} -eq 0 ]; then
  echo "No CloudFormation templates found in provision/." >&2
  exit 1
fi

echo "$(cfn-lint --version) on ${templates[*]} (regions: ${REGIONS[*]})"
# --include-checks I reports informational findings as well; any finding gives a non-zero exit.
if cfn-lint --include-checks I --non-zero-exit-code informational --format parseable \
  --regions "${REGIONS[@]}" -- "${templates[@]}"; then
  echo "cfn-lint: 0 errors, 0 warnings, 0 informational findings."
else
  status=$?
  echo "cfn-lint found problems (exit code $status: 2 = errors, 4 = warnings, 8 = informational; summed)." >&2
  exit "$status"
fi
