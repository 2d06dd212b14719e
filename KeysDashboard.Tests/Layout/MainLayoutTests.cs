using System.Text.RegularExpressions;
using Bunit;
using KeysDashboard.Components.Layout;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace KeysDashboard.Tests.Layout;

public sealed class MainLayoutTests : DashboardContext
{
    public MainLayoutTests() => SetRendererInfo(new RendererInfo("Server", true));

    private const string LightSurface = "rgba(255,255,255,1)";
    private const string DarkSurface = "rgba(30,31,38,1)"; // #1e1f26

    /// <summary>The surface colour in the CSS the theme provider emits: what the browser actually paints.</summary>
    private static string Surface(IRenderedComponent<MainLayout> layout) =>
        Regex.Match(layout.Markup, @"--mud-palette-surface:\s*([^;]+);").Groups[1].Value.Trim();

    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));

    [Fact]
    public void The_theme_toggle_switches_to_dark_and_back_and_stores_each_choice_in_the_cookie_through_app_js()
    {
        var setTheme = JSInterop.SetupVoid("keysDashboard.setTheme", _ => true);
        var layout = RenderLayout();
        var toggle = () => layout.Find("[data-testid=theme-toggle]");
        Assert.Equal(LightSurface, Surface(layout));
        Assert.Equal("Switch to dark theme", toggle().GetAttribute("aria-label"));

        toggle().Click();

        Assert.Equal(DarkSurface, Surface(layout));
        Assert.Equal("Switch to light theme", toggle().GetAttribute("aria-label"));
        Assert.Equal("dark", setTheme.Invocations.Single().Arguments[0]);
        Assert.Equal(ThemeCookie.Dark, layout.Instance.ThemeChoice);

        toggle().Click();

        Assert.Equal(LightSurface, Surface(layout));
        Assert.Equal("Switch to dark theme", toggle().GetAttribute("aria-label"));
        Assert.Equal(["dark", "light"], setTheme.Invocations.Select(i => i.Arguments[0]));
    }

    [Fact]
    public async Task Once_chosen_the_theme_no_longer_follows_the_system_setting()
    {
        JSInterop.SetupVoid("keysDashboard.setTheme", _ => true);
        var layout = RenderLayout();
        var provider = layout.FindComponent<MudThemeProvider>();

        await layout.InvokeAsync(() => provider.Instance.SystemDarkModeChangedAsync(true));
        Assert.Equal(DarkSurface, Surface(layout));
        layout.Find("[data-testid=theme-toggle]").Click();
        Assert.Equal(LightSurface, Surface(layout));

        await layout.InvokeAsync(() => provider.Instance.SystemDarkModeChangedAsync(true));

        Assert.Equal(LightSurface, Surface(layout));
    }

    [Fact]
    public async Task Without_a_choice_carried_from_the_prerender_the_layout_reads_the_cookie_in_the_browser_and_keeps_it()
    {
        JSInterop.Setup<string?>("keysDashboard.getTheme").SetResult("dark");
        var layout = RenderLayout();
        var provider = layout.FindComponent<MudThemeProvider>();

        layout.WaitForAssertion(() => Assert.Equal(DarkSurface, Surface(layout)));
        await layout.InvokeAsync(() => provider.Instance.SystemDarkModeChangedAsync(false));

        Assert.Equal(DarkSurface, Surface(layout));
        Assert.Equal("Switch to light theme", layout.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
    }

    [Fact]
    public void The_menu_button_opens_a_drawer_with_the_links_and_the_one_sign_out_and_Escape_closes_it()
    {
        var layout = RenderLayout();
        var toggle = () => layout.Find("[data-testid=nav-toggle]");
        Assert.Equal("false", toggle().GetAttribute("aria-expanded"));
        Assert.Equal("nav-drawer", toggle().GetAttribute("aria-controls"));
        Assert.Equal("Open navigation", toggle().GetAttribute("aria-label"));
        Assert.NotNull(layout.Find("#nav-drawer"));
        Assert.Empty(layout.Find("[data-testid=nav-drawer]").QuerySelectorAll("a"));
        Assert.Single(layout.FindAll("[data-testid=sign-out]"));

        toggle().Click();

        Assert.Equal("true", toggle().GetAttribute("aria-expanded"));
        var drawer = layout.Find("[data-testid=nav-drawer]");
        var links = drawer.QuerySelectorAll("a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href"))).ToList();
        Assert.Contains(("API keys", "keys"), links);
        Assert.Contains(("API reference", "api-docs/index.html"), links);
        Assert.Contains(("Account settings: owner@example.com", "Account/Manage"), links);
        // The app bar's sign-out leaves the page while the drawer holds one: a test id still finds exactly one.
        Assert.Single(layout.FindAll("[data-testid=sign-out]"));
        Assert.NotNull(drawer.QuerySelector("[data-testid=sign-out]"));

        layout.Find(".nav-drawer-content").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });

        Assert.Equal("false", toggle().GetAttribute("aria-expanded"));
        Assert.Empty(layout.Find("[data-testid=nav-drawer]").QuerySelectorAll("a"));
        Assert.Single(layout.FindAll("[data-testid=sign-out]"));
    }

    [Fact]
    public void The_page_sits_in_a_main_landmark_after_a_skip_link_that_is_the_first_focusable_element()
    {
        var layout = RenderLayout();

        var main = layout.Find("main#main-content");
        Assert.Contains("page body", main.TextContent);
        Assert.NotNull(main.QuerySelector("[data-interactive]"));
        var firstFocusable = layout.Find("a, button, input");
        Assert.Equal("Skip to content", firstFocusable.TextContent.Trim());
        Assert.Equal("#main-content", firstFocusable.GetAttribute("href"));
        Assert.Equal("Main", layout.Find("header nav").GetAttribute("aria-label"));
    }
}
