//go:build tools

// Package tools pins the YAML language host (pulumi-yaml's cmd/pulumi-language-yaml), which runs
// `runtime: yaml` projects: Pulumi YAML stacks use the native provider with no SDK at all
// (examples/yaml, test/e2e/yaml.test.ts).
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
