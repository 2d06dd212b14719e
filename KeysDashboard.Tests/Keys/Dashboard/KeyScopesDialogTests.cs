using Bunit;
using KeysDashboard.Access;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Dashboard;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Keys.Dashboard;

/// <summary>The create and edit dialog offers the scopes as checkboxes, each with its meaning; what is ticked is what the key gets.</summary>
public sealed class KeyScopesDialogTests : DashboardContext
{
    [Fact]
    public async Task Every_scope_is_a_checkbox_with_its_meaning_and_a_new_key_gets_exactly_the_ticked_ones()
    {
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=empty-state]");
        page.Find("[data-testid=create-key]").Click();
        page.WaitForElement("[data-testid=key-name]").Input("Checker");

        foreach (var scope in AccessTable.Scopes)
        {
            var box = Checkbox(page, scope.Name);
            var meaning = page.Find($"#{box.GetAttribute("aria-describedby")}");
            Assert.Equal(scope.Meaning, meaning.TextContent.Trim());
        }
        // A new key starts with read only: least privilege until someone ticks more.
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)Checkbox(page, "read")).IsChecked);
        Assert.False(((AngleSharp.Html.Dom.IHtmlInputElement)Checkbox(page, "keys:manage")).IsChecked);

        Checkbox(page, "read").Change(false);
        Checkbox(page, "verify").Change(true);
        Checkbox(page, "audit:read").Change(true);
        await page.Find("[data-testid=key-save]").ClickAsync(new());

        page.WaitForElement("[data-testid=secret-value]");
        var stored = Assert.Single(await StoredKeysAsync());
        Assert.Equal(["verify", "audit:read"], stored.Scopes);
        Assert.True(stored.ReadOnly);
    }

    [Fact]
    public async Task Editing_the_scopes_changes_them_and_leaving_them_alone_keeps_them()
    {
        var issued = await Keys.CreateAsync(new KeyDraft("Managed", false, [], null, ["write", "keys:manage"]), Admin);
        var page = RenderWithProviders<KeysPage>();
        page.WaitForElement("[data-testid=edit-key]").Click();
        page.WaitForElement("[data-testid=key-name]").Input("Managed v2");
        await page.Find("[data-testid=key-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Managed v2", page.Find("[data-testid=key-name-cell]").TextContent));
        Assert.Equal(["write", "keys:manage"], (await StoredKeysAsync()).Single().Scopes);

        page.Find("[data-testid=edit-key]").Click();
        page.WaitForElement("[data-testid=key-name]");
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)Checkbox(page, "write")).IsChecked);
        Checkbox(page, "keys:manage").Change(false);
        await page.Find("[data-testid=key-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(["write"], StoredKeysAsync().GetAwaiter().GetResult().Single().Scopes));
        Assert.Equal(issued.Key.Id, (await StoredKeysAsync()).Single().Id);
    }

    private static AngleSharp.Dom.IElement Checkbox(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string scope)
    {
        var marked = page.Find($"[data-testid='scope-{scope}']");
        return marked.TagName == "INPUT" ? marked : marked.QuerySelector("input[type=checkbox]")!;
    }
}
