using Bunit;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.SupportDesk;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.SupportDesk;

public sealed class LeakedKeyPageTests : DashboardContext
{
    private IRenderedComponent<Bunit.Rendering.ContainerFragment> Open()
    {
        var page = RenderWithProviders<LeakedKeyPage>();
        page.WaitForElement("[data-testid=leaked-secret]");
        return page;
    }

    private static void Check(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string pasted)
    {
        page.Find("[data-testid=leaked-secret]").Input(pasted);
        page.Find("form.leaked-form").Submit();
    }

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().OrderBy(a => a.Seq).ToListAsync();
    }

    [Fact]
    public async Task A_pasted_secret_shows_its_key_and_is_gone_from_the_field_and_the_page()
    {
        var issued = await Keys.CreateAsync(new KeyDraft("Billing", false, ["10.0.0.0/8"], null), Admin);
        var focus = JSInterop.Setup<bool>("keysDashboard.focus", _ => true).SetResult(true);
        var page = Open();

        Check(page, issued.Secret);

        page.WaitForElement("[data-testid=leaked-result]");
        Assert.Equal("Billing", page.Find("[data-testid=leaked-name]").TextContent);
        Assert.Equal("Enabled", page.Find("[data-testid=leaked-status]").TextContent);
        Assert.Equal(issued.Key.Masked, page.Find("[data-testid=leaked-masked]").TextContent);
        Assert.Contains("owner@example.com", page.Find("[data-testid=leaked-created-by]").TextContent);
        Assert.Equal("Never", page.Find("[data-testid=leaked-last-used]").TextContent.Trim());
        Assert.Equal("10.0.0.0/8", page.Find("[data-testid=leaked-ips]").TextContent);
        Assert.NotEmpty(page.Find("[data-testid=leaked-scopes]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=leaked-grace]"));
        Assert.True(string.IsNullOrEmpty(page.Find("[data-testid=leaked-secret]").GetAttribute("value")));
        Assert.DoesNotContain(issued.Secret, page.Markup);
        Assert.Equal("off", page.Find("[data-testid=leaked-secret]").GetAttribute("autocomplete"));
        Assert.Equal("false", page.Find("[data-testid=leaked-secret]").GetAttribute("spellcheck"));
        page.WaitForAssertion(() => Assert.Contains(focus.Invocations, i => ((string[])i.Arguments[0]!)[0] == "leaked-result-heading"));
        Assert.DoesNotContain(await AuditAsync(), a => (a.Details ?? "").Contains(issued.Secret));
    }

    [Theory]
    [InlineData("hello world", "This is not a KeysDashboard key.")]
    [InlineData("mistyped", "This looks mistyped: the checksum does not match.")]
    [InlineData("unknown", "No key has this secret (deleted, or replaced by a regenerate).")]
    public void Each_kind_of_miss_says_what_it_is(string kind, string expected)
    {
        var secret = KeySecret.Generate("kd_");
        var pasted = kind switch
        {
            "mistyped" => secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'),
            "unknown" => secret,
            _ => kind,
        };
        var page = Open();

        Check(page, pasted);

        page.WaitForAssertion(() => Assert.Equal(expected, page.Find("[data-testid=leaked-outcome]").TextContent));
        Assert.Equal("status", page.Find("[data-testid=leaked-outcome]").GetAttribute("role"));
        Assert.Empty(page.FindAll("[data-testid=leaked-result]"));
        Assert.DoesNotContain(pasted, page.Markup);
    }

    [Fact]
    public async Task An_old_secret_in_its_grace_period_finds_the_key_and_says_so()
    {
        var issued = await Keys.CreateAsync(new KeyDraft("Rotated", false, [], null), Admin);
        await Keys.RegenerateAsync(issued.Key.Id, TimeSpan.FromHours(2), Admin);
        var page = Open();

        Check(page, issued.Secret);

        page.WaitForElement("[data-testid=leaked-grace]");
        Assert.Equal("Rotated", page.Find("[data-testid=leaked-name]").TextContent);
    }

    [Fact]
    public async Task Support_disables_the_key_with_a_reason_that_goes_to_the_audit_log()
    {
        await UseRoleAsync(AccessTable.SupportRole);
        var issued = await Keys.CreateAsync(new KeyDraft("Billing", false, [], null), Admin);
        var page = Open();
        Check(page, issued.Secret);

        page.WaitForElement("[data-testid=leaked-disable]").Click();
        page.WaitForElement("[data-testid=disable-reason]").Input("Posted in a public gist");
        page.Find("[data-testid=disable-confirm]").Click();

        page.WaitForElement("[data-testid=leaked-disabled]");
        Assert.Equal("Disabled", page.Find("[data-testid=leaked-status]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=leaked-disable]"));
        Assert.False(Assert.Single(await StoredKeysAsync()).Enabled);
        var disabled = Assert.Single(await AuditAsync(), a => a.Action == AuditActions.KeyDisabled);
        Assert.Equal("Posted in a public gist", disabled.Reason);
        Assert.Equal(Admin.Id, disabled.ActorId);
    }

    [Fact]
    public async Task Disable_without_a_reason_does_nothing()
    {
        var issued = await Keys.CreateAsync(new KeyDraft("Billing", false, [], null), Admin);
        var page = Open();
        Check(page, issued.Secret);

        page.WaitForElement("[data-testid=leaked-disable]").Click();
        page.WaitForElement("[data-testid=disable-confirm]").Click();

        Assert.NotEmpty(page.FindAll("[data-testid=disable-reason]"));
        Assert.True(Assert.Single(await StoredKeysAsync()).Enabled);
    }

    [Fact]
    public async Task An_auditor_gets_no_access_and_the_refusal_is_audited()
    {
        await UseRoleAsync(AccessTable.AuditorRole);

        var page = RenderWithProviders<LeakedKeyPage>();

        page.WaitForElement("[data-testid=no-access]");
        Assert.Empty(page.FindAll("[data-testid=leaked-secret]"));
        Assert.Contains(await AuditAsync(), a => a.Action == AuditActions.AccessRefused);
    }

    [Fact]
    public async Task Checking_an_empty_field_asks_for_the_secret_and_looks_nothing_up()
    {
        var page = Open();

        Check(page, "   ");

        page.WaitForAssertion(() => Assert.Contains("Paste the secret first.", page.Markup));
        Assert.DoesNotContain(await AuditAsync(), a => a.Action == AuditActions.KeyLookedUp);
    }

    [Fact]
    public void The_rule_downloads_are_plain_links_the_router_leaves_alone()
    {
        var page = Open();

        var regex = page.Find("[data-testid=download-regex]");
        var gitleaks = page.Find("[data-testid=download-gitleaks]");

        Assert.Equal("secret-scanning/rules/regex.txt", regex.GetAttribute("href"));
        Assert.Equal("secret-scanning/rules/gitleaks.toml", gitleaks.GetAttribute("href"));
        Assert.NotNull(regex.GetAttribute("download"));
        Assert.NotNull(gitleaks.GetAttribute("download"));
    }
}
