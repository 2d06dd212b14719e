using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// Issue 7's support person: a customer pastes what they have (a header line, a quoted secret) into a chat; support
/// pastes it into the search box on a phone or a laptop, finds exactly that key, disables it without scrolling
/// sideways, and the secret stops working. A shared filter link opens with the filter applied.
/// </summary>
public abstract class SupportJourneyTests(Viewport viewport) : BrowserSession(viewport)
{
    [Fact]
    public async Task Support_finds_a_key_from_a_pasted_secret_and_disables_it_without_scrolling_sideways()
    {
        var keys = new KeysPage(Page);
        var list = new KeyList(Page);
        var shot = 0;
        Task Screenshot(string step) => ScreenshotAsync($"support-{Viewport.Name}-{++shot:00}-{step}");

        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await new SetupPage(Page).CreateOwnerAsync("owner@example.com", "correct horse battery");
        await keys.WaitUntilInteractiveAsync();

        // The owner makes the customer's key in the dialog and copies its secret.
        await keys.OpenCreateDialogAsync();
        await keys.FillKeyFormAsync(name: "Customer 42", scopes: KeysPage.ManagingScopes);
        await keys.SaveKeyFormAsync();
        var (secret, copied) = await keys.CopySecretAsync();
        Assert.Equal(secret, copied);
        await keys.CloseRevealAsync();
        using var customer = new KeysApiClient(App.BaseUrl, secret);
        // Neighbours, so that "exactly one row" means the search found it, not that there was only one.
        await customer.CreateAsync("Customer 43");
        await customer.CreateAsync("Customer 420");
        await keys.GotoAsync();
        await list.ExpectKeyRowsAsync("Customer 42");
        await Expect(list.Rows).ToHaveCountAsync(3);
        await Screenshot("keys");

        // What customers paste: a header value, a header line, the secret in quotes with a trailing comma.
        foreach (var pasted in new[] { $"Bearer {secret}", $"X-API-Key: {secret}", $"\"{secret}\",", $"Authorization: Bearer {secret}" })
        {
            await list.Search.FillAsync(pasted);
            await Expect(list.Rows).ToHaveCountAsync(1, new() { Timeout = 5_000 });
            await Expect(list.Rows.First.GetByTestId("key-name-cell")).ToContainTextAsync("Customer 42");
        }
        await AssertFitsTheScreenAsync(list.Status("Customer 42"));
        await Screenshot("found");

        var disable = list.Row("Customer 42").GetByTestId("disable-key");
        await AssertFitsTheScreenAsync(disable);
        await disable.ClickAsync();
        await Expect(list.Status("Customer 42")).ToHaveTextAsync("Disabled");
        await AssertFitsTheScreenAsync(list.Status("Customer 42"));
        await Screenshot("disabled");

        Assert.Equal(HttpStatusCode.Unauthorized, await customer.MeAsync());

        // A colleague opens the shared filter link in a new tab and sees the filter, and only the disabled key.
        var colleague = await Page.Context.NewPageAsync();
        await colleague.GotoAsync("/keys?status=disabled");
        await new KeysPage(colleague).WaitUntilInteractiveAsync();
        var shared = new KeyList(colleague);
        await Expect(colleague.GetByTestId("key-filters")).ToBeVisibleAsync();
        await Expect(shared.ActiveFilters.First).ToBeVisibleAsync();
        await Expect(shared.ActiveFilters.First).ToContainTextAsync("isabled");
        await Expect(shared.Rows).ToHaveCountAsync(1);
        await Expect(shared.Status("Customer 42")).ToHaveTextAsync("Disabled");
        await colleague.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, $"support-{Viewport.Name}-{++shot:00}-shared-filter.png"), FullPage = true });
        await colleague.CloseAsync();
        AssertNoContentSecurityPolicyViolations();
    }

    /// <summary>The element is inside the screen's width and the page does not scroll sideways.</summary>
    private async Task AssertFitsTheScreenAsync(ILocator element)
    {
        await element.ScrollIntoViewIfNeededAsync();
        var box = await element.BoundingBoxAsync();
        Assert.True(box is not null, "The element is not rendered.");
        Assert.True(box.X >= 0 && box.X + box.Width <= Viewport.Width,
            $"The element spans x={box.X:0}..{box.X + box.Width:0}, outside the {Viewport.Width} px screen: support would have to scroll sideways.");
        // Scrolling into view may slide a sideways scroller (a wide table's wrapper) rather than the page; both count.
        var scrollX = await element.EvaluateAsync<double>("e => { let x = window.scrollX; for (let p = e.parentElement; p; p = p.parentElement) x += p.scrollLeft; return x; }");
        Assert.True(scrollX == 0, $"Reaching the element scrolled the page or a container sideways by {scrollX} px.");
        var widths = await Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1] && widths[0] <= Viewport.Width,
            $"The page is {widths[0]} px wide on a {Viewport.Width} px screen (innerWidth {widths[1]}): it scrolls sideways.");
    }
}

public sealed class LaptopSupportJourneyTests() : SupportJourneyTests(Viewport.Laptop);

public sealed class Phone360SupportJourneyTests() : SupportJourneyTests(Viewport.Phone360);
