"""The API keys a storefront needs, declared from Python through the native provider.

Stack config: apikeys:endpoint, apikeys:organizationId, apikeys:token (secret); optionally `trigger`
(change it to rotate the search key: a new key first, the old one working for ten more minutes).
"""
import pulumi
import pulumi_apikeys as apikeys

config = pulumi.Config()

search = apikeys.ApiKey(
    "search",
    display_name="search from python",
    description="Storefront search; owned by team web",
    privileges=[apikeys.PrivilegeArgs(owner="SEARCH_API", target_domain="EXECUTE_QUERY", type="ENABLE")],
    rotation=apikeys.RotationArgs(trigger=config.get("trigger") or "first", grace_period_seconds=600),
)

ci = apikeys.ApiKey(
    "ci",
    description="Integration tests; renewed a week before its 30-day lifetime ends",
    lifetime="P30D",
    rotation=apikeys.RotationArgs(renew_before_expiry="P7D"),
)

pulumi.export("keyId", search.key_id)
pulumi.export("secret", search.secret)
pulumi.export("ciKeyId", ci.key_id)
