using System.Security.Claims;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Users;

/// <summary>
/// Users:RequireTwoFactorRoles, enforced twice: <see cref="DashboardActor"/> gives a person who lacks the second
/// factor no permissions (every service refuses them, whatever the page shows), and the middleware of
/// <c>UseTwoFactorRequirement</c> sends their page loads to <see cref="SetUpPath"/>, where they can turn it on.
/// </summary>
internal static class TwoFactorRequirement
{
    public const string SetUpPath = "/Account/Manage/EnableAuthenticator";

    // The account pages (where 2FA is turned on and sign-out lives), the API (keys, not people), the circuit's
    // own traffic and the framework's files stay open.
    private static readonly string[] OpenPrefixes =
        ["/Account", "/api", "/_blazor", "/_framework", "/_content", "/openapi", "/api-docs", "/setup", "/not-found", "/Error"];

    public static bool AppliesTo(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true || !HttpMethods.IsGet(context.Request.Method))
        {
            return false;
        }
        var path = context.Request.Path;
        if (OpenPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        // Static files (app.css, favicon.png) are no dashboard; downloads under a dashboard page (/audit/export.csv) are.
        var last = path.Value?[(path.Value.LastIndexOf('/') + 1)..] ?? "";
        return !last.Contains('.', StringComparison.Ordinal) || path.StartsWithSegments("/audit") || path.StartsWithSegments("/secret-scanning");
    }

    public static async Task<bool> IsMissingAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<UsersOptions>>().Value;
        if (options.RequireTwoFactorRoles.Length == 0 || context.User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
        {
            return false;
        }
        var dbFactory = context.RequestServices.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(context.RequestAborted);
        var person = await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new
            {
                u.TwoFactorEnabled,
                Role = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(context.RequestAborted);
        return person is not null && !person.TwoFactorEnabled && options.RequiresTwoFactor(person.Role);
    }
}
