using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

/// <summary>/audit (Admin, Support, Auditor): the paged grid, its filters in the URL, CSV export and integrity check (issue 8 contract).</summary>
public sealed class AuditPage(IPage page) : BasePage(page)
{
    public ILocator Grid => Page.GetByTestId("audit-grid");
    public ILocator Rows => Page.GetByTestId("audit-row");
    public ILocator Export => Page.GetByTestId("audit-export");

    /// <summary>Opens /audit with the given filters (actor, key, action, outcome, from, to), as a shared link would.</summary>
    public async Task GotoAsync(string? query = null)
    {
        await Page.GotoAsync(string.IsNullOrEmpty(query) ? "/audit" : $"/audit?{query}");
        await WaitUntilInteractiveAsync();
        await Expect(Grid).ToBeVisibleAsync();
    }

    /// <summary>Rows of one action (key.disabled, access.refused, ...) whose target cell names <paramref name="target"/>.</summary>
    public ILocator Row(string action, string target) => Rows
        .Filter(new() { Has = Page.GetByTestId("audit-action").GetByText(action, new() { Exact = true }) })
        .Filter(new() { Has = Page.GetByTestId("audit-target").GetByText(target) });

    /// <summary>Downloads the export link's CSV with the signed-in person's cookies, as their browser would.</summary>
    public async Task<string> DownloadCsvAsync()
    {
        var href = await Export.GetAttributeAsync("href");
        Assert.False(string.IsNullOrEmpty(href), "audit-export has no href.");
        var response = await Page.APIRequest.GetAsync(href!);
        Assert.True(response.Ok, $"GET {href}: {response.Status}");
        Assert.StartsWith("text/csv", response.Headers.TryGetValue("content-type", out var type) ? type : "");
        return await response.TextAsync();
    }
}
