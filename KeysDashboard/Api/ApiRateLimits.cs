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
                FixedWindows.SetRetryAfter(rejected.HttpContext);
                await ApiResults.WriteErrorAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests,
                    new ApiError("rate_limited", "Too many requests with this API key; slow down and retry after the Retry-After seconds."));
            };
        });
        return services;
    }

    private static string KeyOf(HttpContext context) => context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";

    private static RateLimitPartition<string> PerMinute(HttpContext context, string policy, int permits) =>
        FixedWindows.PerMinute(context, $"{policy}:{KeyOf(context)}", permits);
}
