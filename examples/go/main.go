// The API keys a storefront needs, declared from Go through the apikeys native provider, with the
// SDK generated from the provider's schema (see docs/languages.md):
//
//	pulumi package get-schema ./node_modules/pulumi-apikeys/bin/pulumi-resource-apikeys > schema.json
//	apikeys-gensdk schema.json go ./sdk/go
//
// Stack config: apikeys:endpoint, apikeys:organizationId, apikeys:token (secret); optionally
// `trigger` (change it to rotate the search key, the old one working for ten more minutes).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"pulumi-apikeys/sdk/go/apikeys"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		trigger := config.Get(ctx, "trigger")
		if trigger == "" {
			trigger = "first"
		}
		search, err := apikeys.NewApiKey(ctx, "search", &apikeys.ApiKeyArgs{
			DisplayName: pulumi.String("search from go"),
			Description: pulumi.String("Storefront search; owned by team web"),
			Privileges: apikeys.PrivilegeArray{
				apikeys.PrivilegeArgs{Owner: pulumi.String("SEARCH_API"), TargetDomain: pulumi.String("EXECUTE_QUERY"), Type: pulumi.String("ENABLE")},
			},
			Rotation: &apikeys.RotationArgs{Trigger: pulumi.String(trigger), GracePeriodSeconds: pulumi.Int(600)},
		})
		if err != nil {
			return err
		}
		ci, err := apikeys.NewApiKey(ctx, "ci", &apikeys.ApiKeyArgs{
			Description: pulumi.String("Integration tests; renewed a week before its 30-day lifetime ends"),
			Lifetime:    pulumi.String("P30D"),
			Rotation:    &apikeys.RotationArgs{RenewBeforeExpiry: pulumi.String("P7D")},
		})
		if err != nil {
			return err
		}
		ctx.Export("keyId", search.KeyId)
		ctx.Export("secret", search.Secret)
		ctx.Export("ciKeyId", ci.KeyId)
		return nil
	})
}
