using System.Collections.Frozen;
using KeysDashboard.Keys;

namespace KeysDashboard.Access;

internal enum ActorKind
{
    Person,
    Key,
    CommandLine,
    System,
}

/// <summary>
/// Who is asking, what they may do, and from where: a signed-in person, an API key, the command line, or the
/// system itself (GitHub secret scanning, retention). Every service operation takes one and refuses what it may
/// not do (<see cref="AccessGuard"/>), whichever door the request came through.
/// </summary>
internal sealed record Actor(string Id, string Name, string? ClientIp)
{
    public ActorKind Kind { get; init; } = ActorKind.System;

    public IReadOnlySet<Permission> Permissions { get; init; } = FrozenSet<Permission>.Empty;

    /// <summary>A person's role (Admin, Support, Auditor); null for anyone else.</summary>
    public string? Role { get; init; }

    /// <summary>
    /// For a key: the most it may hand on (its scopes, allowlist and expiry). Null for people and the command
    /// line, who are bounded by their permissions only.
    /// </summary>
    public KeyBounds? Bounds { get; init; }

    /// <summary>The request (or circuit) this came from, for the audit log.</summary>
    public string? RequestId { get; init; }

    public bool Can(Permission permission) => Permissions.Contains(permission);

    public static Actor CommandLine { get; } = new("cli", "command line", null)
    {
        Kind = ActorKind.CommandLine,
        Permissions = Enum.GetValues<Permission>().ToFrozenSet(),
    };

    public static Actor Person(string userId, string email, string? role, string? clientIp, string? requestId = null) =>
        new(userId, email, clientIp)
        {
            Kind = ActorKind.Person,
            Role = AccessTable.CanonicalRole(role),
            Permissions = AccessTable.ForRole(role),
            RequestId = requestId,
        };

    public static Actor Key(ApiKey key, string? clientIp, string? requestId = null) =>
        new(key.Id, $"API key {key.Name} ({key.Masked})", clientIp)
        {
            Kind = ActorKind.Key,
            Permissions = AccessTable.ForScopes(key.Scopes),
            Bounds = new KeyBounds(AccessTable.Expand(key.Scopes), key.Ips, key.ExpiresAt),
            RequestId = requestId,
        };

    /// <summary>The app acting on its own behalf, with exactly the permissions named.</summary>
    public static Actor System(string id, string name, params Permission[] permissions) =>
        new(id, name, null) { Kind = ActorKind.System, Permissions = permissions.ToFrozenSet() };
}

/// <summary>What a key may hand on to keys it creates or changes: no scope, address or time it does not have itself.</summary>
internal sealed record KeyBounds(IReadOnlySet<string> Scopes, IReadOnlyList<string> Ips, DateTime? ExpiresAt)
{
    /// <summary>Null when a key with these settings is within the bounds, else why not (for a 403 and the audit log).</summary>
    public string? Refuses(IEnumerable<string> scopes, IReadOnlyCollection<string> ips, DateTime? expiresAt)
    {
        var missing = AccessTable.Expand(scopes).Where(s => !Scopes.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            return $"The calling key cannot hand on scopes it does not hold itself ({string.Join(", ", missing.Order(StringComparer.Ordinal))}).";
        }
        if (!IpAllowlist.Within(ips, Ips))
        {
            return $"The calling key may only hand on an allowlist within its own ({string.Join(", ", Ips)}).";
        }
        if (ExpiresAt is { } own && (expiresAt is null || expiresAt > own))
        {
            return $"The calling key expires at {own:yyyy-MM-ddTHH:mm:ssZ}: a key it creates or changes must expire no later.";
        }
        return null;
    }

    /// <summary>Null when every scope of <paramref name="scopes"/> is one this key holds, else why not.</summary>
    public string? RefusesScopes(IEnumerable<string> scopes)
    {
        var missing = AccessTable.Expand(scopes).Where(s => !Scopes.Contains(s)).ToList();
        return missing.Count == 0 ? null
            : $"The calling key cannot act on a key with scopes it does not hold itself ({string.Join(", ", missing.Order(StringComparer.Ordinal))}).";
    }
}
