// gensdk generates a language SDK for the apikeys native provider from its package schema, with
// Pulumi's own code generators (pkg/v3/codegen). `pulumi package gen-sdk` would do the same through
// the language host's GeneratePackage, which the v3.68 hosts we can build do not have.
//
//	gensdk <schema.json> <python|nodejs|go> <out-dir>
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// standalone is the schema loader for a package that refers to no other package (ours does not).
type standalone struct{}

func (standalone) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q; the apikeys schema must stand alone", pkg)
}

func (l standalone) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (l standalone) LoadPackageReference(pkg string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(pkg, v)
	return nil, err
}

func (l standalone) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gensdk <schema.json> <python|nodejs|go> <out-dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintf(os.Stderr, "gensdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, language, out string) error {
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("the schema is not JSON: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, standalone{}, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding the schema: %w", err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("the schema does not bind: %v", diags)
	}
	var files map[string][]byte
	switch language {
	case "python":
		files, err = pythongen.GeneratePackage("pulumi-apikeys-gensdk", pkg, nil, standalone{})
	case "nodejs":
		files, err = nodejsgen.GeneratePackage("pulumi-apikeys-gensdk", pkg, nil, nil, false, standalone{})
	case "go":
		files, err = gogen.GeneratePackage("pulumi-apikeys-gensdk", pkg, nil)
		if err == nil {
			files["go.mod"], err = goModule(spec)
		}
	default:
		return fmt.Errorf("unknown language %q: use python, nodejs or go", language)
	}
	if err != nil {
		return fmt.Errorf("generating the %s SDK: %w", language, err)
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// goModule is the generated Go SDK's go.mod: its module is the schema's importBasePath without the
// package directory, on the Pulumi Go SDK this tool was built with, so a program can `replace` it.
func goModule(spec schema.PackageSpec) ([]byte, error) {
	var goInfo struct {
		ImportBasePath string `json:"importBasePath"`
	}
	if raw, ok := spec.Language["go"]; ok {
		if err := json.Unmarshal(raw, &goInfo); err != nil {
			return nil, fmt.Errorf("language.go in the schema: %w", err)
		}
	}
	if goInfo.ImportBasePath == "" {
		return nil, fmt.Errorf("the schema has no language.go.importBasePath to name the Go module after")
	}
	sdk := "v3.248.0"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/pulumi/pulumi/sdk/v3" {
				sdk = dep.Version
			}
		}
	}
	module := path.Dir(goInfo.ImportBasePath)
	return []byte(fmt.Sprintf("module %s\n\ngo 1.24\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n", module, sdk)), nil
}
