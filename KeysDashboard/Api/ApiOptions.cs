namespace KeysDashboard.Api;

internal sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Failed authentications allowed per client IP per minute before 429.</summary>
    public int FailedAuthenticationsPerMinute { get; set; } = 20;

    /// <summary>Requests per key per minute; 0 turns the limit off (the default).</summary>
    public int RequestsPerKeyPerMinute { get; set; }

    /// <summary>POST /verify calls per calling key per minute.</summary>
    public int VerificationsPerKeyPerMinute { get; set; } = 600;

    /// <summary>How long an Idempotency-Key is remembered, and a replayed response kept (encrypted).</summary>
    public int IdempotencyWindowHours { get; set; } = 24;

    /// <summary>How often last-used times collected in memory are written to the database.</summary>
    public double LastUsedFlushSeconds { get; set; } = 2;
}
