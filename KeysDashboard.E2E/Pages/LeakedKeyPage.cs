using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

/// <summary>/leaked (Admin, Support): paste a secret, see its key, disable it with a reason (issue 8 contract test ids).</summary>
public sealed class LeakedKeyPage(IPage page) : BasePage(page)
{
    public ILocator Secret => Page.GetByTestId("leaked-secret");
    public ILocator Outcome => Page.GetByTestId("leaked-outcome");
    public ILocator Result => Page.GetByTestId("leaked-result");
    public ILocator Name => Page.GetByTestId("leaked-name");
    public ILocator Status => Page.GetByTestId("leaked-status");
    public ILocator Masked => Page.GetByTestId("leaked-masked");
    public ILocator Scopes => Page.GetByTestId("leaked-scopes");
    public ILocator Disabled => Page.GetByTestId("leaked-disabled");

    public async Task GotoAsync()
    {
        await Page.GotoAsync("/leaked");
        await WaitUntilInteractiveAsync();
        await Expect(Secret).ToBeVisibleAsync();
    }

    /// <summary>Pastes the secret and checks it. The field is a MudTextField: the input is the element itself or inside it.</summary>
    public async Task CheckAsync(string secret)
    {
        await Input.FillAsync(secret);
        await Page.GetByTestId("leaked-check").ClickAsync();
    }

    /// <summary>The text input of leaked-secret, wherever MudBlazor put the test id.</summary>
    public ILocator Input => Page.Locator("input[data-testid=leaked-secret], [data-testid=leaked-secret] input").First;

    public async Task DisableAsync(string reason)
    {
        await Page.GetByTestId("leaked-disable").ClickAsync();
        await Expect(Page.GetByTestId("disable-reason-dialog")).ToBeVisibleAsync();
        await Page.Locator("textarea[data-testid=disable-reason], input[data-testid=disable-reason], [data-testid=disable-reason] textarea, [data-testid=disable-reason] input").First.FillAsync(reason);
        await Page.GetByTestId("disable-confirm").ClickAsync();
        await Expect(Page.GetByTestId("disable-reason-dialog")).ToBeHiddenAsync();
    }
}
