using System.Text.Json.Serialization;

namespace KeysDashboard.Keys.Api;

/// <summary>
/// A key as the API shows it (Vidbeo's fields and more). <c>value</c> appears only in the responses to create and
/// regenerate; in an idempotent replay whose secret this server no longer holds it is null and
/// <c>value_unavailable_reason</c> says why (the replay itself is written by IdempotentRequests).
/// </summary>
public sealed record KeyResource(
    string Id,
    string Name,
    string Type,
    IReadOnlyList<string> Permissions,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Ips,
    bool Enabled,
    string Status,
    string Masked,
    DateTime? ExpiresTime,
    DateTime? LastUsedTime,
    string? LastUsedIp,
    DateTime? PreviousValueExpiresTime,
    string CreatedBy,
    DateTime CreatedTime,
    string UpdatedBy,
    DateTime UpdatedTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ValueUnavailableReason = null)
{
    public const string ApiType = "api";
    public const string ReadOnlyPermission = Access.VidbeoPermissions.ReadOnlyPermission;

    internal static KeyResource From(ApiKey key, DateTime now, string? secret = null) => new(
        key.Id,
        key.Name,
        ApiType,
        Access.VidbeoPermissions.Of(key),
        key.Scopes,
        key.Ips,
        key.Enabled,
        key.StatusAt(now).ToString().ToLowerInvariant(),
        key.Masked,
        key.ExpiresAt,
        key.LastUsedAt,
        key.LastUsedIp,
        key.GracePeriodActiveAt(now) ? key.PreviousKeyExpiresAt : null,
        key.CreatedBy,
        key.CreatedAt,
        key.UpdatedBy,
        key.UpdatedAt,
        secret);
}

/// <summary>The answer of POST /verify.</summary>
public sealed record VerifyResult(
    bool Valid,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] KeyResource? Key);

// Request bodies, for the OpenAPI document; the endpoints read bodies field by field to report every bad one.
public sealed record CreateKeyRequest(string Name, string? Type, IReadOnlyList<string>? Permissions, IReadOnlyList<string>? Scopes, IReadOnlyList<string>? Ips, DateTime? ExpiresTime);

public sealed record UpdateKeyRequest(string? Name, IReadOnlyList<string>? Permissions, IReadOnlyList<string>? Scopes, IReadOnlyList<string>? Ips, bool? Enabled, DateTime? ExpiresTime);

public sealed record RegenerateKeyRequest(int? GracePeriodSeconds);

public sealed record VerifyKeyRequest(string Key, string? Ip);
