namespace KeysDashboard.Audit;

/// <summary>One thing someone did. Details never hold a secret: only names, flags and allowlists.</summary>
internal sealed class AuditEntry
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public required string ActorId { get; init; }
    public required string ActorName { get; init; }
    public required string Action { get; init; }
    public string? KeyId { get; init; }
    public string? KeyName { get; init; }
    public string? ClientIp { get; init; }
    public string? Details { get; init; }
}

internal static class AuditActions
{
    public const string KeyCreated = "key.created";
    public const string KeyUpdated = "key.updated";
    public const string KeyEnabled = "key.enabled";
    public const string KeyDisabled = "key.disabled";
    public const string KeyRegenerated = "key.regenerated";
    public const string KeyDeleted = "key.deleted";
    public const string OwnerCreated = "owner.created";
}
