using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

public sealed class KeysPage(IPage page) : BasePage(page)
{
    public ILocator Heading => Page.GetByRole(AriaRole.Heading, new() { Name = "API keys", Exact = true, Level = 1 });
    public ILocator EmptyState => Page.GetByTestId("empty-state");
    public ILocator Grid => Page.GetByTestId("keys-grid");
    public ILocator RevealDialog => Page.GetByTestId("reveal-dialog");
    public ILocator SecretField => Page.GetByTestId("secret-value");

    public ILocator Search => Page.GetByTestId("key-search");
    public ILocator FiltersButton => Page.GetByTestId("key-filters");
    public ILocator ActiveFilters => Page.GetByTestId("active-filter");

    /// <summary>One key: a table row on a laptop, a card on a phone.</summary>
    public ILocator Row(string keyName) => Page.GetByTestId("key-row").Filter(new() { Has = Page.GetByTestId("key-name-cell").GetByText(keyName, new() { Exact = true }) });

    public ILocator RowNames => Page.GetByTestId("key-row").GetByTestId("key-name-cell");

    public async Task GotoAsync()
    {
        await Page.GotoAsync("/keys");
        await WaitUntilInteractiveAsync();
    }

    public async Task OpenCreateDialogAsync()
    {
        await Page.GetByTestId("create-key").ClickAsync();
        await Expect(Page.GetByTestId("key-form-dialog")).ToBeVisibleAsync();
    }

    /// <summary>Scopes for a key that a test then uses to make more keys through the API (Vidbeo's read/write key).</summary>
    public static readonly string[] ManagingScopes = ["write", "verify", "keys:manage"];

    /// <param name="scopes">Exactly the scope checkboxes to leave ticked; null leaves the dialog's choice alone.</param>
    public async Task FillKeyFormAsync(string? name = null, string? ips = null, IReadOnlyCollection<string>? scopes = null)
    {
        if (name is not null)
        {
            await Page.GetByTestId("key-name").FillAsync(name);
        }
        if (ips is not null)
        {
            await Page.GetByTestId("key-ips").FillAsync(ips);
        }
        if (scopes is not null)
        {
            foreach (var box in await Page.GetByTestId("key-scopes").Locator("input[type=checkbox]").AllAsync())
            {
                var scope = await box.GetAttributeAsync("data-testid") is { } id ? id["scope-".Length..]
                    : (await box.Locator("xpath=ancestor::*[@data-testid][1]").GetAttributeAsync("data-testid"))!["scope-".Length..];
                if (await box.IsCheckedAsync() != scopes.Contains(scope))
                {
                    await box.ClickAsync(new() { Force = true });
                }
            }
        }
    }

    public Task SaveKeyFormAsync() => Page.GetByTestId("key-save").ClickAsync();

    /// <summary>Reads the secret from the reveal dialog, copies it with the dialog's button and returns both.</summary>
    public async Task<(string Shown, string Copied)> CopySecretAsync()
    {
        await Expect(RevealDialog).ToBeVisibleAsync();
        var shown = await SecretField.InputValueAsync();
        await Page.GetByTestId("copy-secret").ClickAsync();
        await Expect(Page.GetByTestId("copied")).ToBeVisibleAsync();
        var copied = await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        return (shown, copied);
    }

    public async Task CloseRevealAsync()
    {
        await Page.GetByTestId("reveal-done").ClickAsync();
        await Expect(RevealDialog).ToBeHiddenAsync();
    }

    /// <summary>Clicks a key's action; on a phone, Edit, Regenerate and Delete are behind the card's expand button.</summary>
    public async Task ClickRowActionAsync(string keyName, string action)
    {
        var button = Row(keyName).GetByTestId(action);
        var expand = Row(keyName).GetByTestId("key-expand");
        if (!await button.IsVisibleAsync() && await expand.IsVisibleAsync())
        {
            await ExpandAsync(keyName);
        }
        await button.ClickAsync();
    }

    public async Task ExpandAsync(string keyName)
    {
        var expand = Row(keyName).GetByTestId("key-expand");
        if (await expand.GetAttributeAsync("aria-expanded") != "true")
        {
            await expand.ClickAsync();
        }
        await Expect(expand).ToHaveAttributeAsync("aria-expanded", "true");
    }

    public async Task OpenFiltersAsync()
    {
        if (await FiltersButton.GetAttributeAsync("aria-expanded") != "true")
        {
            await FiltersButton.ClickAsync();
        }
        await Expect(Page.GetByTestId("filter-status")).ToBeVisibleAsync();
    }

    /// <summary>Picks an option of one of the panel's selects (filter-status, filter-access, filter-expiring, filter-unused, sort-by, sort-dir).</summary>
    public async Task ChooseAsync(string selectTestId, string option)
    {
        await OpenFiltersAsync();
        await Page.GetByTestId(selectTestId).ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId(selectTestId)).ToHaveTextAsync(option);
    }

    public Task ClearFiltersAsync() => Page.GetByTestId("filters-clear").ClickAsync();

    public ILocator Status(string keyName) => Row(keyName).GetByTestId("key-status");

    public async Task SignOutAsync() => await Page.GetByTestId("sign-out").ClickAsync();
}
