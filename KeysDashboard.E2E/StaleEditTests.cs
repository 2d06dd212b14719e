using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// An admin leaves the edit dialog open while an automation narrows the key's allowlist through the API. Saving
/// the dialog must not widen it again: the admin is told, and overwriting writes only what the admin changed.
/// </summary>
public sealed class StaleEditTests : BrowserSession
{
    [Fact]
    public async Task A_dialog_opened_before_an_api_change_says_so_and_overwrites_only_the_admins_own_edit()
    {
        var keys = new KeysPage(Page);
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await new SetupPage(Page).CreateOwnerAsync("owner@example.com", "correct horse battery");
        await keys.WaitUntilInteractiveAsync();
        var automation = await CreateKeyAsync(keys, "Automation");
        await CreateKeyAsync(keys, "Billing");
        using var http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", automation);
        var billingId = (await ListAsync(http)).Single(k => k.GetProperty("name").GetString() == "Billing").GetProperty("id").GetString();

        await keys.ClickRowActionAsync("Billing", "edit-key");
        await Expect(Page.GetByTestId("key-form-dialog")).ToBeVisibleAsync();
        var narrowed = await http.PatchAsync($"/api/v2/keys/{billingId}",
            new StringContent("""{"ips": ["10.0.0.0/8"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);

        await keys.FillKeyFormAsync(name: "Billing (prod)");
        await keys.SaveKeyFormAsync();

        await Expect(Page.GetByTestId("key-conflict")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("key-conflict")).ToContainTextAsync("This key changed since you opened it");
        await ScreenshotAsync("30-edit-conflict");
        AssertNoContentSecurityPolicyViolations();

        await Page.GetByTestId("key-conflict-overwrite").ClickAsync();
        await Expect(Page.GetByTestId("key-form-dialog")).ToBeHiddenAsync();
        await Expect(keys.Row("Billing (prod)")).ToBeVisibleAsync();
        var billing = (await ListAsync(http)).Single(k => k.GetProperty("id").GetString() == billingId);
        Assert.Equal("Billing (prod)", billing.GetProperty("name").GetString());
        Assert.Equal(["10.0.0.0/8"], billing.GetProperty("ips").EnumerateArray().Select(ip => ip.GetString() ?? "").ToArray());
    }

    private static async Task<string> CreateKeyAsync(KeysPage keys, string name)
    {
        await keys.OpenCreateDialogAsync();
        await keys.FillKeyFormAsync(name: name, scopes: KeysPage.ManagingScopes);
        await keys.SaveKeyFormAsync();
        var (secret, _) = await keys.CopySecretAsync();
        await keys.CloseRevealAsync();
        return secret;
    }

    private static async Task<JsonElement[]> ListAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/api/v2/keys"));
        return [.. document.RootElement.GetProperty("result").EnumerateArray().Select(k => k.Clone())];
    }
}
