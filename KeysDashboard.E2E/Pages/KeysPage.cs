using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E.Pages;

public sealed class KeysPage(IPage page) : BasePage(page)
{
    public ILocator Heading => Page.GetByRole(AriaRole.Heading, new() { Name = "API keys", Exact = true, Level = 1 });
    public ILocator EmptyState => Page.GetByTestId("empty-state");
    public ILocator Grid => Page.GetByTestId("keys-grid");
    public ILocator RevealDialog => Page.GetByTestId("reveal-dialog");
    public ILocator SecretField => Page.GetByTestId("secret-value");

    public ILocator Row(string keyName) => Page.Locator("tr").Filter(new() { Has = Page.GetByTestId("key-name-cell").GetByText(keyName, new() { Exact = true }) });

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

    public async Task FillKeyFormAsync(string? name = null, string? ips = null, bool? readOnly = null)
    {
        if (name is not null)
        {
            await Page.GetByTestId("key-name").FillAsync(name);
        }
        if (ips is not null)
        {
            await Page.GetByTestId("key-ips").FillAsync(ips);
        }
        if (readOnly is { } wanted)
        {
            var toggle = Page.GetByLabel("Read-only (GET requests only)");
            if (await toggle.IsCheckedAsync() != wanted)
            {
                await toggle.ClickAsync(new() { Force = true });
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

    public Task ClickRowActionAsync(string keyName, string action) => Row(keyName).GetByTestId(action).ClickAsync();

    public ILocator Status(string keyName) => Row(keyName).GetByTestId("key-status");

    public async Task SignOutAsync() => await Page.GetByTestId("sign-out").ClickAsync();
}
