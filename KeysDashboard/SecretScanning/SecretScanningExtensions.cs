using System.Security.Claims;
using KeysDashboard.Access;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.SecretScanning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

internal static class SecretScanningExtensions
{
    public static WebApplicationBuilder AddSecretScanning(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GitHubSecretScanningOptions>()
            .BindConfiguration(GitHubSecretScanningOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient(GitHubPublicKeys.HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(10);
            client.DefaultRequestHeaders.UserAgent.ParseAdd("KeysDashboard-secret-scanning");
        });
        builder.Services.AddSingleton<GitHubPublicKeys>();
        builder.Services.AddScoped<GitHubLeakReport>();
        return builder;
    }

    /// <summary>
    /// The GitHub partner endpoint, outside the API-key group (GitHub has no key of ours; its signature is its
    /// authentication), and the detection rules for signed-in people who may look up leaked keys.
    /// </summary>
    public static WebApplication MapSecretScanning(this WebApplication app)
    {
        app.MapPost(GitHubSecretScanningEndpoint.Path, GitHubSecretScanningEndpoint.HandleAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription();

        var rules = app.MapGroup("/secret-scanning/rules").RequireAuthorization().ExcludeFromDescription();
        rules.MapGet("/regex.txt", (HttpContext context, IOptions<KeyOptions> keys, KeysDashboard.Users.PersonActors people, AccessGuard guard) =>
            RuleFileAsync(context, people, guard, DetectionRules.Regex(keys.Value.Prefix) + "\n", "text/plain; charset=utf-8", "keysdashboard-regex.txt"));
        rules.MapGet("/gitleaks.toml", (HttpContext context, IOptions<KeyOptions> keys, KeysDashboard.Users.PersonActors people, AccessGuard guard) =>
            RuleFileAsync(context, people, guard, DetectionRules.Gitleaks(keys.Value.Prefix), "application/toml; charset=utf-8", "gitleaks.toml"));
        return app;
    }

    private static async Task<IResult> RuleFileAsync(
        HttpContext context, KeysDashboard.Users.PersonActors people, AccessGuard guard, string content, string contentType, string fileName)
    {
        // The role as it is now in the database, not as the cookie remembers it: a demoted person is refused at once.
        var actor = await people.ForAsync(context);
        try
        {
            await guard.Demand(actor, Permission.KeysLookupLeaked, cancellationToken: context.RequestAborted);
        }
        catch (AccessDeniedException)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        return Results.File(System.Text.Encoding.UTF8.GetBytes(content), contentType, fileName);
    }
}
