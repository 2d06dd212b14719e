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

    [Fact]
    public async Task Parallel_wrong_authenticator_codes_lock_the_account_after_five()
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { ["SignIn:AttemptsPerAddressPerMinute"] = "0" });
        var owner = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(owner);
        var enablePage = await owner.GetStringAsync("/Account/Manage/EnableAuthenticator");
        var sharedKey = SharedKey().Match(enablePage).Groups[1].Value;
        await FormPost.SubmitAsync(owner, "/Account/Manage/EnableAuthenticator", "send-code",
            new Dictionary<string, string> { ["Input.Code"] = Totp.Code(sharedKey, DateTimeOffset.UtcNow) });

        var attacker = app.CreateBrowserLikeClient();
        var password = await Owner.SignInAsync(attacker);
        var secondStep = password.Headers.Location!.OriginalString;
        var rightCode = Totp.Code(sharedKey, DateTimeOffset.UtcNow);
        var forms = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => FormPost.PrepareAsync(attacker, secondStep, "login-with-2fa",
            new Dictionary<string, string> { ["Input.TwoFactorCode"] = ((int.Parse(rightCode, System.Globalization.CultureInfo.InvariantCulture) + 1 + i) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) })));

        var answers = await Task.WhenAll(forms.Select(form => Task.Run(async () =>
        {
            var response = await attacker.PostAsync(secondStep, form);
            return (await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString ?? "");
        })));

        // Four answered "invalid", the fifth locked the account, and the other fifteen were never checked.
        Assert.Equal(4, answers.Count(a => a.Item1.Contains("Invalid authenticator code", StringComparison.Ordinal)));
        Assert.Equal(16, answers.Count(a => a.Item2.Contains("Account/Lockout", StringComparison.Ordinal)));
    }

    [GeneratedRegex("<kbd>([a-z0-9 ]+)</kbd>")]
    private static partial Regex SharedKey();
}
