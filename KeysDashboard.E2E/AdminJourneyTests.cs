using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// What a new admin does on day one, in a real browser against a real server and a fresh database: set up the
/// owner, sign in, create a key with an IP allowlist, copy its secret once, and take it through its whole life.
/// A screenshot of every step lands in artifacts/e2e.
/// </summary>
public sealed class AdminJourneyTests : BrowserSession
{
    private const string Email = "owner@example.com";
    private const string Password = "correct horse battery";

    [Fact]
    public async Task An_admin_sets_up_signs_in_and_takes_a_key_through_its_whole_life()
    {
        var setup = new SetupPage(Page);
        var login = new LoginPage(Page);
        var keys = new KeysPage(Page);

        // A fresh install sends the first visitor to setup.
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await ScreenshotAsync("01-setup");
        await setup.CreateOwnerAsync(Email, Password);

        await Expect(keys.Heading).ToBeVisibleAsync();
        await keys.WaitUntilInteractiveAsync();
        await Expect(keys.EmptyState).ToBeVisibleAsync();
        await ScreenshotAsync("02-keys-empty");

        // Sign out, and back in.
        await keys.SignOutAsync();
        await Expect(login.Heading).ToBeVisibleAsync();
        await ScreenshotAsync("03-sign-in");
        await login.SignInAsync(Email, Password);
        await Expect(keys.Heading).ToBeVisibleAsync();
        await keys.WaitUntilInteractiveAsync();

        // Create a key limited to two networks.
        await keys.OpenCreateDialogAsync();
        await keys.FillKeyFormAsync(name: "Build server", ips: "203.0.113.7\n10.0.0.1/8");
        await Expect(Page.GetByText("'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?")).ToBeVisibleAsync();
        await ScreenshotAsync("04-create-dialog-bad-ip");
        await keys.FillKeyFormAsync(ips: "203.0.113.7\n10.0.0.0/8\n2001:db8::/32");
        await ScreenshotAsync("05-create-dialog");
        await keys.SaveKeyFormAsync();

        // The secret, once.
        var (shown, copied) = await keys.CopySecretAsync();
        Assert.Matches("^kd_[0-9A-Za-z]{36}$", shown);
        Assert.Equal(shown, copied);
        await ScreenshotAsync("06-reveal-secret");
        await keys.CloseRevealAsync();

        var row = keys.Row("Build server");
        await Expect(row.GetByTestId("masked-key")).ToHaveTextAsync($"kd_...{shown[^4..]}");
        await Expect(row.GetByTestId("key-ips-cell")).ToContainTextAsync("10.0.0.0/8");
        await Expect(keys.Status("Build server")).ToHaveTextAsync("Enabled");
        Assert.DoesNotContain(shown, await Page.ContentAsync());
        await ScreenshotAsync("07-keys-grid");

        // A reload shows the same: the secret is gone for good.
        await keys.GotoAsync();
        await Expect(keys.Row("Build server")).ToBeVisibleAsync();
        Assert.DoesNotContain(shown, await Page.ContentAsync());

        // Disable, then enable.
        await keys.ClickRowActionAsync("Build server", "disable-key");
        await Expect(keys.Status("Build server")).ToHaveTextAsync("Disabled");
        await ScreenshotAsync("08-disabled");
        await keys.ClickRowActionAsync("Build server", "enable-key");
        await Expect(keys.Status("Build server")).ToHaveTextAsync("Enabled");

        // Edit: rename and make it read-only (Vidbeo's ["fetch"]: reads the API and reads keys).
        await keys.ClickRowActionAsync("Build server", "edit-key");
        await Expect(Page.GetByTestId("key-name")).ToHaveValueAsync("Build server");
        await keys.FillKeyFormAsync(name: "Build server (prod)", scopes: ["read", "keys:read"]);
        await ScreenshotAsync("09-edit-dialog");
        await keys.SaveKeyFormAsync();
        await Expect(keys.Row("Build server (prod)").GetByTestId("key-scopes")).ToHaveTextAsync(new Regex("^\\s*read\\s*keys:read\\s*$"));

        // Regenerate with an hour's grace: a new secret, and the grid says when the old one stops.
        await keys.ClickRowActionAsync("Build server (prod)", "regenerate-key");
        await Expect(Page.GetByTestId("regenerate-dialog")).ToContainTextAsync("Build server (prod)");
        await Page.GetByTestId("grace-1h").ClickAsync();
        await ScreenshotAsync("10-regenerate-dialog");
        await Page.GetByTestId("regenerate-confirm").ClickAsync();
        var (rotated, _) = await keys.CopySecretAsync();
        Assert.NotEqual(shown, rotated);
        await keys.CloseRevealAsync();
        await Expect(keys.Row("Build server (prod)").GetByTestId("masked-key")).ToHaveTextAsync($"kd_...{rotated[^4..]}");
        await Expect(keys.Row("Build server (prod)").GetByTestId("grace-ends")).ToContainTextAsync("Old secret works until");
        await ScreenshotAsync("11-regenerated");

        // Delete, after a confirmation that names the key.
        await keys.ClickRowActionAsync("Build server (prod)", "delete-key");
        var confirm = Page.GetByRole(AriaRole.Dialog);
        await Expect(confirm).ToContainTextAsync("Delete Build server (prod)?");
        await ScreenshotAsync("12-delete-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete key" }).ClickAsync();
        await Expect(keys.EmptyState).ToBeVisibleAsync();
        await ScreenshotAsync("13-deleted");

        // The account pages from the .NET template: two-factor authentication and passkeys.
        await Page.GetByRole(AriaRole.Link, new() { Name = Email }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Two-factor authentication" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Add authenticator app" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Set up an authenticator app" })).ToBeVisibleAsync();
        await ScreenshotAsync("14-two-factor");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Passkeys" }).ClickAsync();
        await ScreenshotAsync("15-passkeys");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Add a new passkey" })).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Back to API keys" }).ClickAsync();
        await keys.WaitUntilInteractiveAsync();

        await keys.SignOutAsync();
        await Expect(login.Heading).ToBeVisibleAsync();
        // After sign-out the dashboard is out of reach.
        await Page.GotoAsync("/keys");
        await Expect(Page).ToHaveURLAsync(new Regex("/Account/Login"));
        AssertNoContentSecurityPolicyViolations();
    }
}
