using System.ComponentModel.DataAnnotations;

namespace KeysDashboard.Api;

/// <summary>
/// The API's limits. In every per-minute limit 0 means off; a negative value is refused at start, with the
/// setting's name, rather than read as "off" in one place and "1" in another.
/// </summary>
internal sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Failed authentications allowed per client (IPv4 address, IPv6 /64) per minute before 429; 0 turns the limit off.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Api:FailedAuthenticationsPerMinute must be from 0 (off) to 1000000.")]
    public int FailedAuthenticationsPerMinute { get; set; } = 20;

    /// <summary>Requests per key per minute; 0 turns the limit off (the default).</summary>
    [Range(0, 1_000_000, ErrorMessage = "Api:RequestsPerKeyPerMinute must be from 0 (off) to 1000000.")]
    public int RequestsPerKeyPerMinute { get; set; }

    /// <summary>POST /verify calls per calling key per minute; 0 turns the limit off.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Api:VerificationsPerKeyPerMinute must be from 0 (off) to 1000000.")]
    public int VerificationsPerKeyPerMinute { get; set; } = 600;

    /// <summary>How long an Idempotency-Key is remembered with its response (the secret in it only in memory).</summary>
    [Range(1, 24 * 30, ErrorMessage = "Api:IdempotencyWindowHours must be from 1 to 720.")]
    public int IdempotencyWindowHours { get; set; } = 24;

    /// <summary>How often last-used times collected in memory are written to the database.</summary>
    [Range(0.1, 3600, ErrorMessage = "Api:LastUsedFlushSeconds must be from 0.1 to 3600.")]
    public double LastUsedFlushSeconds { get; set; } = 2;
}
