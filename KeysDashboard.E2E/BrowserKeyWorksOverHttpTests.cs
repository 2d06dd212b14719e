using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>An integrator's first day: a key made in the dashboard works from an HTTP client, and disabling it in the dashboard stops it.</summary>
public sealed class BrowserKeyWorksOverHttpTests : BrowserSession
{
    [Fact]
    public async Task A_key_made_in_the_browser_works_over_http_until_it_is_disabled_in_the_browser()
    {
        var keys = new KeysPage(Page);
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await new SetupPage(Page).CreateOwnerAsync("owner@example.com", "correct horse battery");
        await keys.WaitUntilInteractiveAsync();

        await keys.OpenCreateDialogAsync();
        await keys.FillKeyFormAsync(name: "Integration");
        await keys.SaveKeyFormAsync();
        var (secret, _) = await keys.CopySecretAsync();
        await keys.CloseRevealAsync();

        using var http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var me = await http.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains("\"name\":\"Integration\"", await me.Content.ReadAsStringAsync());

        // The open page shows the use within a few seconds, without a reload (flush every 2 s, refresh every 5 s).
        await Expect(keys.Row("Integration")).ToContainTextAsync("from 127.0.0.1", new() { Timeout = 12_000 });
        await ScreenshotAsync("20-last-used");

        await keys.ClickRowActionAsync("Integration", "disable-key");
        await Expect(keys.Status("Integration")).ToHaveTextAsync("Disabled");

        var refused = await http.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("key_disabled", await refused.Content.ReadAsStringAsync());
    }
}
