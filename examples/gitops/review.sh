#!/usr/bin/env bash
# Pull-request review of API key changes: preview the stack, turn the preview into a Markdown
# report, and fail the job on an escalation so the repository can require an extra approval.
#   STACK=org/project/prod ./review.sh > report.md
set -euo pipefail
stack="${STACK:?set STACK to the stack to preview}"
pulumi preview --stack "$stack" --json > preview.json
npx pulumi-apikeys review preview.json > report.md
cat report.md
npx pulumi-apikeys review preview.json --fail-on escalation > /dev/null
