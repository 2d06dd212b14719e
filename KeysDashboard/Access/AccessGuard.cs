using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Access;

/// <summary>
/// The services' door keeper: <see cref="Demand"/> refuses an actor without the permission, and every refusal
/// (a missing permission or a key reaching past its own bounds) is written to the audit log before the
/// <see cref="AccessDeniedException"/> is thrown.
/// </summary>
internal sealed class AccessGuard(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider clock, ILogger<AccessGuard> logger)
{
    /// <summary>Throws <see cref="AccessDeniedException"/> (after auditing it) unless <paramref name="actor"/> holds <paramref name="permission"/>.</summary>
    /// <param name="keyId">The key the operation is aimed at, when only its id is known yet: the refusal shows in that key's history.</param>
    public async Task Demand(Actor actor, Permission permission, ApiKey? key = null, string? targetId = null, string? targetName = null,
        CancellationToken cancellationToken = default, string? keyId = null)
    {
        if (!actor.Can(permission))
        {
            throw await RefuseAsync(actor, permission, Missing(actor, permission), beyond: false, key, targetId, targetName, keyId);
        }
    }

    /// <summary>
    /// Audits a refusal and returns the exception to throw. <paramref name="why"/> is shown to the caller. Called
    /// directly for a caller reaching past its own bounds (a key handing on more than it has).
    /// </summary>
    public async Task<AccessDeniedException> RefuseAsync(Actor actor, Permission permission, string why, ApiKey? key = null,
        string? targetId = null, string? targetName = null, CancellationToken cancellationToken = default) =>
        await RefuseAsync(actor, permission, why, beyond: true, key, targetId, targetName, keyId: null);

    private async Task<AccessDeniedException> RefuseAsync(Actor actor, Permission permission, string why, bool beyond, ApiKey? key,
        string? targetId, string? targetName, string? keyId)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.AccessRefused, clock.GetUtcNow().UtcDateTime, AuditOutcomes.Refused,
                key, reason: null, details: new { permission = permission.Name(), rule = beyond ? "own_bounds" : "permission", why }, targetId, targetName,
                keyId));
            // Not cancellable: a caller hanging up after being refused still leaves its trace.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        logger.LogInformation("Refused {Permission} to {ActorKind} {ActorId}", permission.Name(), actor.Kind, actor.Id);
        return new AccessDeniedException(permission, why, beyond);
    }

    private static string Missing(Actor actor, Permission permission) => actor.Kind switch
    {
        ActorKind.Person => $"The {actor.Role ?? "signed-out"} role may not {Describe(permission)}.",
        ActorKind.Key => $"This API key may not {Describe(permission)}: it lacks the scope {ScopeFor(permission)}.",
        _ => $"This caller may not {Describe(permission)}.",
    };

    private static string ScopeFor(Permission permission) =>
        AccessTable.Scopes.FirstOrDefault(s => s.Permissions.Contains(permission))?.Name is { } scope ? $"'{scope}'" : "for it (no scope grants it)";

    public static string Describe(Permission permission) => permission switch
    {
        Permission.KeysView => "view keys",
        Permission.KeysCreate => "create keys",
        Permission.KeysEdit => "edit keys",
        Permission.KeysEnable => "enable keys",
        Permission.KeysDisable => "disable keys",
        Permission.KeysRegenerate => "regenerate keys",
        Permission.KeysDelete => "delete keys",
        Permission.KeysVerify => "verify keys",
        Permission.KeysLookupLeaked => "look up leaked secrets",
        Permission.KeysBulkDisable => "disable keys in bulk",
        Permission.KeysBulkDelete => "delete keys in bulk",
        Permission.UsersManage => "manage people",
        Permission.AuditRead => "read the audit log",
        _ => permission.Name(),
    };
}

/// <summary>The caller may not do this. The message says why and carries no secret; it is safe to show.</summary>
internal sealed class AccessDeniedException(Permission permission, string message, bool beyond = false) : Exception(message)
{
    public Permission Permission { get; } = permission;

    /// <summary>The caller holds the permission but reached past its own scopes, allowlist or expiry.</summary>
    public bool Beyond { get; } = beyond;
}
