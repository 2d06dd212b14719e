using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Access;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Users;

/// <summary>Users:RequireTwoFactorRoles: a person of such a role without 2FA is sent to set it up and can use nothing else.</summary>
public sealed partial class TwoFactorRequiredTests : IAsyncLifetime
{
    private readonly AppFactory app = People.App(new() { ["Users:RequireTwoFactorRoles:0"] = "Support" });
    private Actor owner = default!;

    public async ValueTask InitializeAsync()
    {
        await Owner.SetUpAsync(app.CreateBrowserLikeClient());
        owner = await People.OwnerAsync(app);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_Support_person_without_2FA_is_sent_to_set_it_up_and_gets_the_dashboard_once_it_is_on()
    {
        var invitation = await People.InviteAsync(app, owner, "support@example.com", "Support");
        var browser = app.CreateBrowserLikeClient();
        await People.SetPasswordAsync(browser, invitation.Link);
        await Owner.SignInAsync(browser, "support@example.com", People.Password);

        foreach (var page in new[] { "/", "/keys", "/users", "/audit", "/leaked" })
        {
            var response = await browser.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/Account/Manage/EnableAuthenticator", response.Headers.Location?.OriginalString);
        }
        // The API is for keys, and account pages stay open (that is where 2FA is turned on).
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Account/Manage")).StatusCode);
        var enablePage = await browser.GetStringAsync("/Account/Manage/EnableAuthenticator");
        var sharedKey = SharedKey().Match(enablePage).Groups[1].Value;
        await FormPost.SubmitAsync(browser, "/Account/Manage/EnableAuthenticator", "send-code",
            new Dictionary<string, string> { ["Input.Code"] = Totp.Code(sharedKey, DateTimeOffset.UtcNow) });

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/keys")).StatusCode);
    }

    [Fact]
    public async Task Other_roles_are_not_asked()
    {
        var owner = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(owner);

        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/keys")).StatusCode);
    }

    [GeneratedRegex("<kbd>([a-z0-9 ]+)</kbd>")]
    private static partial Regex SharedKey();
}
