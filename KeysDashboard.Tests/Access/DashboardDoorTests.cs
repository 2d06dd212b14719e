using Bunit;
using KeysDashboard.Access;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Dashboard;
using KeysDashboard.Tests.Infrastructure;
using KeysDashboard.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Access;

/// <summary>
/// The matrix at the dashboard door: which buttons the keys page shows each role, and that the services refuse
/// the role whatever the page shows (a button clicked on a page rendered before a demotion, or the service called
/// as the signed-in person).
/// </summary>
public sealed class DashboardDoorTests : DashboardContext
{
    /// <summary>Each row action's button and the operation it starts.</summary>
    private static readonly (string TestId, KeyOperation Operation)[] Buttons =
    [
        ("create-key", KeyOperation.Create),
        ("edit-key", KeyOperation.Edit),
        ("regenerate-key", KeyOperation.Regenerate),
        ("delete-key", KeyOperation.Delete),
        ("disable-key", KeyOperation.Disable),
        ("enable-key", KeyOperation.Enable),
    ];

    public static TheoryData<string> Roles() => [.. ExpectedAccess.Roles];

    public static TheoryData<string, KeyOperation> Cells()
    {
        var cells = new TheoryData<string, KeyOperation>();
        foreach (var role in ExpectedAccess.Roles)
        {
            foreach (var operation in Enum.GetValues<KeyOperation>())
            {
                cells.Add(role, operation);
            }
        }
        return cells;
    }

    public static TheoryData<string, string> StaleClicks()
    {
        var cells = new TheoryData<string, string>();
        foreach (var role in new[] { "Support", "Auditor", "none" })
        {
            foreach (var button in new[] { "edit-key", "regenerate-key", "delete-key", "enable-key" })
            {
                cells.Add(role, button);
            }
        }
        return cells;
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task The_keys_page_shows_each_role_only_the_buttons_the_issue_gives_it(string role)
    {
        await Keys.CreateAsync(new KeyDraft("Switched on", false, [], null), Admin);
        var off = await Keys.CreateAsync(new KeyDraft("Switched off", false, [], null), Admin);
        await Keys.SetEnabledAsync(off.Key.Id, false, Admin);
        await UseRoleAsync(role == "none" ? null : role);

        var page = RenderWithProviders<KeysPage>();

        if (ExpectedAccess.RoleMay(role, KeyOperation.List))
        {
            page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=key-row]").Count));
        }
        else
        {
            // The contract: a page the role may not open says so, without an exception and without the keys.
            page.WaitForElement("[data-testid=no-access]");
            Assert.Empty(page.FindAll("[data-testid=key-row]"));
        }
        foreach (var (testId, operation) in Buttons)
        {
            var shown = page.FindAll($"[data-testid={testId}]").Count > 0;
            Assert.True(ExpectedAccess.RoleMay(role, operation) == shown,
                $"{role}: {testId} is {(shown ? "shown" : "hidden")}, the issue says it should be {(shown ? "hidden" : "shown")}.");
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task The_service_refuses_the_signed_in_person_what_their_role_may_not_do(string role, KeyOperation operation)
    {
        await UseRoleAsync(role == "none" ? null : role);
        var actor = await Services.GetRequiredService<DashboardActor>().GetAsync();
        Assert.Equal(role == "none" ? null : role, actor.Role);

        await MatrixCell.RunAsync(Services, actor, operation, ExpectedAccess.RoleMay(role, operation), ["read"], Admin);
    }

    [Theory]
    [MemberData(nameof(StaleClicks))]
    public async Task A_button_left_on_screen_after_a_demotion_is_refused_and_audited(string role, string button)
    {
        var key = await Keys.CreateAsync(new KeyDraft("Left on screen", false, [], null), Admin);
        if (button == "enable-key")
        {
            await Keys.SetEnabledAsync(key.Key.Id, false, Admin);
        }
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement($"[data-testid={button}]");
        var dbFactory = Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();
        var before = await MatrixCell.SnapshotAsync(dbFactory, key.Key.Id);

        // Demoted while the page still shows the Admin's buttons.
        await UseRoleAsync(role == "none" ? null : role);
        // Click, not ClickAsync: the handler waits for the dialog this test is about to answer.
        if (button == "enable-key")
        {
            await page.Find($"[data-testid={button}]").ClickAsync(new());
        }
        else
        {
            page.Find($"[data-testid={button}]").Click();
        }
        switch (button)
        {
            case "edit-key":
                page.WaitForElement("[data-testid=key-name]").Input("Taken over");
                await page.Find("[data-testid=key-save]").ClickAsync(new());
                break;
            case "regenerate-key":
                await page.WaitForElement("[data-testid=regenerate-confirm]").ClickAsync(new());
                break;
            case "delete-key":
                await page.WaitForElement("[data-testid=delete-confirm]").ClickAsync(new());
                break;
        }

        var permission = button switch
        {
            "edit-key" => "keys.edit",
            "regenerate-key" => "keys.regenerate",
            "delete-key" => "keys.delete",
            _ => "keys.enable",
        };
        // A person with no role is also refused the grid's reload (keys.view); the click itself is refused once.
        async Task<List<KeysDashboard.Audit.AuditEntry>> RefusedClicksAsync() =>
            [.. (await MatrixCell.RefusalRowsAsync(dbFactory, Admin.Id)).Where(r => r.Details!.Contains($"\"permission\":\"{permission}\""))];
        await WaitForAsync(async () => (await RefusedClicksAsync()).Count > 0);
        var row = Assert.Single(await RefusedClicksAsync());
        MatrixCell.AssertRefusalRow(row, Admin, permission);
        Assert.Equal(before, await MatrixCell.SnapshotAsync(dbFactory, key.Key.Id));
        Assert.Empty(page.FindAll("[data-testid=reveal-dialog]"));
    }

    [Fact]
    public async Task Support_disables_from_the_grid_with_a_reason_that_reaches_the_audit_log()
    {
        var key = await Keys.CreateAsync(new KeyDraft("Leaked in chat", false, [], null), Admin);
        await UseRoleAsync("Support");
        var page = RenderWithProviders<KeysPage>();

        page.WaitForElement("[data-testid=disable-key]").Click();
        page.WaitForElement("[data-testid=disable-reason]").Input("Pasted in the public support chat");
        await page.Find("[data-testid=disable-confirm]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Disabled", page.Find("[data-testid=key-status]").TextContent.Trim()));
        var dbFactory = Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();
        var support = await Services.GetRequiredService<DashboardActor>().GetAsync();
        await MatrixCell.AssertAuditedAsync(dbFactory, support, KeysDashboard.Audit.AuditActions.KeyDisabled, key.Key.Id, "Pasted in the public support chat");
        Assert.Empty(page.FindAll("[data-testid=enable-key]"));
    }

    [Fact]
    public async Task A_locked_person_is_refused_even_with_the_admin_role()
    {
        await using (var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == Admin.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddHours(1)));
        }
        var actor = await Services.GetRequiredService<DashboardActor>().GetAsync();

        await Assert.ThrowsAsync<AccessDeniedException>(() => Keys.CreateAsync(new KeyDraft("while locked", false, [], null), actor));
        Assert.Empty(await StoredKeysAsync());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++)
        {
            await Task.Delay(20, Xunit.TestContext.Current.CancellationToken);
        }
    }
}
