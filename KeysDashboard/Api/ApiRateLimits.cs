using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Api;

/// <summary>
/// ASP.NET's rate limiter, partitioned by the calling key: a per-key limit (off by default) and one for /verify.
/// As everywhere in <see cref="ApiOptions"/>, a limit of 0 is off.
/// </summary>
internal static class ApiRateLimits
{
    public const string PerKeyPolicy = "per-key";
    public const string VerifyPolicy = "verify";
    private const string PartitionItem = "KeysDashboard.RateLimitPartition";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // When each partition's limiter was created: its fixed windows run from then, every Window. A refused lease
    // only says "one whole window" (FixedWindowRateLimiter reports Window * periods), which would make every
    // Retry-After 60 however close the window is to freeing. The limiter runs on Stopwatch time, so this does.
    private static readonly ConcurrentDictionary<string, long> WindowOrigins = new();

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PerKeyPolicy, context => PerMinute(
                context, PerKeyPolicy, context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerKeyPerMinute));
            limiter.AddPolicy(VerifyPolicy, context => PerMinute(
                context, VerifyPolicy, context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.VerificationsPerKeyPerMinute));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var partition = rejected.HttpContext.Items[PartitionItem] as string;
                var retryAfter = partition is not null && WindowOrigins.TryGetValue(partition, out var origin)
                    ? UntilWindowEnds(origin, Stopwatch.GetTimestamp())
                    : Window;
                rejected.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ApiResults.WriteErrorAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests,
                    new ApiError("rate_limited", "Too many requests with this API key; slow down and retry after the Retry-After seconds."));
            };
        });
        return services;
    }

    /// <summary>Time left in the current window of a fixed-window limiter created at <paramref name="origin"/>.</summary>
    internal static TimeSpan UntilWindowEnds(long origin, long now)
    {
        var elapsed = Stopwatch.GetElapsedTime(origin, now);
        return Window - TimeSpan.FromTicks(elapsed.Ticks % Window.Ticks);
    }

    private static string KeyOf(HttpContext context) => context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";

    private static RateLimitPartition<string> PerMinute(HttpContext context, string policy, int permits)
    {
        if (permits <= 0)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }
        var partition = $"{policy}:{KeyOf(context)}:{permits}";
        context.Items[PartitionItem] = partition;
        return RateLimitPartition.GetFixedWindowLimiter(partition, _ =>
        {
            WindowOrigins[partition] = Stopwatch.GetTimestamp();
            return new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = Window, QueueLimit = 0 };
        });
    }
}
