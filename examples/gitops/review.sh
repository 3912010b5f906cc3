#!/usr/bin/env bash
# Pull-request review of API key changes: preview the stack, turn the preview into a Markdown
# report, and fail the job when a key gains a high-risk privilege, so the repository can require an
# extra approval. The team's apikeys-review.json (docs/review.md, "Privilege risks") is found from here.
#   STACK=org/project/prod ./review.sh > report.md
set -euo pipefail
stack="${STACK:?set STACK to the stack to preview}"
pulumi preview --stack "$stack" --json > preview.json
npx pulumi-apikeys review preview.json --fail-on high
