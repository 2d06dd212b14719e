namespace KeysDashboard.Idempotency;

/// <summary>
/// One Idempotency-Key a caller used. While <see cref="Completed"/> is false the first request is still running.
/// The stored response may hold a secret (create and regenerate return one), so it is kept encrypted with
/// Data Protection and deleted when <see cref="ExpiresAt"/> passes.
/// </summary>
internal sealed class IdempotencyRecord
{
    public long Id { get; init; }
    public required string CallerKeyId { get; init; }
    public required string Key { get; init; }
    public required string RequestHash { get; init; }
    public bool Completed { get; set; }
    public string? ProtectedResponse { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
}
