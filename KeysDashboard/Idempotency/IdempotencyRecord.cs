namespace KeysDashboard.Idempotency;

/// <summary>
/// One Idempotency-Key a caller used, and the response it got. Written in the same transaction as the key the
/// response describes. <see cref="Response"/> never holds a secret (see <see cref="IdempotentRequests"/>); the
/// record is deleted when <see cref="ExpiresAt"/> passes.
/// </summary>
internal sealed class IdempotencyRecord
{
    public long Id { get; init; }
    public required string CallerKeyId { get; init; }
    public required string Key { get; init; }
    public required string RequestHash { get; init; }

    /// <summary>A serialized <see cref="IdempotentRequests.StoredResponse"/>, without the secret.</summary>
    public required string Response { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
}
