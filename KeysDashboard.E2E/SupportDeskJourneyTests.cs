using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// Issue 8's support desk, end to end: the owner invites a Support person with a one-time set-password link; that
/// person sets a password, signs in, sees keys without the buttons Support may not use, pastes a leaked secret on
/// /leaked, disables the key with a reason, and the key stops working at once; /audit and its CSV show the reason.
/// Screenshots desk-WIDTH-NN-step.png land in artifacts/e2e at each width.
/// </summary>
public abstract class SupportDeskJourneyTests(Viewport viewport) : BrowserSession(viewport)
{
    private const string OwnerEmail = "owner@example.com";
    private const string OwnerPassword = "correct horse battery";
    private const string SupportEmail = "support.desk@example.com";
    private const string SupportPassword = "a long support passphrase";
    private const string LeakedName = "Customer 42 (leaked)";
    private const string Reason = "Posted in a public GitHub issue, ticket 4711";

    private int shot;

    private Task Screenshot(string step) => ScreenshotAsync($"desk-{Viewport.Name}-{++shot:00}-{step}");

    [Fact]
    public async Task Support_is_invited_signs_in_disables_a_leaked_key_with_a_reason_and_the_audit_log_shows_it()
    {
        var keys = new KeysPage(Page);
        var users = new UsersPage(Page);
        var leaked = new LeakedKeyPage(Page);
        var audit = new AuditPage(Page);

        // The owner sets up, and makes a key that may manage keys, to make the customer's key through the API.
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await new SetupPage(Page).CreateOwnerAsync(OwnerEmail, OwnerPassword);
        await keys.WaitUntilInteractiveAsync();
        await keys.OpenCreateDialogAsync();
        await keys.FillKeyFormAsync(name: "Owner automation");
        await Page.GetByTestId("scope-keys:manage").ClickAsync();
        await keys.SaveKeyFormAsync();
        var (managerSecret, _) = await keys.CopySecretAsync();
        await keys.CloseRevealAsync();
        string leakedSecret;
        using (var manager = new KeysApiClient(App.BaseUrl, managerSecret))
        {
            leakedSecret = await manager.CreateAsync(LeakedName);
            await manager.CreateAsync("Customer 43");
        }
        using var customer = new KeysApiClient(App.BaseUrl, leakedSecret);
        Assert.Equal(HttpStatusCode.OK, await customer.MeAsync());

        // The owner invites a Support person and copies the one-time link.
        await GoByNavAsync("nav-users", "/users");
        await Expect(users.Grid).ToBeVisibleAsync();
        await users.OpenInviteDialogAsync(SupportEmail, "Support");
        await Screenshot("invite-dialog");
        var link = await users.SaveInviteAndReadLinkAsync();
        await Screenshot("invite-link-dialog");
        await users.CloseLinkDialogAsync();
        await Expect(users.Row(SupportEmail).GetByTestId("user-role")).ToContainTextAsync("Support");
        await Expect(users.Row(OwnerEmail).GetByTestId("user-role")).ToContainTextAsync("Admin");
        Assert.DoesNotContain(link, await Page.ContentAsync());
        await Screenshot("users");
        await SignOutAsync();

        // The Support person opens the link, sets a password and signs in.
        await Page.GotoAsync(link);
        await new SetPasswordPage(Page).SetAsync(SupportPassword);
        await Expect(Page).ToHaveURLAsync(new Regex("/Account/Login"));
        await new LoginPage(Page).SignInAsync(SupportEmail, SupportPassword);
        await Expect(keys.Heading).ToBeVisibleAsync();
        await keys.WaitUntilInteractiveAsync();

        // Keys, without the buttons Support may not use; disable is there.
        await Expect(keys.Row(LeakedName)).ToBeVisibleAsync();
        foreach (var hidden in new[] { "create-key", "edit-key", "delete-key", "regenerate-key", "enable-key", "bulk-delete" })
        {
            await Expect(Page.GetByTestId(hidden)).ToHaveCountAsync(0);
        }
        await Expect(keys.Row(LeakedName).GetByTestId("disable-key")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("nav-users")).ToHaveCountAsync(0);
        await Screenshot("keys-as-support");

        // The leaked-key desk: paste, see the key, disable it with a reason.
        await GoByNavAsync("nav-leaked", "/leaked");
        await leaked.WaitUntilInteractiveAsync();
        await Expect(leaked.Input).ToHaveAttributeAsync("autocomplete", "off");
        await Screenshot("leaked-empty");
        await leaked.CheckAsync(leakedSecret);
        await Expect(leaked.Result).ToBeVisibleAsync();
        await Expect(leaked.Name).ToContainTextAsync(LeakedName);
        await Expect(leaked.Masked).ToContainTextAsync(leakedSecret[^4..]);
        await Expect(leaked.Input).ToHaveValueAsync("");
        Assert.DoesNotContain(leakedSecret, Page.Url);
        Assert.DoesNotContain(leakedSecret, await Page.ContentAsync());
        await Screenshot("leaked-found-before");
        await leaked.DisableAsync(Reason);
        await Expect(leaked.Disabled).ToBeVisibleAsync();
        Assert.DoesNotContain(leakedSecret, await Page.ContentAsync());
        await Screenshot("leaked-disabled-after");

        // The secret stops working at once.
        Assert.Equal(HttpStatusCode.Unauthorized, await customer.MeAsync());

        // The audit log shows who disabled it and why, and so does its CSV.
        await GoByNavAsync("nav-audit", "/audit");
        await Expect(audit.Grid).ToBeVisibleAsync();
        var row = audit.Row("key.disabled", LeakedName);
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("audit-reason")).ToContainTextAsync(Reason);
        await Expect(row.GetByTestId("audit-actor")).ToContainTextAsync(SupportEmail);
        await Expect(row.GetByTestId("audit-outcome")).ToContainTextAsync("success");
        await Screenshot("audit");
        var csv = await audit.DownloadCsvAsync();
        Assert.StartsWith("seq,time_utc,actor_kind,actor_id,actor_name,action,outcome,key_id,key_name,target_id,target_name,client_ip,request_id,reason,details,hash", csv);
        var disabledLine = Assert.Single(csv.Split('\n'), l => l.Contains("key.disabled") && l.Contains(LeakedName));
        Assert.Contains(Reason, disabledLine);
        Assert.Contains(SupportEmail, disabledLine);
        Assert.DoesNotContain(leakedSecret, csv);
        Assert.DoesNotContain(managerSecret, csv);

        AssertNoContentSecurityPolicyViolations();
    }

    /// <summary>Follows a nav link; below the md breakpoint the links are in the drawer.</summary>
    private async Task GoByNavAsync(string testId, string path)
    {
        var link = Page.GetByTestId(testId);
        if (!await link.IsVisibleAsync())
        {
            // On a phone the app bar's links are hidden; the drawer renders its own while open.
            await new NavigationBar(Page).OpenDrawerAsync();
            link = Page.GetByTestId("nav-drawer").GetByTestId(testId);
        }
        await link.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
        await new KeysPage(Page).WaitUntilInteractiveAsync();
    }

    private async Task SignOutAsync()
    {
        var signOut = Page.GetByTestId("sign-out");
        var nav = new NavigationBar(Page);
        if (!await signOut.IsVisibleAsync() && await nav.Toggle.IsVisibleAsync())
        {
            await nav.OpenDrawerAsync();
        }
        await signOut.ClickAsync();
        await Expect(new LoginPage(Page).Heading).ToBeVisibleAsync();
    }
}

public sealed class LaptopSupportDeskJourneyTests() : SupportDeskJourneyTests(Viewport.Laptop);

public sealed class Phone390SupportDeskJourneyTests() : SupportDeskJourneyTests(Viewport.Phone390);
