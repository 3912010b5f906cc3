module go-keys

go 1.24

require (
	github.com/pulumi/pulumi/sdk/v3 v3.248.0
	pulumi-apikeys/sdk/go v0.0.0
)

// The SDK generated from the provider's schema, in this folder (see main.go).
replace pulumi-apikeys/sdk/go => ./sdk/go
