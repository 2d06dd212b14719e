using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

/// <summary>The dashboard's app bar and, below the md breakpoint, its drawer (issue 7 contract: nav-toggle, nav-drawer, theme-toggle, sign-out).</summary>
public sealed class NavigationBar(IPage page)
{
    public ILocator Toggle => page.GetByTestId("nav-toggle");
    public ILocator Drawer => page.GetByTestId("nav-drawer");
    public ILocator ThemeToggle => page.GetByTestId("theme-toggle");

    public async Task OpenDrawerAsync()
    {
        await Toggle.ClickAsync();
        await Expect(Drawer).ToBeVisibleAsync();
        await Expect(Drawer.GetByRole(AriaRole.Link, new() { Name = "API keys" })).ToBeVisibleAsync();
    }
}
