using KeysDashboard.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

public sealed class ApiReferenceTests : BrowserSession
{
    [Fact]
    public async Task The_api_reference_page_lists_every_operation_and_both_ways_to_send_a_key()
    {
        await Page.GotoAsync("/api-docs/index.html");

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "KeysDashboard API" })).ToBeVisibleAsync();
        foreach (var path in new[] { "/api/v2/keys", "/api/v2/keys/{id}", "/api/v2/keys/{id}/regenerate", "/api/v2/me", "/api/v2/verify" })
        {
            await Expect(Page.Locator(".opblock-summary-path", new() { HasTextString = path }).First).ToBeVisibleAsync();
        }
        await Page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
        await Expect(Page.GetByText("X-API-Key").First).ToBeVisibleAsync();
        await ScreenshotAsync("21-api-reference");
        await Expect(Page.Locator(".opblock-summary-path", new() { HasTextString = "/Account/Logout" })).ToHaveCountAsync(0);
        AssertNoContentSecurityPolicyViolations();
    }
}
