using Bunit;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Dashboard;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Keys.Dashboard;

public sealed class KeysPageTests : DashboardContext
{
    public KeysPageTests() => Services.AddScoped<KeysDashboard.Components.Shared.ViewerTimeZone>();

    [Fact]
    public void With_no_keys_the_page_tells_a_new_admin_what_to_do()
    {
        var page = RenderWithProviders<KeysPage>();

        page.WaitForAssertion(() => Assert.Contains("No API keys yet", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Contains("Create your first key", page.Markup);
    }

    [Fact]
    public async Task The_grid_shows_each_key_masked_with_access_allowlist_and_status_and_never_a_secret()
    {
        var open = await Keys.CreateAsync(new KeyDraft("Billing", false, [], null), Admin);
        var locked = await Keys.CreateAsync(new KeyDraft("Reporting", true, ["10.0.0.0/8", "2001:db8::/32"], null), Admin);
        await Keys.SetEnabledAsync(locked.Key.Id, false, Admin);

        var page = RenderWithProviders<KeysPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=key-name-cell]").Count));
        var masked = page.FindAll("[data-testid=masked-key]").Select(e => e.TextContent).ToList();
        Assert.Contains($"kd_...{open.Secret[^4..]}", masked);
        Assert.Contains($"kd_...{locked.Secret[^4..]}", masked);
        var reporting = page.FindAll("tr").Single(r => r.TextContent.Contains("Reporting"));
        // Part 1's read-only key: reads the protected API, reads keys here, verifies others; each scope a chip.
        Assert.Equal(["read", "verify", "keys:read"], reporting.QuerySelectorAll("[data-testid=key-scopes] .mud-chip").Select(c => c.TextContent.Trim()));
        Assert.Contains("10.0.0.0/8", reporting.TextContent);
        Assert.Contains("2001:db8::/32", reporting.TextContent);
        Assert.Equal("Disabled", reporting.QuerySelector("[data-testid=key-status]")!.TextContent.Trim());
        var billing = page.FindAll("tr").Single(r => r.TextContent.Contains("Billing"));
        Assert.Equal(["write", "verify", "keys:manage"], billing.QuerySelectorAll("[data-testid=key-scopes] .mud-chip").Select(c => c.TextContent.Trim()));
        Assert.Contains("Any IP", billing.TextContent);
        Assert.DoesNotContain(open.Secret, page.Markup);
        Assert.DoesNotContain(locked.Secret, page.Markup);
    }

    [Fact]
    public async Task Create_shows_the_secret_once_and_after_closing_only_the_masked_key_remains()
    {
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=empty-state]");

        page.Find("[data-testid=create-key]").Click();
        page.WaitForElement("[data-testid=key-name]").Input("Deploy bot");
        page.Find("[data-testid=key-ips]").Input("203.0.113.7");
        await page.Find("[data-testid=key-save]").ClickAsync(new());

        var secretField = page.WaitForElement("[data-testid=secret-value]");
        var secret = secretField.GetAttribute("value")!;
        var stored = Assert.Single(await StoredKeysAsync());
        Assert.Equal(KeySecret.Hash(secret), stored.KeyHash);
        Assert.Equal(["203.0.113.7"], stored.Ips);
        Assert.Contains("will not be shown again", page.Markup);

        page.Find("[data-testid=reveal-done]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=reveal-dialog]")));
        page.WaitForAssertion(() => Assert.Equal($"kd_...{secret[^4..]}", page.Find("[data-testid=masked-key]").TextContent));
        Assert.DoesNotContain(secret, page.Markup);
    }

    [Fact]
    public async Task A_double_click_on_create_makes_one_key()
    {
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=empty-state]");
        page.Find("[data-testid=create-key]").Click();
        page.WaitForElement("[data-testid=key-name]").Input("Clicked twice");

        KeyWrites.Close();
        var first = page.Find("[data-testid=key-save]").ClickAsync(new());
        await KeyWrites.Reached.WaitAsync(Xunit.TestContext.Current.CancellationToken);
        // The first click's key is on its way to the database, held there: now the second click.
        var second = page.Find("[data-testid=key-save]").ClickAsync(new());
        KeyWrites.Open();
        await Task.WhenAll(first, second);

        page.WaitForElement("[data-testid=reveal-dialog]");
        Assert.Single(await StoredKeysAsync());
    }

    [Fact]
    public async Task Bad_input_in_the_create_dialog_names_the_problem_and_saves_nothing()
    {
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=empty-state]");
        page.Find("[data-testid=create-key]").Click();
        page.WaitForElement("[data-testid=key-name]");

        page.Find("[data-testid=key-ips]").Input("192.0.2.1\n10.0.0.1/8\nnot-an-ip");
        await page.Find("[data-testid=key-save]").ClickAsync(new());

        page.WaitForAssertion(() =>
        {
            var dialog = page.Find("[data-testid=key-form-dialog]").TextContent;
            Assert.Contains("Name is required.", dialog);
            Assert.Contains("'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?", dialog);
            Assert.Contains("'not-an-ip' is not a valid IP address or CIDR network.", dialog);
        });
        Assert.NotEmpty(page.FindAll("[data-testid=key-form-dialog]"));
        Assert.Empty(await StoredKeysAsync());
    }

    [Fact]
    public async Task Disable_and_enable_change_the_status_in_the_grid()
    {
        await Keys.CreateAsync(new KeyDraft("Toggle me", false, [], null), Admin);
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=disable-key]");

        await page.Find("[data-testid=disable-key]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Disabled", page.Find("[data-testid=key-status]").TextContent.Trim()));
        Assert.False(Assert.Single(await StoredKeysAsync()).Enabled);

        await page.Find("[data-testid=enable-key]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Enabled", page.Find("[data-testid=key-status]").TextContent.Trim()));
        Assert.True(Assert.Single(await StoredKeysAsync()).Enabled);
    }

    [Fact]
    public async Task Delete_asks_for_confirmation_naming_the_key_and_cancel_keeps_it()
    {
        await Keys.CreateAsync(new KeyDraft("Keep or delete", false, [], null), Admin);
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=delete-key]");

        page.Find("[data-testid=delete-key]").Click();
        page.WaitForAssertion(() => Assert.Contains("Delete Keep or delete?", page.Markup));
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());

        Assert.Single(await StoredKeysAsync());

        page.Find("[data-testid=delete-key]").Click();
        page.WaitForAssertion(() => Assert.Contains("Delete Keep or delete?", page.Markup));
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Delete key").ClickAsync(new());

        page.WaitForElement("[data-testid=empty-state]");
        Assert.Empty(await StoredKeysAsync());
    }

    [Fact]
    public async Task Regenerate_with_a_grace_period_reveals_a_new_secret_and_shows_when_the_old_one_stops()
    {
        var original = await Keys.CreateAsync(new KeyDraft("Rotating", false, [], null), Admin);
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=regenerate-key]");

        page.Find("[data-testid=regenerate-key]").Click();
        page.WaitForAssertion(() => Assert.Contains("Regenerate Rotating?", page.Markup));
        page.Find("input[data-testid=grace-24h]").Click();
        await page.Find("[data-testid=regenerate-confirm]").ClickAsync(new());

        var secret = page.WaitForElement("[data-testid=secret-value]").GetAttribute("value")!;
        Assert.NotEqual(original.Secret, secret);
        var stored = Assert.Single(await StoredKeysAsync());
        Assert.Equal(KeySecret.Hash(secret), stored.KeyHash);
        Assert.Equal(KeySecret.Hash(original.Secret), stored.PreviousKeyHash);
        Assert.InRange(stored.PreviousKeyExpiresAt!.Value - DateTime.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));

        page.Find("[data-testid=reveal-done]").Click();
        page.WaitForAssertion(() => Assert.Contains("Old secret works until", page.Find("[data-testid=grace-ends]").TextContent));
    }

    [Fact]
    public async Task A_double_click_on_regenerate_makes_one_rotation()
    {
        var original = await Keys.CreateAsync(new KeyDraft("Once", false, [], null), Admin);
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=regenerate-key]");
        page.Find("[data-testid=regenerate-key]").Click();
        page.WaitForElement("[data-testid=regenerate-confirm]");

        KeyWrites.Close();
        var first = page.Find("[data-testid=regenerate-confirm]").ClickAsync(new());
        await KeyWrites.Reached.WaitAsync(Xunit.TestContext.Current.CancellationToken);

        // While the rotation is held on its way to the database, a second click has nothing to land on: the
        // dialog closed on the first...
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=regenerate-confirm]")));
        // ...and the row's actions are disabled.
        page.WaitForAssertion(() => Assert.True(page.Find("[data-testid=regenerate-key]").HasAttribute("disabled")));
        KeyWrites.Open();
        await first;
        var secret = page.WaitForElement("[data-testid=secret-value]", TimeSpan.FromSeconds(5)).GetAttribute("value")!;

        var stored = Assert.Single(await StoredKeysAsync());
        Assert.Equal(KeySecret.Hash(secret), stored.KeyHash);
        Assert.NotEqual(KeySecret.Hash(original.Secret), stored.KeyHash);
        await using var db = await Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<KeysDashboard.Data.ApplicationDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.AuditEntries, e => e.Action == "key.regenerated"));
    }

    [Fact]
    public async Task Saving_an_edit_that_leaves_the_expiry_alone_keeps_its_exact_time_of_day()
    {
        var expires = new DateTime(DateTime.UtcNow.Year + 1, 3, 14, 15, 9, 26, DateTimeKind.Utc);
        var key = await Keys.CreateAsync(new KeyDraft("Timed", false, ["10.0.0.0/8"], expires), Admin);
        var page = RenderWithProviders<KeysPage>();

        OpenEdit(page);
        page.Find("[data-testid=key-name]").Input("Timed v2");
        await page.Find("[data-testid=key-save]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=key-form-dialog]")));
        var stored = Assert.Single(await StoredKeysAsync());
        Assert.Equal("Timed v2", stored.Name);
        Assert.Equal(expires, stored.ExpiresAt);
        Assert.Equal(["10.0.0.0/8"], stored.Ips);
        Assert.Equal(key.Key.Version + 1, stored.Version);
    }

    [Fact]
    public async Task A_change_made_elsewhere_while_the_edit_dialog_is_open_is_shown_and_not_overwritten()
    {
        var key = await Keys.CreateAsync(new KeyDraft("Shared", false, ["10.0.0.0/8"], null), Admin);
        var page = RenderWithProviders<KeysPage>();
        OpenEdit(page);

        // Someone narrows the allowlist through the API while this admin renames the key.
        await Keys.UpdateAsync(key.Key.Id, new KeyChanges(Ips: ["10.1.0.0/16"]), Admin);
        page.Find("[data-testid=key-name]").Input("Shared renamed");
        await page.Find("[data-testid=key-save]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("This key changed since you opened it", page.Find("[data-testid=key-conflict]").TextContent));
        var stored = Assert.Single(await StoredKeysAsync());
        Assert.Equal("Shared", stored.Name);
        Assert.Equal(["10.1.0.0/16"], stored.Ips);

        await page.Find("[data-testid=key-conflict-reload]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=key-conflict]")));
        Assert.Equal("10.1.0.0/16", page.Find("textarea[data-testid=key-ips], [data-testid=key-ips] textarea").TextContent.Trim());
        Assert.Equal("Shared", page.Find("input[data-testid=key-name], [data-testid=key-name] input").GetAttribute("value"));
    }

    [Fact]
    public async Task Overwrite_after_a_conflict_saves_only_the_fields_this_admin_changed()
    {
        var key = await Keys.CreateAsync(new KeyDraft("Shared", false, ["10.0.0.0/8"], null), Admin);
        var page = RenderWithProviders<KeysPage>();
        OpenEdit(page);
        await Keys.UpdateAsync(key.Key.Id, new KeyChanges(Ips: ["10.1.0.0/16"]), Admin);
        page.Find("[data-testid=key-name]").Input("Mine");
        await page.Find("[data-testid=key-save]").ClickAsync(new());
        page.WaitForElement("[data-testid=key-conflict]");

        await page.Find("[data-testid=key-conflict-overwrite]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=key-form-dialog]")));
        var stored = Assert.Single(await StoredKeysAsync());
        Assert.Equal("Mine", stored.Name);
        Assert.Equal(["10.1.0.0/16"], stored.Ips);
    }

    [Fact]
    public async Task After_disable_and_enable_focus_goes_to_the_same_keys_new_button_not_the_page()
    {
        var key = await Keys.CreateAsync(new KeyDraft("Focus me", false, [], null), Admin);
        await Keys.CreateAsync(new KeyDraft("Another", false, [], null), Admin);
        var focus = JSInterop.Setup<bool>("keysDashboard.focus", _ => true).SetResult(true);
        var page = RenderWithProviders<KeysPage>();
        var row = page.WaitForElement($"#key-{key.Key.Id}");

        await row.QuerySelector("[data-testid=disable-key]")!.ClickAsync(new());

        page.WaitForAssertion(() => Assert.NotNull(page.Find($"#key-{key.Key.Id} [data-testid=enable-key]")));
        page.WaitForAssertion(() => Assert.Equal($"toggle-{key.Key.Id}", FocusTargets(focus)[^1][0]));
        Assert.Equal($"toggle-{key.Key.Id}", page.Find($"#key-{key.Key.Id} [data-testid=enable-key]").Id);
    }

    [Fact]
    public async Task Closing_a_dialog_gives_focus_back_to_the_button_that_opened_it_or_its_row()
    {
        var key = await Keys.CreateAsync(new KeyDraft("Opener", false, [], null), Admin);
        var focus = JSInterop.Setup<bool>("keysDashboard.focus", _ => true).SetResult(true);
        var page = RenderWithProviders<KeysPage>();

        OpenEdit(page);
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal([$"edit-{key.Key.Id}", $"key-{key.Key.Id}"], FocusTargets(focus)[^1][..2]));
        Assert.Equal($"edit-{key.Key.Id}", page.Find("[data-testid=edit-key]").Id);

        page.Find("[data-testid=delete-key]").Click();
        page.WaitForAssertion(() => Assert.Contains("Delete Opener?", page.Markup));
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Delete key").ClickAsync(new());

        // The row went with the key: the page's heading or Create button takes focus instead of nothing.
        page.WaitForElement("[data-testid=empty-state]");
        page.WaitForAssertion(() => Assert.Equal([$"delete-{key.Key.Id}", $"key-{key.Key.Id}", "create-key", "keys-heading"], FocusTargets(focus)[^1]));
        Assert.NotNull(page.Find("#keys-heading"));
    }

    [Fact]
    public async Task Times_are_shown_in_the_viewers_time_zone_with_utc_on_hover()
    {
        var expires = new DateTime(DateTime.UtcNow.Year + 1, 1, 15, 9, 30, 0, DateTimeKind.Utc);
        var timed = await Keys.CreateAsync(new KeyDraft("Timed", false, [], expires), Admin);
        JSInterop.Setup<string?>("keysDashboard.timeZone").SetResult("Asia/Tokyo");

        var page = RenderWithProviders<KeysPage>();

        page.WaitForAssertion(() =>
        {
            var time = page.Find($"#expires-{timed.Key.Id} time");
            Assert.Equal($"{expires:yyyy-MM-dd}T09:30:00Z", time.GetAttribute("datetime"));
            Assert.Equal($"{expires:yyyy-MM-dd} 09:30 UTC", time.GetAttribute("title"));
            Assert.Equal($"{expires:yyyy-MM-dd} 18:30", time.TextContent);
        });
        Assert.Single(JSInterop.Invocations["keysDashboard.timeZone"]);
    }

    [Fact]
    public async Task The_expand_button_says_whether_the_details_are_open_and_which_elements_it_controls()
    {
        var key = await Keys.CreateAsync(new KeyDraft("Phone card", true, ["10.0.0.0/8"], null), Admin);
        var page = RenderWithProviders<KeysPage>();
        var expand = page.WaitForElement("[data-testid=key-expand]");
        Assert.Equal("false", expand.GetAttribute("aria-expanded"));
        Assert.DoesNotContain("expanded", page.Find("[data-testid=key-row]").ClassList);

        expand.Click();

        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=key-expand]").GetAttribute("aria-expanded")));
        Assert.Contains("expanded", page.Find("[data-testid=key-row]").ClassList);
        var controlled = page.Find("[data-testid=key-expand]").GetAttribute("aria-controls")!.Split(' ');
        Assert.All(controlled, id => Assert.NotNull(page.Find($"#{id}")));
        Assert.NotNull(page.Find($"#actions-{key.Key.Id} [data-testid=edit-key]"));
        Assert.Contains("10.0.0.0/8", page.Find($"#ips-{key.Key.Id}").TextContent);
    }

    private static List<string[]> FocusTargets(JSRuntimeInvocationHandler<bool> focus) =>
        [.. focus.Invocations.Select(i => (string[])i.Arguments[0]!)];

    private static void OpenEdit(IRenderedComponent<Bunit.Rendering.ContainerFragment> page)
    {
        page.WaitForElement("[data-testid=edit-key]");
        // Not awaited: the page's handler waits for the dialog to close.
        page.Find("[data-testid=edit-key]").Click();
        page.WaitForElement("[data-testid=key-form-dialog]");
    }
}
