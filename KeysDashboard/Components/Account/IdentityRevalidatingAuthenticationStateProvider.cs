using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using KeysDashboard.Data;
using KeysDashboard.Users;

namespace KeysDashboard.Components.Account;

/// <summary>
/// Signs an open dashboard tab out within seconds (Users:RevalidationSeconds, default 5) of its person being
/// removed, locked, demoted or otherwise having their security stamp changed. The circuit keeps the principal it
/// started with, so each check compares it with the database: the person still exists, is not locked out, holds
/// the role the principal's role claim names, and has the same security stamp. Actions do not wait for this:
/// <see cref="DashboardActor"/> reads the role afresh at each one.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider(
        ILoggerFactory loggerFactory,
        IServiceScopeFactory scopeFactory,
        IOptions<IdentityOptions> options,
        IOptions<UsersOptions> usersOptions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(usersOptions.Value.RevalidationSeconds);

    protected override async Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        // A new scope, so the user manager reads fresh rows rather than a copy tracked earlier.
        await using var scope = scopeFactory.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await IsStillValidAsync(userManager, authenticationState.User, options.Value);
    }

    /// <summary>Whether <paramref name="principal"/> still describes its person as the database does now.</summary>
    public static async Task<bool> IsStillValidAsync(UserManager<ApplicationUser> userManager, ClaimsPrincipal principal, IdentityOptions options)
    {
        var user = await userManager.GetUserAsync(principal);
        if (user is null || await userManager.IsLockedOutAsync(user))
        {
            return false;
        }
        if (userManager.SupportsUserSecurityStamp &&
            principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType) != await userManager.GetSecurityStampAsync(user))
        {
            return false;
        }
        var claimed = principal.FindAll(options.ClaimsIdentity.RoleClaimType).Select(c => c.Value).Order(StringComparer.Ordinal);
        var held = (await userManager.GetRolesAsync(user)).Order(StringComparer.Ordinal);
        return claimed.SequenceEqual(held, StringComparer.Ordinal);
    }
}
