using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using KeysDashboard.Api;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Users;

internal sealed class SignInLimitOptions
{
    public const string Section = "SignIn";

    /// <summary>
    /// Sign-in form posts (password, authenticator code, recovery code) per client address per minute; IPv6
    /// clients are counted per /64, the block one subscriber holds. 0 turns the limit off.
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "SignIn:AttemptsPerAddressPerMinute must be from 0 (off) to 1000000.")]
    public int AttemptsPerAddressPerMinute { get; set; } = 10;
}

/// <summary>
/// The per-address limit on sign-in attempts, on ASP.NET's rate limiter. It complements the per-account lockout:
/// the lockout stops guessing one account's password, this stops one address guessing many accounts'.
/// Only form posts count; loading the page is free.
/// </summary>
internal sealed class SignInRateLimitPolicy(IOptions<SignInLimitOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "sign-in";

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        return HttpMethods.IsPost(httpContext.Request.Method)
            ? FixedWindows.PerMinute(httpContext, "sign-in:" + FixedWindows.ClientBlock(httpContext.Connection.RemoteIpAddress),
                options.Value.AttemptsPerAddressPerMinute)
            : RateLimitPartition.GetNoLimiter("");
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (rejected, cancellationToken) =>
    {
        var response = rejected.HttpContext.Response;
        var seconds = FixedWindows.SetRetryAfter(rejected.HttpContext);
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many sign-in attempts</title>" +
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body><main>" +
            "<h1>Too many sign-in attempts</h1>" +
            $"<p>Too many sign-in attempts came from your network. Wait {seconds} seconds, then <a href=\"/Account/Login\">try again</a>.</p>" +
            "</main></body></html>", cancellationToken);
    };
}
