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
        rules.MapGet("/regex.txt", (HttpContext context, IOptions<KeyOptions> keys, IDbContextFactory<ApplicationDbContext> db, AccessGuard guard) =>
            RuleFileAsync(context, db, guard, DetectionRules.Regex(keys.Value.Prefix) + "\n", "text/plain; charset=utf-8", "keysdashboard-regex.txt"));
        rules.MapGet("/gitleaks.toml", (HttpContext context, IOptions<KeyOptions> keys, IDbContextFactory<ApplicationDbContext> db, AccessGuard guard) =>
            RuleFileAsync(context, db, guard, DetectionRules.Gitleaks(keys.Value.Prefix), "application/toml; charset=utf-8", "gitleaks.toml"));
        return app;
    }

    private static async Task<IResult> RuleFileAsync(
        HttpContext context, IDbContextFactory<ApplicationDbContext> dbFactory, AccessGuard guard, string content, string contentType, string fileName)
    {
        // The role as it is now in the database, not as the cookie remembers it: a demoted person is refused at once.
        var actor = await SignedInPerson.ActorAsync(context, dbFactory);
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

/// <summary>The signed-in person of a plain HTTP request, with their role read fresh from the database (as DashboardActor does for circuits).</summary>
internal static class SignedInPerson
{
    public static async Task<Actor> ActorAsync(HttpContext context, IDbContextFactory<ApplicationDbContext> dbFactory)
    {
        var id = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        await using var db = await dbFactory.CreateDbContextAsync(context.RequestAborted);
        var now = DateTimeOffset.UtcNow;
        var person = await db.Users.AsNoTracking()
            .Where(u => u.Id == id)
            .Select(u => new
            {
                u.Email,
                Locked = u.LockoutEnd != null && u.LockoutEnd > now,
                Role = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(context.RequestAborted);
        var role = person is { Locked: false } ? person.Role : null;
        return Actor.Person(id, person?.Email ?? context.User.Identity?.Name ?? id, role,
            context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
    }
}
