using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Api;

/// <summary>
/// Counts failed authentications per client address in a fixed one-minute window; once an address runs out,
/// every request from it gets 429 until the window ends, valid key or not, so guessing keys does not scale.
/// </summary>
internal sealed class FailedAuthenticationLimiter(IOptions<ApiOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.FailedAuthenticationsPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>True when this address has used up its failures; <paramref name="retryAfter"/> says for how long.</summary>
    public bool IsBlocked(IPAddress? client, out TimeSpan retryAfter)
    {
        using var probe = limiter.AttemptAcquire(Partition(client), permitCount: 0);
        retryAfter = probe.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        return !probe.IsAcquired;
    }

    public void RecordFailure(IPAddress? client)
    {
        using var _ = limiter.AttemptAcquire(Partition(client));
    }

    private static string Partition(IPAddress? client) =>
        client is null ? "unknown" : (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();

    public void Dispose() => limiter.Dispose();
}
