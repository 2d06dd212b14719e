using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Api;

/// <summary>ASP.NET's rate limiter, partitioned by the calling key: a per-key limit (off by default) and one for /verify.</summary>
internal static class ApiRateLimits
{
    public const string PerKeyPolicy = "per-key";
    public const string VerifyPolicy = "verify";

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PerKeyPolicy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerKeyPerMinute;
                return perMinute <= 0
                    ? RateLimitPartition.GetNoLimiter("off")
                    : PerMinute(KeyOf(context), perMinute);
            });
            limiter.AddPolicy(VerifyPolicy, context => PerMinute(
                KeyOf(context),
                context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.VerificationsPerKeyPerMinute));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                rejected.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ApiResults.WriteErrorAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests,
                    new ApiError("rate_limited", "Too many requests with this API key; slow down and retry after the Retry-After seconds."));
            };
        });
        return services;
    }

    private static string KeyOf(HttpContext context) => context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
