using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace KeysDashboard.Api;

/// <summary>
/// ASP.NET's fixed-window rate limiter partitions, able to say when a refused client's window frees.
/// A refused lease only reports "one whole window" (FixedWindowRateLimiter gives Window * periods), which would
/// make every Retry-After the full minute however close the window is to freeing. The limiter runs on
/// Stopwatch time from its creation, so remembering when each partition's limiter was created is enough.
/// </summary>
internal static class FixedWindows
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const string PartitionItem = "KeysDashboard.RateLimitPartition";
    private const int PruneAbove = 10_000;

    // Limiters for idle partitions are dropped by the rate limiter and made again on the next request, which
    // records a new origin; old origins are pruned once the table is large.
    private static readonly ConcurrentDictionary<string, long> Origins = new();

    /// <summary>A fixed one-minute window of <paramref name="permits"/> for <paramref name="partition"/>, or no limit for 0.</summary>
    public static RateLimitPartition<string> PerMinute(HttpContext context, string partition, int permits)
    {
        if (permits <= 0)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }
        partition = $"{partition}:{permits.ToString(CultureInfo.InvariantCulture)}";
        context.Items[PartitionItem] = partition;
        return RateLimitPartition.GetFixedWindowLimiter(partition, _ =>
        {
            PruneIfCrowded();
            Origins[partition] = Stopwatch.GetTimestamp();
            return new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = Window, QueueLimit = 0 };
        });
    }

    /// <summary>Sets <c>Retry-After</c> on a refused request to the whole seconds until its window frees.</summary>
    public static int SetRetryAfter(HttpContext context)
    {
        var retryAfter = context.Items[PartitionItem] is string partition && Origins.TryGetValue(partition, out var origin)
            ? UntilWindowEnds(origin, Stopwatch.GetTimestamp())
            : Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }

    /// <summary>Time left in the current window of a fixed-window limiter created at <paramref name="origin"/>.</summary>
    internal static TimeSpan UntilWindowEnds(long origin, long now)
    {
        var elapsed = Stopwatch.GetElapsedTime(origin, now);
        return Window - TimeSpan.FromTicks(elapsed.Ticks % Window.Ticks);
    }

    /// <summary>The budget a client draws on: IPv4 (mapped or not) per address, IPv6 per /64, one subscriber's block.</summary>
    public static string ClientBlock(IPAddress? client)
    {
        if (client is null)
        {
            return "unknown";
        }
        if (client.IsIPv4MappedToIPv6)
        {
            return client.MapToIPv4().ToString();
        }
        if (client.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return client.ToString();
        }
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static void PruneIfCrowded()
    {
        if (Origins.Count <= PruneAbove)
        {
            return;
        }
        // A pruned origin of a live limiter only makes its next Retry-After say the whole window.
        var stale = Stopwatch.GetTimestamp() - (long)(Stopwatch.Frequency * Window.TotalSeconds * 10);
        foreach (var (partition, origin) in Origins)
        {
            if (origin < stale)
            {
                Origins.TryRemove(partition, out _);
            }
        }
    }
}
