using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

public abstract class BasePage(IPage page)
{
    protected IPage Page { get; } = page;

    /// <summary>Waits until the interactive circuit handles events, so that a click is not lost on prerendered HTML.</summary>
    public async Task WaitUntilInteractiveAsync() =>
        await Expect(Page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true");
}

public sealed class SetupPage(IPage page) : BasePage(page)
{
    public Task GotoAsync() => Page.GotoAsync("/setup");

    public async Task CreateOwnerAsync(string email, string password)
    {
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password (at least 12 characters)").FillAsync(password);
        await Page.GetByLabel("Confirm password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create owner account" }).ClickAsync();
    }
}

public sealed class LoginPage(IPage page) : BasePage(page)
{
    public ILocator Heading => Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" });

    public async Task SignInAsync(string email, string password)
    {
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }
}
