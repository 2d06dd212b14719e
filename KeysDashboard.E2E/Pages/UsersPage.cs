using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

/// <summary>/users (Admin only), as the issue 8 contract names it: users-grid, user-row[data-email], invite-user and its two dialogs.</summary>
public sealed class UsersPage(IPage page) : BasePage(page)
{
    public ILocator Grid => Page.GetByTestId("users-grid");
    public ILocator InviteDialog => Page.GetByTestId("invite-dialog");
    public ILocator LinkDialog => Page.GetByTestId("invite-link-dialog");
    public ILocator SetPasswordLink => Page.GetByTestId("set-password-link");

    public ILocator Row(string email) => Page.Locator($"[data-testid=user-row][data-email=\"{email}\"]");

    public async Task GotoAsync()
    {
        await Page.GotoAsync("/users");
        await WaitUntilInteractiveAsync();
        await Expect(Grid).ToBeVisibleAsync();
    }

    public async Task OpenInviteDialogAsync(string email, string role)
    {
        await Page.GetByTestId("invite-user").ClickAsync();
        await Expect(InviteDialog).ToBeVisibleAsync();
        await Page.GetByTestId("invite-email").FillAsync(email);
        await Page.GetByTestId("invite-role").ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = role, Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("invite-role")).ToContainTextAsync(role);
    }

    /// <summary>Saves the open invite dialog and returns the one-time set-password link it then shows.</summary>
    public async Task<string> SaveInviteAndReadLinkAsync()
    {
        await Page.GetByTestId("invite-save").ClickAsync();
        await Expect(LinkDialog).ToBeVisibleAsync();
        var link = (await SetPasswordLink.InnerTextAsync()).Trim();
        Assert.StartsWith("http", link);
        Assert.Contains("/Account/SetPassword?", link);
        return link;
    }

    public async Task CloseLinkDialogAsync()
    {
        await Page.GetByTestId("link-done").ClickAsync();
        await Expect(LinkDialog).ToBeHiddenAsync();
    }
}

/// <summary>/Account/SetPassword (static SSR, like Login): the page an invited person opens from their link.</summary>
public sealed class SetPasswordPage(IPage page) : BasePage(page)
{
    public async Task SetAsync(string password)
    {
        await Page.Locator("input[name='Input.Password']").FillAsync(password);
        await Page.Locator("input[name='Input.ConfirmPassword']").FillAsync(password);
        await Page.GetByTestId("set-password-submit").ClickAsync();
    }
}
