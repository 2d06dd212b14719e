using Bunit;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Audit.Dashboard;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Audit.Dashboard;

/// <summary>The audit page: filters live in the URL, a key's history opens from a link, Verify reports, refusals show.</summary>
public sealed class AuditPageTests : DashboardContext
{
    public AuditPageTests()
    {
        Services.AddSingleton<AuditChain>();
        Services.AddScoped<AuditLog>();
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private static List<string> Cells(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string cell) =>
        [.. page.FindAll($"[data-testid=audit-row] [data-testid={cell}]").Select(e => e.TextContent.Trim())];

    private async Task<(ApiKey First, ApiKey Second)> SeedAsync()
    {
        var first = (await Keys.CreateAsync(new KeyDraft("first", false, [], null), Admin)).Key;
        var second = (await Keys.CreateAsync(new KeyDraft("second", false, [], null), Admin)).Key;
        await Keys.SetEnabledAsync(first.Id, false, Admin, reason: "rotated out");
        return (first, second);
    }

    [Fact]
    public async Task A_keys_history_link_shows_only_that_keys_rows_newest_first()
    {
        var (first, _) = await SeedAsync();
        Navigation.NavigateTo($"audit?key={first.Id}");

        var page = RenderWithProviders<AuditPage>();

        page.WaitForAssertion(() => Assert.Equal([AuditActions.KeyDisabled, AuditActions.KeyCreated],
            Cells(page, "audit-action").Select(a => a.Split(' ', '\n')[0].Trim())));
        Assert.All(Cells(page, "audit-target"), t => Assert.Contains("first", t));
        Assert.Contains("rotated out", Cells(page, "audit-reason")[0]);
        Assert.All(Cells(page, "audit-actor"), a => Assert.Contains(Admin.Name, a));
        Assert.All(Cells(page, "audit-outcome"), o => Assert.Equal("success", o));
        Assert.Equal(first.Id, page.Find("input[data-testid=audit-filter-key]").GetAttribute("value"));
        Assert.Equal($"audit/export.csv?key={first.Id}", page.Find("[data-testid=audit-export]").GetAttribute("href"));
        Assert.NotNull(page.Find("[data-testid=audit-time] time[title$=UTC]"));
    }

    [Fact]
    public async Task Typing_a_filter_puts_it_in_the_url_and_the_export_link()
    {
        await SeedAsync();
        await UseRoleAsync(AccessTable.AuditorRole);
        Navigation.NavigateTo("audit");
        var page = RenderWithProviders<AuditPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=audit-row]").Count));

        page.Find("input[data-testid=audit-filter-actor]").Input("owner@");
        page.WaitForAssertion(() => Assert.Equal("http://localhost/audit?actor=owner@", Navigation.Uri));
        page.Find("input[data-testid=audit-filter-from]").Change("2020-01-31");
        page.WaitForAssertion(() => Assert.Equal("http://localhost/audit?actor=owner@&from=2020-01-31", Navigation.Uri));
        Assert.Equal("audit/export.csv?actor=owner@&from=2020-01-31", page.Find("[data-testid=audit-export]").GetAttribute("href"));
        Assert.Equal(3, page.FindAll("[data-testid=audit-row]").Count);

        page.Find("input[data-testid=audit-filter-to]").Change("2020-02-01");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=audit-empty]")));
        Assert.Equal("http://localhost/audit?actor=owner@&from=2020-01-31&to=2020-02-01", Navigation.Uri);
    }

    [Fact]
    public async Task Choosing_an_outcome_filters_and_a_link_with_nonsense_is_ignored()
    {
        await SeedAsync();
        await UseRoleAsync(null);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Keys.DeleteAsync("nothing", Actor.Person(Admin.Id, Admin.Name, null, null)));
        await UseRoleAsync(AccessTable.SupportRole);
        Navigation.NavigateTo("audit?outcome=maybe&from=yesterday&page=-3");
        var page = RenderWithProviders<AuditPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=audit-row]").Count));

        await ChooseAsync(page, "audit-filter-outcome", "refused");

        page.WaitForAssertion(() => Assert.Equal(["refused"], Cells(page, "audit-outcome")));
        Assert.Equal("http://localhost/audit?outcome=refused", Navigation.Uri);
        Assert.Contains(AuditActions.AccessRefused, Cells(page, "audit-action")[0]);
    }

    [Fact]
    public async Task Verify_integrity_reports_in_a_status_region_and_names_a_broken_row()
    {
        await SeedAsync();
        Navigation.NavigateTo("audit");
        var page = RenderWithProviders<AuditPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=audit-row]").Count));
        var result = page.Find("[data-testid=audit-verify-result]");
        Assert.Equal("status", result.GetAttribute("role"));

        page.Find("[data-testid=audit-verify]").Click();

        page.WaitForAssertion(() => Assert.Contains("intact: 3 rows", page.Find("[data-testid=audit-verify-result]").TextContent));
        // The check is itself a row, at the top.
        page.WaitForAssertion(() => Assert.Contains(AuditActions.AuditVerified, Cells(page, "audit-action")[0]));

        await using (var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE AuditEntries SET Reason = 'nothing to see' WHERE Seq = 3");
        }
        page.Find("[data-testid=audit-verify]").Click();
        page.WaitForAssertion(() => Assert.Contains("broken at seq 3", page.Find("[data-testid=audit-verify-result]").TextContent));
    }

    [Fact]
    public async Task A_person_without_audit_read_sees_no_access_and_no_rows()
    {
        await SeedAsync();
        await UseRoleAsync(null);
        Navigation.NavigateTo("audit");

        var page = RenderWithProviders<AuditPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-access]")));
        Assert.Empty(page.FindAll("[data-testid=audit-row]"));
        Assert.Empty(page.FindAll("[data-testid=audit-verify]"));
        Assert.Empty(page.FindAll("[data-testid=audit-export]"));
    }

    private static async Task ChooseAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string testId, string option)
    {
        var frame = page.Find($"[data-testid={testId}]");
        while (!frame.Attributes.Any(a => a.Name == "blazor:onmousedown"))
        {
            frame = frame.ParentElement!;
        }
        await frame.MouseDownAsync(new());
        var item = page.WaitForElements(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == option);
        await item.ClickAsync(new());
    }
}
