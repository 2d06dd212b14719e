using Bunit;
using KeysDashboard.Access;
using KeysDashboard.Data;
using KeysDashboard.Tests.Infrastructure;
using KeysDashboard.Users;
using KeysDashboard.Users.Dashboard;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Users;

/// <summary>The /users page over the real UserService and Identity on SQLite; the signed-in person is user-1 (Admin).</summary>
public sealed class UsersPageTests : DashboardContext
{
    public UsersPageTests()
    {
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddIdentityCore<ApplicationUser>(Microsoft.AspNetCore.Builder.IdentityExtensions.ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>()
            .AddDefaultTokenProviders();
        Services.AddTransient<SetPasswordTokenProvider>();
        Services.Configure<IdentityOptions>(o =>
        {
            o.Tokens.ProviderMap[SetPasswordTokenProvider.ProviderName] = new TokenProviderDescriptor(typeof(SetPasswordTokenProvider));
            o.Tokens.PasswordResetTokenProvider = SetPasswordTokenProvider.ProviderName;
        });
        Services.AddScoped<UserService>();
    }

    private UserService Users => Services.GetRequiredService<UserService>();

    [Fact]
    public void An_Admin_sees_everyone_with_role_sign_in_2FA_and_status_and_cannot_lock_or_remove_themselves()
    {
        var page = RenderWithProviders<UsersPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=user-row]")));
        var me = page.Find("[data-testid=user-row]");
        Assert.Equal(Admin.Name, me.GetAttribute("data-email"));
        Assert.Equal("Admin", me.QuerySelector("[data-testid=user-role]")!.TextContent.Trim());
        Assert.Equal("Off", me.QuerySelector("[data-testid=user-2fa]")!.TextContent.Trim());
        Assert.Equal("Active", me.QuerySelector("[data-testid=user-locked]")!.TextContent.Trim());
        Assert.Equal("Never", me.QuerySelector("[data-testid=user-last-sign-in]")!.TextContent.Trim());
        Assert.Null(me.QuerySelector("[data-testid=lock-user]"));
        Assert.Null(me.QuerySelector("[data-testid=remove-user]"));
        Assert.NotNull(me.QuerySelector("[data-testid=change-role]"));
        Assert.NotNull(page.Find("[data-testid=users-grid]"));
    }

    [Fact]
    public void Inviting_shows_the_link_once_and_adds_the_row()
    {
        var page = RenderWithProviders<UsersPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=user-row]")));

        page.Find("[data-testid=invite-user]").Click();
        page.WaitForElement("input[data-testid=invite-email]").Input("not an email");
        page.Find("[data-testid=invite-save]").Click();
        page.WaitForAssertion(() => Assert.Contains("is not an email address", page.Find("[data-testid=invite-dialog]").TextContent));

        page.Find("input[data-testid=invite-email]").Input("helper@example.com");
        page.Find("[data-testid=invite-save]").Click();

        var link = page.WaitForElement("[data-testid=set-password-link]").TextContent.Trim();
        Assert.StartsWith("http://localhost/Account/SetPassword?userId=", link);
        Assert.Contains("&code=", link);
        Assert.Empty(page.FindAll("[data-testid=invite-dialog]"));
        page.Find("[data-testid=link-done]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=invite-link-dialog]")));
        Assert.DoesNotContain(link, page.Markup);
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=user-row]").Count));
        var row = page.Find("[data-testid=user-row][data-email='helper@example.com']");
        Assert.Equal("Support", row.QuerySelector("[data-testid=user-role]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Lock_unlock_and_remove_with_confirmation()
    {
        var helper = (await Users.InviteAsync("helper@example.com", "Auditor", Admin, new Uri("http://localhost/"))).User;
        var page = RenderWithProviders<UsersPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=user-row]").Count));
        string Row(string testId) => page.Find($"[data-testid=user-row][data-email='helper@example.com'] [data-testid={testId}]").TextContent.Trim();

        page.Find("[data-testid=user-row][data-email='helper@example.com'] [data-testid=lock-user]").Click();
        page.WaitForAssertion(() => Assert.Equal("Locked", Row("user-locked")));
        page.Find("[data-testid=user-row][data-email='helper@example.com'] [data-testid=unlock-user]").Click();
        page.WaitForAssertion(() => Assert.Equal("Active", Row("user-locked")));

        page.Find("[data-testid=user-row][data-email='helper@example.com'] [data-testid=remove-user]").Click();
        page.WaitForElement("[data-testid=confirm-action]").Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=user-row]")));
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Id == helper.Id));
    }

    [Fact]
    public async Task Someone_demoted_while_the_page_is_open_is_refused_at_once_with_a_message()
    {
        await Users.InviteAsync("helper@example.com", "Auditor", Admin, new Uri("http://localhost/"));
        var page = RenderWithProviders<UsersPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=user-row]").Count));

        await UseRoleAsync(AccessTable.SupportRole);
        page.Find("[data-testid=user-row][data-email='helper@example.com'] [data-testid=lock-user]").Click();

        page.WaitForAssertion(() => Assert.Contains("may not manage people", page.Markup));
        Assert.False((await Users.ListAsync(Actor.CommandLine)).Single(p => p.Email == "helper@example.com").Locked);
    }

    [Theory]
    [InlineData("Support")]
    [InlineData("Auditor")]
    public async Task Support_and_Auditor_get_the_no_access_message_not_the_list(string role)
    {
        await UseRoleAsync(role);

        var page = RenderWithProviders<UsersPage>();

        page.WaitForAssertion(() => Assert.Contains("You do not have access to this page", page.Find("[data-testid=no-access]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=users-grid]"));
        Assert.Empty(page.FindAll("[data-testid=invite-user]"));
    }
}

/// <summary>DashboardActor under Users:RequireTwoFactorRoles = [Admin]: the signed-in Admin has no permissions until 2FA is on.</summary>
public sealed class DashboardActorTwoFactorTests : DashboardContext
{
    public DashboardActorTwoFactorTests() => Services.Configure<UsersOptions>(o => o.RequireTwoFactorRoles = ["Admin"]);

    [Fact]
    public async Task A_role_that_requires_2FA_gives_no_permissions_until_it_is_on()
    {
        var actors = Services.GetRequiredService<DashboardActor>();

        Assert.Empty((await actors.GetAsync()).Permissions);

        await using (var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == Admin.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, true));
        }
        Assert.True((await actors.GetAsync()).Can(Permission.UsersManage));
    }
}
