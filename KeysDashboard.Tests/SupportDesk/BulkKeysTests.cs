using Bunit;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Dashboard;
using KeysDashboard.SupportDesk;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.SupportDesk;

/// <summary>Bulk disable and delete on the keys page: select or describe, see the dry run, confirm once with a reason.</summary>
public sealed class BulkKeysTests : DashboardContext
{
    public BulkKeysTests() => Services.AddScoped<KeySelection>();

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().OrderBy(a => a.Seq).ToListAsync();
    }

    private async Task SetLastUsedAsync(string id, string ip, DateTime at)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedIp, ip).SetProperty(k => k.LastUsedAt, at));
    }

    private async Task<IssuedKey> CreateAsync(string name) => await Keys.CreateAsync(new KeyDraft(name, false, [], null), Admin);

    [Fact]
    public async Task Selected_keys_are_disabled_after_a_dry_run_with_one_reason_each_audited()
    {
        var a = await CreateAsync("Alpha");
        var b = await CreateAsync("Bravo");
        var c = await CreateAsync("Charlie");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=select-key]").Count));
        Assert.Empty(page.FindAll("[data-testid=bulk-bar]"));

        page.Find($"#select-{a.Key.Id}").Change(true);
        page.Find($"#select-{c.Key.Id}").Change(true);

        Assert.Equal("2", page.Find("[data-testid=bulk-count]").TextContent);
        page.Find("[data-testid=bulk-disable]").Click();
        page.WaitForElement("[data-testid=bulk-confirm-dialog]");
        Assert.Equal("2", page.Find("[data-testid=bulk-preview-count]").TextContent);
        var listed = page.Find("[data-testid=bulk-preview-list]").TextContent;
        Assert.Contains("Alpha", listed);
        Assert.Contains("Charlie", listed);
        Assert.DoesNotContain("Bravo", listed);

        // No reason, nothing happens.
        page.Find("[data-testid=bulk-confirm]").Click();
        Assert.All(await StoredKeysAsync(), k => Assert.True(k.Enabled));

        page.Find("[data-testid=bulk-reason]").Input("Contractor left");
        page.Find("[data-testid=bulk-confirm]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=bulk-bar]")));
        var stored = await StoredKeysAsync();
        Assert.False(stored.Single(k => k.Id == a.Key.Id).Enabled);
        Assert.True(stored.Single(k => k.Id == b.Key.Id).Enabled);
        Assert.False(stored.Single(k => k.Id == c.Key.Id).Enabled);
        var rows = (await AuditAsync()).Where(r => r.Action == AuditActions.KeyDisabled).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("Contractor left", r.Reason));
    }

    [Fact]
    public async Task Select_all_on_page_selects_the_rows_in_view_and_clear_empties_it()
    {
        await CreateAsync("Alpha");
        await CreateAsync("Bravo");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=key-row]");
        page.Find("[data-testid=select-page]").Change(true);

        Assert.Equal("2", page.Find("[data-testid=bulk-count]").TextContent);
        Assert.All(page.FindAll("[data-testid=select-key]"), box => Assert.True(box.HasAttribute("checked")));

        page.Find("[data-testid=bulk-clear]").Click();

        Assert.Empty(page.FindAll("[data-testid=bulk-bar]"));
    }

    [Fact]
    public async Task Cancelling_the_dry_run_changes_nothing()
    {
        var a = await CreateAsync("Alpha");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=key-row]");
        page.Find($"#select-{a.Key.Id}").Change(true);
        page.WaitForElement("[data-testid=bulk-delete]").Click();
        page.WaitForElement("[data-testid=bulk-reason]");

        page.WaitForElement("[data-testid=bulk-confirm-dialog] .mud-dialog-actions button:first-child, .mud-dialog-actions button:first-child").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=bulk-confirm-dialog]")));
        Assert.Single(await StoredKeysAsync());
        Assert.Equal("1", page.Find("[data-testid=bulk-count]").TextContent);
    }

    [Fact]
    public async Task An_admin_deletes_in_bulk()
    {
        var a = await CreateAsync("Alpha");
        var b = await CreateAsync("Bravo");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=key-row]");
        page.Find("[data-testid=select-page]").Change(true);

        page.Find("[data-testid=bulk-delete]").Click();
        page.WaitForElement("[data-testid=bulk-reason]").Input("Old test keys");
        page.Find("[data-testid=bulk-confirm]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=key-row]")));
        Assert.Empty(await StoredKeysAsync());
        Assert.Equal(2, (await AuditAsync()).Count(r => r.Action == AuditActions.KeyDeleted && r.Reason == "Old test keys"));
        Assert.NotNull(a);
        Assert.NotNull(b);
    }

    [Fact]
    public async Task Support_can_bulk_disable_but_sees_no_bulk_delete()
    {
        await UseRoleAsync(AccessTable.SupportRole);
        var a = await CreateAsync("Alpha");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=key-row]");

        page.Find($"#select-{a.Key.Id}").Change(true);

        Assert.NotNull(page.Find("[data-testid=bulk-disable]"));
        Assert.Empty(page.FindAll("[data-testid=bulk-delete]"));
        Assert.NotNull(page.Find("[data-testid=bulk-describe]"));
    }

    [Fact]
    public async Task An_auditor_gets_no_selection_at_all_but_the_history_link()
    {
        await UseRoleAsync(AccessTable.AuditorRole);
        var a = await CreateAsync("Alpha");
        var page = RenderWithProviders<KeysPage>();

        page.WaitForElement("[data-testid=key-row]");

        Assert.Empty(page.FindAll("[data-testid=select-key]"));
        Assert.Empty(page.FindAll("[data-testid=select-page]"));
        Assert.Empty(page.FindAll("[data-testid=bulk-describe]"));
        Assert.Equal($"audit?key={a.Key.Id}", page.Find("[data-testid=key-history]").GetAttribute("href"));
    }

    [Fact]
    public async Task Describing_keys_by_address_range_selects_those_last_used_from_it_then_the_dry_run_lists_them()
    {
        var inside = await CreateAsync("Office A");
        var alsoInside = await CreateAsync("Office B");
        var outside = await CreateAsync("Elsewhere");
        var never = await CreateAsync("Never used");
        await SetLastUsedAsync(inside.Key.Id, "10.1.2.3", DateTime.UtcNow);
        await SetLastUsedAsync(alsoInside.Key.Id, "10.200.0.1", DateTime.UtcNow);
        await SetLastUsedAsync(outside.Key.Id, "192.0.2.1", DateTime.UtcNow);
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=key-row]");

        page.Find("[data-testid=bulk-describe]").Click();
        page.WaitForElement("[data-testid=bulk-used-from]").Change("10.0.0.0/8");
        page.Find("[data-testid=bulk-preview]").Click();

        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid=bulk-count]").TextContent));
        page.Find("[data-testid=bulk-disable]").Click();
        var listed = page.WaitForElement("[data-testid=bulk-preview-list]").TextContent;
        Assert.Contains("Office A", listed);
        Assert.Contains("Office B", listed);
        Assert.DoesNotContain("Elsewhere", listed);
        Assert.DoesNotContain("Never used", listed);
        Assert.NotNull(never);
    }

    [Fact]
    public void A_bad_address_range_is_explained_in_the_dialog()
    {
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=bulk-describe]").Click();

        page.WaitForElement("[data-testid=bulk-used-from]").Change("10.0.0.1/8");
        page.Find("[data-testid=bulk-preview]").Click();

        page.WaitForAssertion(() => Assert.Contains("did you mean 10.0.0.0/8", page.Find("[data-testid=bulk-describe-dialog]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=bulk-bar]"));
    }

    [Fact]
    public async Task The_dry_run_names_the_first_fifty_and_counts_the_rest()
    {
        for (var i = 0; i < 53; i++)
        {
            await CreateAsync($"Bulk {i:D2}");
        }
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=key-row]");
        page.Find("[data-testid=bulk-describe]").Click();
        page.WaitForElement("[data-testid=bulk-created-by]").Change("OWNER@example");
        page.Find("[data-testid=bulk-preview]").Click();
        page.WaitForAssertion(() => Assert.Equal("53", page.Find("[data-testid=bulk-count]").TextContent));

        page.Find("[data-testid=bulk-disable]").Click();

        var list = page.WaitForElement("[data-testid=bulk-preview-list]");
        Assert.Equal(51, list.QuerySelectorAll("li").Length);
        Assert.Contains("and 3 more", list.TextContent);
        Assert.Equal("53", page.Find("[data-testid=bulk-preview-count]").TextContent);
    }
}

/// <summary>The description query on its own, against the real database.</summary>
public sealed class KeySelectionTests : DashboardContext
{
    public KeySelectionTests() => Services.AddScoped<KeySelection>();

    private KeySelection Selection => Services.GetRequiredService<KeySelection>();

    private async Task SetAsync(string id, string? ip, DateTime? usedAt, DateTime? createdAt = null)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedIp, ip).SetProperty(k => k.LastUsedAt, usedAt));
        if (createdAt is { } created)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"UPDATE ApiKeys SET CreatedAt = {created} WHERE Id = {id}");
        }
    }

    [Fact]
    public async Task Unused_for_days_counts_never_used_keys_from_their_creation()
    {
        var old = await Keys.CreateAsync(new KeyDraft("Old unused", false, [], null), Admin);
        var fresh = await Keys.CreateAsync(new KeyDraft("New unused", false, [], null), Admin);
        var active = await Keys.CreateAsync(new KeyDraft("Active", false, [], null), Admin);
        var stale = await Keys.CreateAsync(new KeyDraft("Stale", false, [], null), Admin);
        await SetAsync(old.Key.Id, null, null, DateTime.UtcNow.AddDays(-100));
        await SetAsync(active.Key.Id, "192.0.2.1", DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(-100));
        await SetAsync(stale.Key.Id, "192.0.2.1", DateTime.UtcNow.AddDays(-60), DateTime.UtcNow.AddDays(-100));

        var found = await Selection.DescribeAsync(new KeyDescription(null, null, 30), Admin);

        Assert.Equal(["Old unused", "Stale"], found.Select(k => k.Name));
        Assert.NotNull(fresh);
    }

    [Fact]
    public async Task Created_by_takes_wildcards_literally_and_ignores_case()
    {
        await Keys.CreateAsync(new KeyDraft("Mine", false, [], null), Admin);

        Assert.Single(await Selection.DescribeAsync(new KeyDescription("OWNER@", null, null), Admin));
        Assert.Empty(await Selection.DescribeAsync(new KeyDescription("%", null, null), Admin));
        Assert.Empty(await Selection.DescribeAsync(new KeyDescription("owner_example", null, null), Admin));
    }

    [Fact]
    public async Task IPv6_ranges_and_mapped_addresses_match_as_allowlists_do()
    {
        var v6 = await Keys.CreateAsync(new KeyDraft("V6", false, [], null), Admin);
        var mapped = await Keys.CreateAsync(new KeyDraft("Mapped", false, [], null), Admin);
        await SetAsync(v6.Key.Id, "2001:db8::5", DateTime.UtcNow);
        await SetAsync(mapped.Key.Id, "::ffff:10.0.0.9", DateTime.UtcNow);

        Assert.Equal(["V6"], (await Selection.DescribeAsync(new KeyDescription(null, "2001:db8::/32", null), Admin)).Select(k => k.Name));
        Assert.Equal(["Mapped"], (await Selection.DescribeAsync(new KeyDescription(null, "10.0.0.0/8", null), Admin)).Select(k => k.Name));
    }

    [Fact]
    public async Task An_empty_description_or_a_bad_one_is_a_clear_error()
    {
        var empty = await Assert.ThrowsAsync<KeyValidationException>(() => Selection.DescribeAsync(new KeyDescription(" ", "", null), Admin));
        var negative = await Assert.ThrowsAsync<KeyValidationException>(() => Selection.DescribeAsync(new KeyDescription(null, null, -1), Admin));
        var badIp = await Assert.ThrowsAsync<KeyValidationException>(() => Selection.DescribeAsync(new KeyDescription(null, "010.0.0.1", null), Admin));

        Assert.Contains("description", empty.Errors.Keys);
        Assert.Contains("unused_for_days", negative.Errors.Keys);
        Assert.Contains("used_from", badIp.Errors.Keys);
    }

    [Fact]
    public async Task Someone_without_keys_view_is_refused()
    {
        var nobody = Actor.Person("user-2", "x@example.com", null, null);

        await Assert.ThrowsAsync<AccessDeniedException>(() => Selection.DescribeAsync(new KeyDescription("x", null, null), nobody));
    }
}
