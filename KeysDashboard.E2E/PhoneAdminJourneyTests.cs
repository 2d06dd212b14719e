using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// The admin's day one (AdminJourneyTests) on a 360 px phone: every step through the key's life is reachable by touch
/// in a card, without sideways scrolling, and signing out works from the drawer. Screenshots: admin-360-NN-step.png.
/// </summary>
public sealed class PhoneAdminJourneyTests() : BrowserSession(Viewport.Phone360)
{
    [Fact]
    public async Task An_admin_on_a_phone_takes_a_key_through_its_whole_life()
    {
        var keys = new KeysPage(Page);
        var list = new KeyList(Page);
        var shot = 0;
        Task Screenshot(string step) => ScreenshotAsync($"admin-{Viewport.Name}-{++shot:00}-{step}");

        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await Screenshot("setup");
        await new SetupPage(Page).CreateOwnerAsync("owner@example.com", "correct horse battery");
        await keys.WaitUntilInteractiveAsync();
        await Expect(keys.EmptyState).ToBeVisibleAsync();
        await Screenshot("keys-empty");

        await keys.OpenCreateDialogAsync();
        await keys.FillKeyFormAsync(name: "Build server", ips: "203.0.113.7");
        await Screenshot("create-dialog");
        await keys.SaveKeyFormAsync();
        var (shown, copied) = await keys.CopySecretAsync();
        Assert.Equal(shown, copied);
        await Screenshot("reveal-secret");
        await keys.CloseRevealAsync();

        // The card shows name, masked key, status and the disable button without expanding (issue 7 contract).
        await list.ExpectKeyRowsAsync("Build server");
        var card = list.Row("Build server");
        await Expect(card.GetByTestId("masked-key")).ToHaveTextAsync($"kd_...{shown[^4..]}");
        await Expect(card.GetByTestId("masked-key")).ToBeInViewportAsync();
        await Expect(card.GetByTestId("key-status")).ToBeInViewportAsync();
        await Expect(card.GetByTestId("disable-key")).ToBeInViewportAsync();
        await Screenshot("card");

        await card.GetByTestId("disable-key").ClickAsync();
        await Expect(list.Status("Build server")).ToHaveTextAsync("Disabled");
        await card.GetByTestId("enable-key").ClickAsync();
        await Expect(list.Status("Build server")).ToHaveTextAsync("Enabled");

        await list.ClickActionAsync("Build server", "edit-key");
        await keys.FillKeyFormAsync(name: "Build server (prod)", scopes: ["read", "keys:read"]);
        await Screenshot("edit-dialog");
        await keys.SaveKeyFormAsync();
        await Expect(list.Row("Build server (prod)").GetByTestId("key-scopes")).ToHaveTextAsync(new Regex("^\\s*read\\s*keys:read\\s*$"));

        await list.ClickActionAsync("Build server (prod)", "regenerate-key");
        await Page.GetByTestId("grace-1h").ClickAsync();
        await Screenshot("regenerate-dialog");
        await Page.GetByTestId("regenerate-confirm").ClickAsync();
        await keys.CopySecretAsync();
        await keys.CloseRevealAsync();

        await list.ClickActionAsync("Build server (prod)", "delete-key");
        var confirm = Page.GetByRole(AriaRole.Dialog);
        await Expect(confirm).ToContainTextAsync("Delete Build server (prod)?");
        await Screenshot("delete-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete key" }).ClickAsync();
        await Expect(keys.EmptyState).ToBeVisibleAsync();

        // Sign out from the drawer: sign-out exists exactly once visibly at each width.
        var nav = new NavigationBar(Page);
        await nav.OpenDrawerAsync();
        await Screenshot("drawer");
        await Expect(Page.GetByTestId("sign-out").Filter(new() { Visible = true })).ToHaveCountAsync(1);
        await Page.GetByTestId("sign-out").Filter(new() { Visible = true }).ClickAsync();
        await Expect(new LoginPage(Page).Heading).ToBeVisibleAsync();
        AssertNoContentSecurityPolicyViolations();
    }
}
