using System.Security.Claims;
using KeysDashboard.Access;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Users;

/// <summary>
/// A signed-in person as the services see them: the role they hold now, read from the database, not the one their
/// cookie remembers. Gone, locked, or in a role that requires two-factor sign-in without it on: no permissions,
/// so every service refuses (and audits) what they try. One place for the dashboard's circuits
/// (<see cref="DashboardActor"/>) and for plain HTTP requests (downloads).
/// </summary>
internal sealed class PersonActors(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider clock, IOptions<UsersOptions> usersOptions)
{
    public async Task<Actor> ForAsync(ClaimsPrincipal user, string? clientIp, string? requestId, CancellationToken cancellationToken = default)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var person = await db.Users.AsNoTracking()
            .Where(u => u.Id == id)
            .Select(u => new
            {
                u.Email,
                u.TwoFactorEnabled,
                Locked = u.LockoutEnd != null && u.LockoutEnd > now,
                Role = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        var role = person is { Locked: false } ? person.Role : null;
        if (person is { TwoFactorEnabled: false } && usersOptions.Value.RequiresTwoFactor(role))
        {
            role = null;
        }
        return Actor.Person(id, person?.Email ?? user.Identity?.Name ?? id, role, clientIp, requestId);
    }

    /// <summary>The person behind a plain HTTP request (a download), from its sign-in cookie.</summary>
    public Task<Actor> ForAsync(HttpContext context) =>
        ForAsync(context.User, Api.ApiAuthorization.ClientIp(context), context.TraceIdentifier, context.RequestAborted);
}
