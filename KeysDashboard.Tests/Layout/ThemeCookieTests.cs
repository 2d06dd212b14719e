using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace KeysDashboard.Tests.Layout;

/// <summary>
/// The kd_theme cookie set by the dashboard's theme toggle, as the server reads it: the static account pages get it as
/// data-theme on html, the prerendered dashboard paints the chosen palette (no flash of the other theme).
/// </summary>
public sealed partial class ThemeCookieTests : IAsyncLifetime
{
    private readonly AppFactory app = new();

    [Theory]
    [InlineData("dark", "dark")]
    [InlineData("light", "light")]
    [InlineData("purple", null)]
    [InlineData("DARK", null)]
    [InlineData("dark%3Bx", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public async Task The_static_setup_page_carries_the_stored_choice_on_html_and_ignores_anything_else(string? cookie, string? expected)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/setup");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", $"kd_theme={cookie}");
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = HtmlTag().Match(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Value;
        Assert.StartsWith("<html", html);
        var theme = DataTheme().Match(html);
        Assert.Equal(expected, theme.Success ? theme.Groups[1].Value : null);
    }

    [Theory]
    [InlineData("dark", null, true)]
    [InlineData("light", null, false)]
    [InlineData(null, "\"dark\"", true)]
    [InlineData(null, "\"light\"", false)]
    [InlineData(null, null, false)]
    // A choice made with the toggle outranks the system setting.
    [InlineData("light", "\"dark\"", false)]
    [InlineData("dark", "\"light\"", true)]
    [InlineData("garbage", "\"dark\"", true)]
    public async Task The_prerendered_dashboard_is_already_in_the_chosen_theme_or_else_the_system_one(string? cookie, string? systemHint, bool dark)
    {
        var cookies = new CookieContainer();
        var client = app.CreateDefaultClient(new CookieContainerHandler(cookies));
        await Owner.SetUpAsync(client);
        if (cookie is not null)
        {
            cookies.Add(client.BaseAddress!, new Cookie("kd_theme", cookie, "/"));
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/keys");
        if (systemHint is not null)
        {
            request.Headers.Add("Sec-CH-Prefers-Color-Scheme", systemHint);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(dark ? "rgba(30,31,38,1)" : "rgba(255,255,255,1)", Surface().Match(html).Groups[1].Value.Trim());
        Assert.Contains(dark ? "aria-label=\"Switch to light theme\"" : "aria-label=\"Switch to dark theme\"", html);
    }

    [Fact]
    public async Task Pages_ask_the_browser_for_its_colour_scheme_hint_and_the_api_does_not()
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

        using var page = await client.GetAsync("/setup", TestContext.Current.CancellationToken);
        using var api = await client.GetAsync("/api/v2/keys", TestContext.Current.CancellationToken);

        Assert.Equal("Sec-CH-Prefers-Color-Scheme", page.Headers.GetValues("Accept-CH").Single());
        Assert.False(api.Headers.Contains("Accept-CH"));
    }

    [GeneratedRegex("<html[^>]*>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex("data-theme=\"([^\"]*)\"")]
    private static partial Regex DataTheme();

    [GeneratedRegex(@"--mud-palette-surface:\s*([^;]+);")]
    private static partial Regex Surface();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
