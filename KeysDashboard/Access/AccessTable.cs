using System.Collections.Frozen;

namespace KeysDashboard.Access;

/// <summary>
/// Who may do what, in one place. A person's permissions come from their role, a key's from its scopes, and the
/// command line has every permission. Adding a role or a scope is one line in <see cref="Roles"/> or
/// <see cref="Scopes"/>; the services only ever ask <see cref="Actor.Can"/>.
/// </summary>
internal static class AccessTable
{
    public const string AdminRole = "Admin";
    public const string SupportRole = "Support";
    public const string AuditorRole = "Auditor";

    public static readonly IReadOnlyList<RoleGrant> Roles =
    [
        new(AdminRole, "Everything: keys, people, the audit log.", Enum.GetValues<Permission>()),
        new(SupportRole, "Views keys, disables them with a reason, looks up leaked secrets, bulk-disables, reads the audit log.",
            [Permission.KeysView, Permission.KeysDisable, Permission.KeysLookupLeaked, Permission.KeysBulkDisable, Permission.AuditRead]),
        new(AuditorRole, "Read-only: views keys and the audit log.", [Permission.KeysView, Permission.AuditRead]),
    ];

    /// <summary>
    /// Scopes a key can carry. search &lt; read &lt; write &lt; admin are for the API that the keys protect: this app
    /// grants nothing for them itself, it returns them from /verify for the calling service to enforce. The others
    /// are rights in this app's own API. <see cref="ScopeGrant.Implies"/> makes the order: a key holding write
    /// also holds read and search.
    /// </summary>
    public static readonly IReadOnlyList<ScopeGrant> Scopes =
    [
        new(KeyScopes.Search, "Search the protected API.", [], []),
        new(KeyScopes.Read, "Read the protected API (includes search).", [KeyScopes.Search], []),
        new(KeyScopes.Write, "Change data through the protected API (includes read).", [KeyScopes.Read], []),
        new(KeyScopes.Admin, "Administer the protected API (includes write).", [KeyScopes.Write], []),
        new(KeyScopes.Verify, "Check other keys here with POST /api/v2/verify.", [], [Permission.KeysVerify]),
        new(KeyScopes.KeysRead, "List and read keys here, without secrets (Vidbeo permissions [\"fetch\"]).", [], [Permission.KeysView]),
        new(KeyScopes.KeysManage, "Create, change, rotate and delete keys here (Vidbeo permissions []).", [KeyScopes.KeysRead],
            [Permission.KeysView, Permission.KeysCreate, Permission.KeysEdit, Permission.KeysEnable, Permission.KeysDisable,
             Permission.KeysRegenerate, Permission.KeysDelete]),
        new(KeyScopes.AuditRead, "Read the audit log here with GET /api/v2/audit.", [], [Permission.AuditRead]),
    ];

    private static readonly FrozenDictionary<string, RoleGrant> RolesByName =
        Roles.ToFrozenDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, ScopeGrant> ScopesByName =
        Scopes.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);

    public static IReadOnlyList<string> RoleNames { get; } = [.. Roles.Select(r => r.Name)];

    public static IReadOnlyList<string> ScopeNames { get; } = [.. Scopes.Select(s => s.Name)];

    public static bool IsRole(string? role) => role is not null && RolesByName.ContainsKey(role);

    public static bool IsScope(string? scope) => scope is not null && ScopesByName.ContainsKey(scope);

    /// <summary>The role's canonical spelling ("support" is "Support"), or null for no such role.</summary>
    public static string? CanonicalRole(string? role) => role is not null && RolesByName.TryGetValue(role, out var grant) ? grant.Name : null;

    public static string DescribeScope(string scope) => ScopesByName.TryGetValue(scope, out var grant) ? grant.Meaning : scope;

    public static IReadOnlySet<Permission> ForRole(string? role) =>
        role is not null && RolesByName.TryGetValue(role, out var grant) ? grant.Permissions : FrozenSet<Permission>.Empty;

    public static IReadOnlySet<Permission> ForScopes(IEnumerable<string> scopes) =>
        Expand(scopes).SelectMany(s => ScopesByName[s].Permissions).ToFrozenSet();

    /// <summary>The scopes themselves and every scope they imply (write gives read and search), unknown names dropped.</summary>
    public static IReadOnlySet<string> Expand(IEnumerable<string> scopes)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(scopes.Where(ScopesByName.ContainsKey));
        while (pending.TryPop(out var scope))
        {
            if (held.Add(scope))
            {
                foreach (var implied in ScopesByName[scope].Implies)
                {
                    pending.Push(implied);
                }
            }
        }
        return held;
    }

    /// <summary>
    /// The canonical form to store: known scopes only, without those another one implies, in table order.
    /// ["read", "search", "write"] is ["write"].
    /// </summary>
    public static IReadOnlyList<string> Canonical(IEnumerable<string> scopes)
    {
        var distinct = scopes.Where(ScopesByName.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
        var impliedByOthers = distinct.SelectMany(s => Expand(ScopesByName[s].Implies)).ToHashSet(StringComparer.Ordinal);
        return [.. ScopeNames.Where(s => distinct.Contains(s) && !impliedByOthers.Contains(s))];
    }
}

internal sealed record RoleGrant(string Name, string Meaning, IEnumerable<Permission> Grants)
{
    public IReadOnlySet<Permission> Permissions { get; } = Grants.ToFrozenSet();
}

internal sealed record ScopeGrant(string Name, string Meaning, IReadOnlyList<string> Implies, IEnumerable<Permission> Grants)
{
    public IReadOnlySet<Permission> Permissions { get; } = Grants.ToFrozenSet();
}

internal static class KeyScopes
{
    public const string Search = "search";
    public const string Read = "read";
    public const string Write = "write";
    public const string Admin = "admin";
    public const string Verify = "verify";
    public const string KeysRead = "keys:read";
    public const string KeysManage = "keys:manage";
    public const string AuditRead = "audit:read";
}
