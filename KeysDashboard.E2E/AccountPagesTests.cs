using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// The static account pages in a real browser: by IP address over http (how a fresh install is often first opened)
/// they neither offer passkeys nor throw; at a phone's and a laptop's width, light and dark, nothing scrolls sideways.
/// </summary>
public sealed class AccountPagesTests : BrowserSession
{
    private const string Email = "owner@example.com";
    private const string Password = "correct horse battery";

    [Fact]
    public async Task By_ip_address_passkeys_are_not_offered_and_nothing_throws()
    {
        Assert.Contains("://127.0.0.1:", App.BaseUrl);
        var errors = new List<string>();
        Page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        Page.PageError += (_, error) => errors.Add(error);

        await Page.GotoAsync("/setup");
        await new SetupPage(Page).CreateOwnerAsync(Email, Password);
        var keys = new KeysPage(Page);
        await keys.WaitUntilInteractiveAsync();

        await Page.GotoAsync("/Account/Manage/Passkeys");
        await Expect(Page.GetByText("Passkeys need a secure connection")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Add a new passkey" })).ToBeDisabledAsync();
        await ScreenshotAsync("account-passkeys-by-ip");

        await Page.GotoAsync("/keys");
        await keys.WaitUntilInteractiveAsync();
        await keys.SignOutAsync();
        var login = new LoginPage(Page);
        await Expect(login.Heading).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" })).ToBeHiddenAsync();
        // Conditional mediation would have asked for a passkey by now; give a late SecurityError time to show.
        await Page.WaitForTimeoutAsync(1000);
        await ScreenshotAsync("account-sign-in-by-ip");

        Assert.Empty(errors);
        AssertNoContentSecurityPolicyViolations();
    }

    [Fact]
    public async Task Account_pages_fit_a_phone_and_a_laptop_in_light_and_dark()
    {
        await Page.GotoAsync("/setup");
        await FitsAsync("account-setup");
        await new SetupPage(Page).CreateOwnerAsync(Email, Password);
        await new KeysPage(Page).WaitUntilInteractiveAsync();

        foreach (var (path, name) in new[]
        {
            ("/Account/Manage", "account-profile"),
            ("/Account/Manage/ChangePassword", "account-change-password"),
            ("/Account/Manage/TwoFactorAuthentication", "account-two-factor"),
            ("/Account/Manage/EnableAuthenticator", "account-authenticator"),
            ("/Account/Manage/Passkeys", "account-passkeys"),
        })
        {
            await Page.GotoAsync(path);
            await FitsAsync(name);
        }

        await Page.Context.ClearCookiesAsync();
        await Page.GotoAsync("/Account/Login");
        await new LoginPage(Page).SignInAsync(Email, "not the password");
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Invalid email or password.");
        await FitsAsync("account-sign-in-failed");
        AssertNoContentSecurityPolicyViolations();
    }

    private async Task FitsAsync(string name)
    {
        foreach (var (width, height) in new[] { (360, 740), (1366, 768) })
        {
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                await Page.SetViewportSizeAsync(width, height);
                await Page.EmulateMediaAsync(new() { ColorScheme = scheme });
                await Expect(Page.Locator("h1")).ToHaveCountAsync(1);
                var overflow = await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
                Assert.True(overflow <= 0, $"{name} scrolls sideways by {overflow}px at {width}px ({scheme})");
                await ScreenshotAsync($"{name}-{width}-{scheme.ToString().ToLowerInvariant()}");
            }
        }
        await Page.SetViewportSizeAsync(1366, 768);
    }
}
