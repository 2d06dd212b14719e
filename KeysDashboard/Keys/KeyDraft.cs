namespace KeysDashboard.Keys;

/// <summary>What a person or client asks a key to be; checked by <see cref="KeyRules"/> before it is saved.</summary>
internal sealed record KeyDraft(string Name, bool ReadOnly, IReadOnlyList<string> Ips, DateTime? ExpiresAt);

/// <summary>A partial change to a key; null means leave as is.</summary>
internal sealed record KeyChanges(
    string? Name = null,
    bool? ReadOnly = null,
    IReadOnlyList<string>? Ips = null,
    bool? Enabled = null,
    DateTime? ExpiresAt = null,
    bool ClearExpiry = false);

/// <summary>A key just created or regenerated, with the one copy of its secret that will ever exist.</summary>
public sealed record IssuedKey(ApiKey Key, string Secret);
