using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using KeysDashboard.Access;
using KeysDashboard.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KeysDashboard.Api;

/// <summary>
/// Authenticates a request by an API key in <c>Authorization: Bearer</c> or <c>X-API-Key</c> (never the query
/// string), through the same <see cref="KeyService.VerifyAsync"/> the /verify endpoint uses. Each refusal says
/// which rule refused it: 401 for a missing, malformed, unknown, disabled or expired key, 403 for an address
/// outside the key's allowlist, 429 once an address has failed too often.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    KeyService keys,
    FailedAuthenticationLimiter failures,
    LastUsedRecorder lastUsed,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";
    private const string RefusalItem = "KeysDashboard.ApiKeyRefusal";
    private const string MissingKey = "missing_key";

    private sealed record Refusal(int Status, string Code, string Message, TimeSpan? RetryAfter = null);

    /// <summary>The calling key, for handlers that need more than its id.</summary>
    public static ApiKey? CallingKey(HttpContext context) => context.Items[typeof(ApiKey)] as ApiKey;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var client = Context.Connection.RemoteIpAddress;
        var presented = PresentedKey(Request, out var conflicting);
        if (failures.IsBlocked(client, out var retryAfter))
        {
            return Refuse(new Refusal(429, "rate_limited", "Too many failed authentications from this address; try again later.", retryAfter));
        }
        if (conflicting)
        {
            failures.RecordFailure(client);
            return Refuse(new Refusal(401, "conflicting_keys", "The Authorization and X-API-Key headers carry different keys; send one."));
        }
        if (presented is null)
        {
            return Refuse(new Refusal(401, MissingKey, $"Send an API key as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'."));
        }

        var verification = await keys.VerifyAsync(presented, client, Context.RequestAborted);
        if (!verification.IsValid)
        {
            failures.RecordFailure(client);
            return Refuse(verification.Code switch
            {
                KeyVerificationCode.Malformed => new Refusal(401, "malformed_key", "That is not a well-formed API key (wrong shape or checksum)."),
                KeyVerificationCode.Disabled => new Refusal(401, "key_disabled", "This API key is disabled."),
                KeyVerificationCode.Expired => new Refusal(401, "key_expired", "This API key has expired."),
                KeyVerificationCode.IpNotAllowed => new Refusal(403, "ip_not_allowed", $"This API key may not be used from {client}."),
                _ => new Refusal(401, "invalid_key", "This API key is not valid: unknown, deleted, or replaced by a regenerate."),
            });
        }

        var key = verification.Key!;
        Context.Items[typeof(ApiKey)] = key;
        lastUsed.Record(key.Id, clock.GetUtcNow().UtcDateTime, client);

        Claim[] claims = [new(ClaimTypes.NameIdentifier, key.Id), new(ClaimTypes.Name, key.Name)];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var refusal = Context.Items[RefusalItem] as Refusal
            ?? new Refusal(401, MissingKey, $"Send an API key as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.");
        // RFC 6750 section 3.1: no credentials at all get the bare challenge; an error code is for a bad token.
        if (refusal.Status == 401)
        {
            Response.Headers.WWWAuthenticate = refusal.Code == MissingKey
                ? "Bearer realm=\"KeysDashboard\""
                : $"Bearer realm=\"KeysDashboard\", error=\"invalid_token\", error_description=\"{refusal.Message.Replace("\"", "'")}\"";
        }
        if (refusal.RetryAfter is { } wait)
        {
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return ApiResults.WriteErrorAsync(Context, refusal.Status, new ApiError(refusal.Code, refusal.Message));
    }

    private AuthenticateResult Refuse(Refusal refusal)
    {
        Context.Items[RefusalItem] = refusal;
        return AuthenticateResult.Fail(refusal.Code);
    }

    private static string? PresentedKey(HttpRequest request, out bool conflicting)
    {
        string? bearer = null;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            bearer = authorization["Bearer ".Length..].Trim();
        }
        var header = request.Headers[HeaderName].ToString().Trim();
        var fromHeader = header.Length > 0 ? header : null;
        conflicting = bearer is not null && fromHeader is not null && bearer != fromHeader;
        return bearer ?? fromHeader;
    }
}

internal static class ApiAuthorization
{
    public const string Policy = "ApiKey";

    public static string? ClientIp(this HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => null,
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        var address => address.ToString(),
    };

    /// <summary>The calling key as the services see it: its scopes' permissions and its own bounds.</summary>
    public static Actor ApiActor(this HttpContext context)
    {
        var key = ApiKeyAuthenticationHandler.CallingKey(context)
            ?? throw new InvalidOperationException("An API action needs an authenticated key.");
        return Actor.Key(key, context.ClientIp(), context.TraceIdentifier);
    }
}
