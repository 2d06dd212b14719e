using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

/// <summary>
/// The keys list as the issue 7 contract describes it, at every width: one <c>key-row</c> per key (a table row on a
/// laptop, a card on a phone), the search box, and the filter panel behind <c>key-filters</c>.
/// </summary>
public sealed class KeyList(IPage page)
{
    public ILocator Rows => page.GetByTestId("key-row");
    public ILocator Search => page.GetByTestId("key-search");
    public ILocator FiltersButton => page.GetByTestId("key-filters");
    public ILocator ActiveFilters => page.GetByTestId("active-filter");

    public ILocator Row(string keyName) =>
        Rows.Filter(new() { Has = page.GetByTestId("key-name-cell").GetByText(keyName, new() { Exact = true }) });

    public ILocator Status(string keyName) => Row(keyName).GetByTestId("key-status");

    /// <summary>
    /// The contract's key-row, or the table row the list had before it, for tests whose subject is not the row element
    /// itself (focus, axe), so that they measure the page either way.
    /// </summary>
    public ILocator RowOrTableRow(string keyName) =>
        Rows.Or(page.Locator("tbody tr"))
            .Filter(new() { Has = page.GetByTestId("key-name-cell").GetByText(keyName, new() { Exact = true }) });

    /// <summary>Waits for the named key on screen, then fails with the contract's words if it is not inside a key-row.</summary>
    public async Task ExpectKeyRowsAsync(string someKeyName)
    {
        await Expect(page.GetByTestId("key-name-cell").GetByText(someKeyName, new() { Exact = true }).First).ToBeVisibleAsync();
        Assert.True(await Row(someKeyName).CountAsync() == 1,
            $"'{someKeyName}' is on screen but not inside an element with data-testid=\"key-row\" (issue 7 contract: one key-row per key at every width).");
    }

    /// <summary>Opens the filter/sort panel and waits for its status filter to show.</summary>
    public async Task OpenFiltersAsync()
    {
        await FiltersButton.ClickAsync();
        await Expect(page.GetByTestId("filter-status")).ToBeVisibleAsync();
    }

    /// <summary>On a phone, edit/regenerate/delete may sit behind the card's expand button; opens it if there is one.</summary>
    public async Task ExpandIfCollapsedAsync(string keyName)
    {
        var expand = Row(keyName).GetByTestId("key-expand");
        if (await expand.CountAsync() > 0 && await expand.IsVisibleAsync() && await expand.GetAttributeAsync("aria-expanded") != "true")
        {
            await expand.ClickAsync();
            await Expect(expand).ToHaveAttributeAsync("aria-expanded", "true");
        }
    }

    /// <summary>Clicks a row action (edit-key, delete-key…), expanding a phone card first when the action is behind it.</summary>
    public async Task ClickActionAsync(string keyName, string action)
    {
        var button = Row(keyName).GetByTestId(action);
        if (!await button.IsVisibleAsync())
        {
            await ExpandIfCollapsedAsync(keyName);
        }
        await button.ClickAsync();
    }
}
