//go:build tools

// Package tools pins the Node.js language host: until v3.68.0 it lived inside the sdk/v3 module
// (nodejs/cmd/pulumi-language-nodejs); later releases moved it to a module the proxy here refuses.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
