using System.Net;
using System.Security.Claims;
using System.Reflection;
using KeysDashboard.Access;
using KeysDashboard.Components.Account;
using KeysDashboard.Data;
using KeysDashboard.Tests.Infrastructure;
using KeysDashboard.Users;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Tests.Users;

/// <summary>Locking, removing or demoting a person ends what they have open: cookies at once, dashboard tabs within seconds.</summary>
public sealed class SessionEndTests : IAsyncLifetime
{
    private readonly AppFactory app = People.App();
    private Actor owner = default!;

    public async ValueTask InitializeAsync()
    {
        await Owner.SetUpAsync(app.CreateBrowserLikeClient());
        owner = await People.OwnerAsync(app);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("lock")]
    [InlineData("remove")]
    [InlineData("demote")]
    public async Task The_persons_signed_in_browser_is_sent_to_sign_in_right_after_the_change(string change)
    {
        var (browser, person) = await People.SignedInAsync(app, "person@example.com", "Support");
        var other = (await People.SignedInAsync(app, "bystander@example.com", "Support")).Browser;

        await People.UsersAsync(app, async users =>
        {
            await (change switch
            {
                "lock" => users.LockAsync(person.Id, owner),
                "remove" => users.RemoveAsync(person.Id, owner),
                _ => (Task)users.ChangeRoleAsync(person.Id, "Auditor", owner),
            });
            return 0;
        });

        var after = await browser.GetAsync("/keys");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Account/Login", after.Headers.Location?.OriginalString);
        Assert.Equal(0, await app.WithDbAsync(db => db.SignInSessions.CountAsync(s => s.UserId == person.Id)));
        // Only that person: someone else's session goes on.
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/keys")).StatusCode);
    }

    [Fact]
    public async Task A_demoted_person_signs_in_again_with_the_new_role_and_a_locked_one_cannot()
    {
        var (_, person) = await People.SignedInAsync(app, "person@example.com", "Support");
        await People.UsersAsync(app, users => users.ChangeRoleAsync(person.Id, "Auditor", owner));

        var again = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(again, "person@example.com", People.Password);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/keys")).StatusCode);

        await People.UsersAsync(app, users => users.LockAsync(person.Id, owner));
        var locked = await Owner.SignInAsync(app.CreateBrowserLikeClient(), "person@example.com", People.Password);
        Assert.Contains("Account/Lockout", locked.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Identity_puts_the_role_in_the_principal_and_revalidation_fails_once_it_no_longer_matches()
    {
        var person = (await People.InviteAsync(app, owner, "person@example.com", "Support")).User;
        var principal = await PrincipalAsync(person.Id);

        Assert.Equal(["Support"], principal.FindAll(ClaimTypes.Role).Select(c => c.Value));
        Assert.True(await StillValidAsync(principal));

        await People.UsersAsync(app, users => users.ChangeRoleAsync(person.Id, "Auditor", owner));
        Assert.False(await StillValidAsync(principal));

        var fresh = await PrincipalAsync(person.Id);
        Assert.True(await StillValidAsync(fresh));
        // A role claim edited to differ from the database (same stamp) fails too.
        var forged = new ClaimsPrincipal(new ClaimsIdentity(fresh.Claims.Where(c => c.Type != ClaimTypes.Role).Append(new Claim(ClaimTypes.Role, "Admin")), "test"));
        Assert.False(await StillValidAsync(forged));

        await People.UsersAsync(app, users => users.LockAsync(person.Id, owner));
        Assert.False(await StillValidAsync(fresh));
        await People.UsersAsync(app, users => users.UnlockAsync(person.Id, owner));
        var unlocked = await PrincipalAsync(person.Id);
        Assert.True(await StillValidAsync(unlocked));

        await People.UsersAsync(app, async users => { await users.RemoveAsync(person.Id, owner); return 0; });
        Assert.False(await StillValidAsync(unlocked));
    }

    [Fact]
    public async Task Open_tabs_revalidate_every_five_seconds_by_default()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var provider = scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();

        var interval = (TimeSpan)provider.GetType().GetProperty("RevalidationInterval", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(provider)!;

        Assert.IsType<IdentityRevalidatingAuthenticationStateProvider>(provider);
        Assert.Equal(TimeSpan.FromSeconds(5), interval);
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>();
        return await factory.CreateAsync((await users.FindByIdAsync(userId))!);
    }

    private async Task<bool> StillValidAsync(ClaimsPrincipal principal)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await IdentityRevalidatingAuthenticationStateProvider.IsStillValidAsync(
            scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>(), principal,
            scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value);
    }
}
