using System.Text.Json;
using KeysDashboard.Access;
using KeysDashboard.Keys;

namespace KeysDashboard.Audit;

/// <summary>
/// One thing someone did, or tried to do and was refused. Details never hold a secret: only names, flags,
/// allowlists and reasons. Rows are chained (<see cref="Seq"/>, <see cref="PreviousHash"/>, <see cref="Hash"/>)
/// when they are saved, so an edited or deleted row breaks the chain.
/// </summary>
internal sealed class AuditEntry
{
    public long Id { get; init; }

    /// <summary>
    /// 1, 2, 3, ... in the order rows were written; gaps are breaks in the chain. Null for a row just written and
    /// not yet sealed (<see cref="AuditChain"/> seals within moments).
    /// </summary>
    public long? Seq { get; set; }

    public DateTime At { get; init; }

    /// <summary>person, key, cli or system (see <see cref="ActorKind"/>).</summary>
    public string ActorKind { get; init; } = "system";
    public required string ActorId { get; init; }
    public required string ActorName { get; init; }
    public required string Action { get; init; }

    /// <summary><see cref="AuditOutcomes"/>: success, refused (not permitted) or failure (for example a wrong password).</summary>
    public string Outcome { get; init; } = AuditOutcomes.Success;
    public string? KeyId { get; init; }
    public string? KeyName { get; init; }

    /// <summary>Anything else the action was about: a person's id and email for user changes.</summary>
    public string? TargetId { get; init; }
    public string? TargetName { get; init; }
    public string? ClientIp { get; init; }
    public string? RequestId { get; init; }

    /// <summary>Why, in the actor's words (a disable's reason, the URL a secret leaked at).</summary>
    public string? Reason { get; init; }
    public string? Details { get; init; }

    /// <summary>The previous row's <see cref="Hash"/> (64 zeros for the first row).</summary>
    public string? PreviousHash { get; set; }

    /// <summary>SHA-256 over this row's fields and <see cref="PreviousHash"/>, hex.</summary>
    public string? Hash { get; set; }

    /// <summary>A row for <paramref name="actor"/> doing <paramref name="action"/>; set the target fields with an initializer.</summary>
    public static AuditEntry For(Actor actor, string action, DateTime at, string outcome = AuditOutcomes.Success,
        ApiKey? key = null, string? reason = null, object? details = null, string? targetId = null, string? targetName = null,
        string? keyId = null) => new()
        {
            At = at,
            ActorKind = actor.Kind.ToString().ToLowerInvariant() switch { "commandline" => "cli", var kind => kind },
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = action,
            Outcome = outcome,
            KeyId = key?.Id ?? keyId,
            KeyName = key?.Name,
            TargetId = targetId,
            TargetName = targetName,
            ClientIp = actor.ClientIp,
            RequestId = actor.RequestId,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        };
}

internal static class AuditOutcomes
{
    public const string Success = "success";
    public const string Refused = "refused";
    public const string Failure = "failure";
}

internal static class AuditActions
{
    public const string KeyCreated = "key.created";
    public const string KeyUpdated = "key.updated";
    public const string KeyEnabled = "key.enabled";
    public const string KeyDisabled = "key.disabled";
    public const string KeyRegenerated = "key.regenerated";
    public const string KeyDeleted = "key.deleted";
    public const string KeyLookedUp = "key.looked_up";
    public const string OwnerCreated = "owner.created";

    /// <summary>A caller asked for something its role or scopes do not allow; Details names the permission or rule.</summary>
    public const string AccessRefused = "access.refused";

    public const string SignInSucceeded = "signin.succeeded";
    public const string SignInFailed = "signin.failed";
    public const string SignInLockedOut = "signin.locked_out";

    public const string UserInvited = "user.invited";
    public const string UserPasswordSet = "user.password_set";
    public const string UserRoleChanged = "user.role_changed";
    public const string UserLocked = "user.locked";
    public const string UserUnlocked = "user.unlocked";
    public const string UserRemoved = "user.removed";

    public const string AuditTrimmed = "audit.trimmed";
    public const string AuditVerified = "audit.verified";
}
