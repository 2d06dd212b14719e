using KeysDashboard.Access;
using KeysDashboard.Keys;

namespace KeysDashboard.Tests.Keys;

/// <summary>The pure rules under the permission table: scope order, Vidbeo's two views, allowlist containment, a pasted secret's shape.</summary>
public sealed class ScopeRulesTests
{
    [Theory]
    [InlineData("read search write", "write")]
    [InlineData("admin keys:read keys:manage", "admin keys:manage")]
    [InlineData("verify search bogus", "search verify")]
    [InlineData("", "")]
    public void Canonical_scopes_drop_what_another_scope_implies_and_keep_table_order(string given, string expected) =>
        Assert.Equal(Split(expected), AccessTable.Canonical(Split(given)));

    [Fact]
    public void A_scope_implies_every_lower_one_and_nothing_else()
    {
        Assert.Equal(["read", "search", "write"], AccessTable.Expand(["write"]).Order(StringComparer.Ordinal));
        Assert.Equal(["keys:manage", "keys:read"], AccessTable.Expand(["keys:manage"]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Permission.KeysCreate, AccessTable.ForScopes(["admin", "keys:read", "verify"]));
        Assert.Contains(Permission.KeysCreate, AccessTable.ForScopes(["keys:manage"]));
        Assert.Contains(Permission.KeysView, AccessTable.ForScopes(["keys:manage"]));
    }

    [Theory]
    // Vidbeo's ["fetch"]: management becomes read-only, and the protected API no more than read.
    [InlineData("write verify keys:manage", true, "read verify keys:read")]
    [InlineData("admin keys:manage audit:read", true, "read keys:read audit:read")]
    [InlineData("search keys:manage", true, "search keys:read")]
    [InlineData("verify", true, "verify keys:read")]
    // Vidbeo's []: management read/write; the protected API's level is left alone.
    [InlineData("read verify keys:read", false, "read verify keys:manage")]
    [InlineData("admin keys:read", false, "admin keys:manage")]
    [InlineData("write verify keys:manage", false, "write verify keys:manage")]
    [InlineData("", false, "keys:manage")]
    public void Vidbeo_permissions_map_onto_scopes(string scopes, bool readOnly, string expected) =>
        Assert.Equal(Split(expected), VidbeoPermissions.Apply(Split(scopes), readOnly));

    [Fact]
    public void Part_one_keys_read_back_as_the_permissions_they_had()
    {
        var readWrite = Key(VidbeoPermissions.Legacy(readOnly: false));
        var readOnly = Key(VidbeoPermissions.Legacy(readOnly: true));
        Assert.Equal([], VidbeoPermissions.Of(readWrite));
        Assert.Equal(["fetch"], VidbeoPermissions.Of(readOnly));
        Assert.False(readWrite.ReadOnly);
        Assert.True(readOnly.ReadOnly);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", true)]
    [InlineData("10.1.0.0/16", "10.0.0.0/8", true)]
    [InlineData("10.1.2.3", "10.0.0.0/8", true)]
    [InlineData("11.0.0.0/8", "10.0.0.0/8", false)]
    [InlineData("10.0.0.0/7", "10.0.0.0/8", false)]
    [InlineData("", "10.0.0.0/8", false)]
    [InlineData("", "", true)]
    [InlineData("0.0.0.0/0", "", true)]
    [InlineData("2001:db8::/48", "2001:db8::/32", true)]
    [InlineData("2001:db8::1", "10.0.0.0/8", false)]
    [InlineData("10.1.0.0/16 192.0.2.7", "10.0.0.0/8 192.0.2.0/24", true)]
    [InlineData("10.1.0.0/16 192.0.3.7", "10.0.0.0/8 192.0.2.0/24", false)]
    public void An_allowlist_is_within_another_only_when_every_address_it_allows_the_other_allows(string inner, string outer, bool within) =>
        Assert.Equal(within, IpAllowlist.Within(Split(inner), Split(outer)));

    [Fact]
    public void A_key_bound_by_its_own_settings_cannot_hand_on_more()
    {
        var expires = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var bounds = new KeyBounds(AccessTable.Expand(["write", "keys:manage"]), ["10.0.0.0/8"], expires);

        Assert.Null(bounds.Refuses(["read"], ["10.1.0.0/16"], expires.AddDays(-1)));
        Assert.Contains("admin", bounds.Refuses(["admin"], ["10.0.0.0/8"], expires));
        Assert.Contains("allowlist", bounds.Refuses(["read"], [], expires));
        Assert.Contains("expire", bounds.Refuses(["read"], ["10.0.0.0/8"], null));
        Assert.Contains("expire", bounds.Refuses(["read"], ["10.0.0.0/8"], expires.AddSeconds(1)));
        Assert.Contains("audit:read", bounds.RefusesScopes(["audit:read"]));
    }

    [Fact]
    public void A_pasted_string_is_told_apart_as_not_a_key_mistyped_or_well_formed()
    {
        var secret = KeySecret.Generate("kd_");
        Assert.Equal(SecretShape.WellFormed, KeySecret.Inspect(secret, "kd_"));
        // One character changed: still shaped like a key, but the checksum says it was mistyped.
        var typo = secret[..10] + (secret[10] == 'a' ? 'b' : 'a') + secret[11..];
        Assert.Equal(SecretShape.Mistyped, KeySecret.Inspect(typo, "kd_"));
        Assert.Equal(SecretShape.NotAKey, KeySecret.Inspect(secret[..^1], "kd_"));
        Assert.Equal(SecretShape.NotAKey, KeySecret.Inspect("ghp_" + secret[3..], "kd_"));
        Assert.Equal(SecretShape.NotAKey, KeySecret.Inspect("", "kd_"));
        Assert.Equal(SecretShape.NotAKey, KeySecret.Inspect(null, "kd_"));
        Assert.Equal(SecretShape.NotAKey, KeySecret.Inspect(secret[..10] + "\u00e9" + secret[11..], "kd_"));
        // A key issued under an earlier prefix still counts as one.
        Assert.Equal(SecretShape.WellFormed, KeySecret.Inspect(KeySecret.Generate("old_"), "kd_"));
    }

    private static string[] Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static ApiKey Key(IReadOnlyList<string> scopes) => new()
    {
        Name = "k",
        Scopes = [.. scopes],
        KeyHash = "h",
        Prefix = "kd_",
        LastFour = "abcd",
        CreatedBy = "t",
        CreatedByName = "t",
        UpdatedBy = "t",
        UpdatedByName = "t",
    };
}
