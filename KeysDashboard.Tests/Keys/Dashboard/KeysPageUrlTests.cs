using Bunit;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Dashboard;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Keys.Dashboard;

/// <summary>Filters and sort live in the URL: a shared link shows the same view, and changing the view changes the link.</summary>
public sealed class KeysPageUrlTests : DashboardContext
{
    public KeysPageUrlTests() => Services.AddScoped<KeysDashboard.Components.Shared.ViewerTimeZone>();

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private static List<string> RowNames(IRenderedComponent<Bunit.Rendering.ContainerFragment> page) =>
        [.. page.FindAll("[data-testid=key-row] [data-testid=key-name-cell]").Select(e => e.TextContent.Trim())];

    private async Task SeedAsync()
    {
        foreach (var name in new[] { "alpha", "Bravo", "charlie", "Delta" })
        {
            var issued = await Keys.CreateAsync(new KeyDraft(name, name == "charlie", [], null), Admin);
            if (name is "Bravo" or "Delta")
            {
                await Keys.SetEnabledAsync(issued.Key.Id, false, Admin);
            }
        }
    }

    [Fact]
    public async Task A_link_with_filters_and_sort_shows_that_view_with_its_filters_as_chips()
    {
        await SeedAsync();
        Navigation.NavigateTo("keys?status=disabled&sort=name&dir=asc");

        var page = RenderWithProviders<KeysPage>();

        page.WaitForAssertion(() => Assert.Equal(["Bravo", "Delta"], RowNames(page)));
        Assert.Equal(["Status: Disabled"], page.FindAll("[data-testid=active-filter]").Select(c => c.TextContent.Trim()));
        Assert.Equal("ascending", page.Find("th[aria-sort]").GetAttribute("aria-sort"));
        Assert.Contains("Name", page.Find("th[aria-sort]").TextContent);

        page.Find("[data-testid=key-filters]").Click();
        Assert.Equal("Disabled", SelectedText(page, "filter-status"));
        Assert.Equal("Name", SelectedText(page, "sort-by"));
        Assert.Equal("A to Z", SelectedText(page, "sort-dir"));
        Assert.Equal("Any access", SelectedText(page, "filter-access"));
    }

    [Fact]
    public async Task Choosing_a_filter_in_the_panel_puts_it_in_the_url_and_starts_on_the_first_page()
    {
        await SeedAsync();
        Navigation.NavigateTo("keys?size=10&page=0");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForAssertion(() => Assert.Equal(4, RowNames(page).Count));

        page.Find("[data-testid=key-filters]").Click();
        await ChooseAsync(page, "filter-access", "Read-only");

        page.WaitForAssertion(() => Assert.Equal(["charlie"], RowNames(page)));
        Assert.Equal("http://localhost/keys?access=read-only&size=10", Navigation.Uri);

        await ChooseAsync(page, "sort-by", "Name");
        Assert.Equal("http://localhost/keys?access=read-only&sort=name&size=10", Navigation.Uri);
    }

    [Fact]
    public async Task Header_sort_and_removing_a_chip_update_the_url()
    {
        await SeedAsync();
        Navigation.NavigateTo("keys?access=read-write");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForAssertion(() => Assert.Equal(["Delta", "Bravo", "alpha"], RowNames(page)));

        page.Find("[data-testid=sort-header-name]").Click();
        page.WaitForAssertion(() => Assert.Equal(["alpha", "Bravo", "Delta"], RowNames(page)));
        Assert.Equal("http://localhost/keys?access=read-write&sort=name&dir=asc", Navigation.Uri);

        page.Find("[data-testid=sort-header-name]").Click();
        page.WaitForAssertion(() => Assert.Equal(["Delta", "Bravo", "alpha"], RowNames(page)));
        Assert.Equal("http://localhost/keys?access=read-write&sort=name", Navigation.Uri);

        // The chip's close button.
        page.Find("[data-testid=active-filter] button").Click();
        page.WaitForAssertion(() => Assert.Equal(4, RowNames(page).Count));
        Assert.Equal("http://localhost/keys?sort=name", Navigation.Uri);
        Assert.Empty(page.FindAll("[data-testid=active-filter]"));
    }

    [Fact]
    public async Task Back_and_forward_show_what_the_url_then_says()
    {
        await SeedAsync();
        var page = RenderWithProviders<KeysPage>();
        page.WaitForAssertion(() => Assert.Equal(4, RowNames(page).Count));

        // What the browser does on Back to an earlier filtered view.
        Navigation.NavigateTo("keys?status=enabled&sort=name&dir=asc");

        page.WaitForAssertion(() => Assert.Equal(["alpha", "charlie"], RowNames(page)));
        Assert.Equal(["Status: Enabled"], page.FindAll("[data-testid=active-filter]").Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public async Task A_searched_secret_finds_its_key_but_never_enters_the_url()
    {
        var leaked = await Keys.CreateAsync(new KeyDraft("Leaky", false, [], null), Admin);
        await Keys.CreateAsync(new KeyDraft("Other", false, [], null), Admin);
        Navigation.NavigateTo("keys?sort=name");
        var page = RenderWithProviders<KeysPage>();
        page.WaitForAssertion(() => Assert.Equal(2, RowNames(page).Count));

        page.Find("input[data-testid=key-search], [data-testid=key-search] input").Input("Bearer " + leaked.Secret);

        page.WaitForAssertion(() => Assert.Equal(["Leaky"], RowNames(page)));
        Assert.Equal("http://localhost/keys?sort=name", Navigation.Uri);

        page.Find("input[data-testid=key-search], [data-testid=key-search] input").Input("oth");
        page.WaitForAssertion(() => Assert.Equal(["Other"], RowNames(page)));
        Assert.Equal("http://localhost/keys?q=oth&sort=name", Navigation.Uri);
    }

    [Fact]
    public async Task A_link_with_nonsense_or_a_page_past_the_end_still_shows_keys()
    {
        await SeedAsync();
        Navigation.NavigateTo("keys?status=gone&sort=%3Cscript%3E&dir=sideways&expiring=-1&size=3");

        var page = RenderWithProviders<KeysPage>();

        page.WaitForAssertion(() => Assert.Equal(4, RowNames(page).Count));
        Assert.Empty(page.FindAll("[data-testid=active-filter]"));

        Navigation.NavigateTo("keys?size=10&page=40");
        page.WaitForAssertion(() => Assert.Equal(4, RowNames(page).Count));
        Assert.Contains("1–4 of 4", page.Find(".keys-pager").TextContent);
    }

    private static string SelectedText(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string testId) =>
        page.Find($"[data-testid={testId}]").QuerySelector("input")?.GetAttribute("value") ?? page.Find($"[data-testid={testId}]").TextContent.Trim();

    private static async Task ChooseAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string testId, string option)
    {
        // The select opens on a mouse down on its frame, around the combobox the test id is on.
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
