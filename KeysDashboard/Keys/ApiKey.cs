namespace KeysDashboard.Keys;

/// <summary>An API key as stored: only the hash of its secret, never the secret.</summary>
public sealed class ApiKey
{
    /// <summary>
    /// A version 7 GUID as 32 lowercase hex characters: unique, and ordered by creation time as a plain string,
    /// which is what the API's keyset paging sorts and compares on.
    /// </summary>
    public string Id { get; init; } = NewId();

    public static string NewId() => Guid.CreateVersion7().ToString("N");
    public required string Name { get; set; }
    public bool ReadOnly { get; set; }
    public List<string> Ips { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public DateTime? ExpiresAt { get; set; }

    public required string KeyHash { get; set; }
    public required string Prefix { get; set; }
    public required string LastFour { get; set; }

    /// <summary>After a regenerate with a grace period, the old secret's hash keeps working until this time.</summary>
    public string? PreviousKeyHash { get; set; }
    public DateTime? PreviousKeyExpiresAt { get; set; }

    public required string CreatedBy { get; init; }
    public required string CreatedByName { get; init; }
    public DateTime CreatedAt { get; init; }
    public required string UpdatedBy { get; set; }
    public required string UpdatedByName { get; set; }
    public DateTime UpdatedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }
    public string? LastUsedIp { get; set; }

    public string Masked => KeySecret.Mask(Prefix, LastFour);

    public KeyStatus StatusAt(DateTime now) =>
        !Enabled ? KeyStatus.Disabled
        : ExpiresAt is { } expires && expires <= now ? KeyStatus.Expired
        : KeyStatus.Enabled;

    public bool GracePeriodActiveAt(DateTime now) =>
        PreviousKeyHash is not null && PreviousKeyExpiresAt is { } end && end > now;
}

public enum KeyStatus
{
    Enabled,
    Disabled,
    Expired,
}
