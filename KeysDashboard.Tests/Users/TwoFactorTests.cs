using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Users;

public sealed partial class TwoFactorTests
{
    [Fact]
    public async Task An_owner_enables_an_authenticator_app_and_then_signs_in_with_a_code()
    {
        await using var app = new AppFactory();
        var browser = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(browser);

        var enablePage = await browser.GetStringAsync("/Account/Manage/EnableAuthenticator");
        var sharedKey = SharedKey().Match(enablePage).Groups[1].Value;
        Assert.NotEmpty(sharedKey);
        var enabled = await FormPost.SubmitAsync(browser, "/Account/Manage/EnableAuthenticator", "send-code",
            new Dictionary<string, string> { ["Input.Code"] = Totp.Code(sharedKey, DateTimeOffset.UtcNow) });

        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Contains("Your authenticator app has been verified.", await enabled.Content.ReadAsStringAsync());
        // Enabling 2FA rotated the security stamp; this browser must still be signed in.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/keys")).StatusCode);

        var fresh = app.CreateBrowserLikeClient();
        var password = await Owner.SignInAsync(fresh);
        Assert.Contains("Account/LoginWith2fa", password.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await fresh.GetAsync("/keys")).StatusCode);

        var secondFactor = await FormPost.SubmitAsync(fresh, password.Headers.Location!.OriginalString, "login-with-2fa",
            new Dictionary<string, string> { ["Input.TwoFactorCode"] = Totp.Code(sharedKey, DateTimeOffset.UtcNow) });

        Assert.Equal(HttpStatusCode.Redirect, secondFactor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/keys")).StatusCode);
    }

    [GeneratedRegex("<kbd>([a-z0-9 ]+)</kbd>")]
    private static partial Regex SharedKey();
}
