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

    [Theory]
    [InlineData("done")]
    [InlineData("cancel")]
    public async Task Closing_the_dialog_drops_the_secret_from_the_page_and_from_the_dialog_in_memory(string how)
    {
        var host = Render<MudDialogProvider>();
        var dialogs = (IDialogService)Services.GetService(typeof(IDialogService))!;
        IDialogReference? reference = null;
        await host.InvokeAsync(async () => reference = await dialogs.ShowAsync<RevealSecretDialog>("Your new API key", new DialogParameters<RevealSecretDialog>
        {
            { d => d.Secret, Secret },
            { d => d.KeyName, "CI" },
        }));
        // The component itself, which outlives its markup for as long as anything holds it.
        var dialog = host.FindComponent<RevealSecretDialog>().Instance;
        Assert.Equal(Secret, dialog.Secret);
        Assert.Contains(Secret, host.Markup);

        if (how == "done")
        {
            host.Find("[data-testid=reveal-done]").Click();
        }
        else
        {
            // Escape or the close button: the dialog goes without its own button being pressed.
            await host.InvokeAsync(() => reference!.Close(DialogResult.Cancel()));
        }

        await reference!.Result;
        host.WaitForAssertion(() => Assert.Empty(host.FindAll("[data-testid=reveal-dialog]")));
        Assert.DoesNotContain(Secret, host.Markup);
        Assert.Equal("", dialog.Secret);
    }
}
