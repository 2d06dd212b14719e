using KeysDashboard.Access;

namespace KeysDashboard.Keys;

/// <summary>
/// What a person or client asks a key to be; checked by <see cref="KeyRules"/> before it is saved. Without
/// <paramref name="Scopes"/> the key gets what a key of part 1 had (<see cref="VidbeoPermissions.Legacy"/>).
/// </summary>
internal sealed record KeyDraft(string Name, bool ReadOnly, IReadOnlyList<string> Ips, DateTime? ExpiresAt, IReadOnlyList<string>? Scopes = null)
{
    public IReadOnlyList<string> EffectiveScopes => Scopes ?? VidbeoPermissions.Legacy(ReadOnly);
}

/// <summary>
/// A partial change to a key; null means leave as is. <paramref name="ReadOnly"/> is Vidbeo's view and changes the
/// scopes as <see cref="VidbeoPermissions.Apply"/> says; <paramref name="Scopes"/> replaces them. <paramref name="Reason"/>
/// goes to the audit log (required when a person who may not enable keys disables one).
/// </summary>
internal sealed record KeyChanges(
    string? Name = null,
    bool? ReadOnly = null,
    IReadOnlyList<string>? Ips = null,
    bool? Enabled = null,
    DateTime? ExpiresAt = null,
    bool ClearExpiry = false,
    IReadOnlyList<string>? Scopes = null,
    string? Reason = null)
{
    /// <summary>Only enabled changes: enable or disable, not edit.</summary>
    public bool IsToggle => this is { Name: null, ReadOnly: null, Ips: null, ExpiresAt: null, ClearExpiry: false, Scopes: null, Enabled: not null };
}

/// <summary>A key just created or regenerated, with the one copy of its secret that will ever exist.</summary>
public sealed record IssuedKey(ApiKey Key, string Secret);
