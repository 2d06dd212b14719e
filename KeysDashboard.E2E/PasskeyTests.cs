using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// The template's passkeys, kept working: register one on the account page and sign in with it, using
/// Chromium's virtual authenticator. WebAuthn refuses IP addresses as relying party ids, so this test browses
/// to the server as "localhost".
/// </summary>
public sealed class PasskeyTests : BrowserSession
{
    [Fact]
    public async Task An_owner_adds_a_passkey_and_signs_in_with_it()
    {
        var localhost = App.BaseUrl.Replace("127.0.0.1", "localhost");
        var cdp = await Page.Context.NewCDPSessionAsync(Page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });

        await Page.GotoAsync(localhost + "/setup");
        await new SetupPage(Page).CreateOwnerAsync("owner@example.com", "correct horse battery");
        await new KeysPage(Page).WaitUntilInteractiveAsync();

        await Page.GotoAsync(localhost + "/Account/Manage/Passkeys");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add a new passkey" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Enter a name for your passkey" })).ToBeVisibleAsync();
        await Page.GetByLabel("Passkey name").FillAsync("Laptop");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Cell, new() { Name = "Laptop" })).ToBeVisibleAsync();
        await ScreenshotAsync("16-passkey-added");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Back to API keys" }).ClickAsync();
        var keys = new KeysPage(Page);
        await keys.WaitUntilInteractiveAsync();
        var passkeySignIn = Page.WaitForRequestAsync(request =>
            request.Method == "POST" && request.Url.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase));
        await keys.SignOutAsync();
        var posted = Uri.UnescapeDataString((await passkeySignIn).PostData ?? "");
        Assert.Contains("Input.Passkey.CredentialJson", posted);
        Assert.DoesNotContain("correct horse battery", posted);

        // Signed out, the sign-in page offers the passkey through the browser's autofill (conditional
        // mediation); the virtual authenticator approves it at once, so no password is ever typed.
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "API keys", Exact = true, Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("sign-out")).ToBeVisibleAsync();
        await ScreenshotAsync("17-signed-in-with-passkey");
    }
}
