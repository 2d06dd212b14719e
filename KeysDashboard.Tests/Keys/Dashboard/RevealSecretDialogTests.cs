using Bunit;
using KeysDashboard.Keys.Dashboard;
using KeysDashboard.Tests.Infrastructure;
using MudBlazor;

namespace KeysDashboard.Tests.Keys.Dashboard;

public sealed class RevealSecretDialogTests : DashboardContext
{
    private const string Secret = "kd_0123456789abcdefghijABCDEFGHIJ012345";

    [Fact]
    public async Task Copy_puts_exactly_the_secret_on_the_clipboard_and_says_so()
    {
        var copy = JSInterop.Setup<bool>("keysDashboard.copyText", Secret).SetResult(true);
        var host = Render<MudDialogProvider>();
        var dialogs = Services.GetService(typeof(IDialogService)) as IDialogService;

        await host.InvokeAsync(() => dialogs!.ShowAsync<RevealSecretDialog>("Your new API key", new DialogParameters<RevealSecretDialog>
        {
            { d => d.Secret, Secret },
            { d => d.KeyName, "CI" },
        }));
        host.Find("[data-testid=copy-secret]").Click();

        Assert.Single(copy.Invocations);
        host.WaitForAssertion(() => Assert.Contains("Copied to the clipboard.", host.Markup));
        Assert.Equal(Secret, host.Find("[data-testid=secret-value]").GetAttribute("value"));
        Assert.Contains("will not be shown again", host.Markup);
    }

    [Fact]
    public async Task Closing_the_dialog_removes_the_secret_from_the_page()
    {
        var host = Render<MudDialogProvider>();
        var dialogs = (IDialogService)Services.GetService(typeof(IDialogService))!;
        IDialogReference? reference = null;
        await host.InvokeAsync(async () => reference = await dialogs.ShowAsync<RevealSecretDialog>("Your new API key", new DialogParameters<RevealSecretDialog>
        {
            { d => d.Secret, Secret },
            { d => d.KeyName, "CI" },
        }));

        host.Find("[data-testid=reveal-done]").Click();

        var result = await reference!.Result;
        Assert.False(result!.Canceled);
        Assert.DoesNotContain(Secret, host.Markup);
    }
}
