using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

public sealed class ContentSecurityPolicyTests : Infrastructure.BrowserSession
{
    [Fact]
    public async Task The_browser_runs_the_pages_own_scripts_but_refuses_an_injected_inline_one()
    {
        await Page.GotoAsync("/setup");
        await Expect(Page.GetByText("Create the owner account")).ToBeVisibleAsync();
        Assert.Empty(ContentSecurityPolicyViolations);
        // Blazor's own script ran (it defines window.Blazor) under the policy.
        Assert.True(await Page.EvaluateAsync<bool>("() => typeof window.Blazor === 'object'"));

        // What an injected <script> (stored XSS, say) would do: the policy must stop it and the browser report it.
        await Page.EvaluateAsync("""
            () => {
                const script = document.createElement('script');
                script.textContent = 'window.injected = true;';
                document.body.appendChild(script);
            }
            """);

        Assert.False(await Page.EvaluateAsync<bool>("() => window.injected === true"));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Contains(ContentSecurityPolicyViolations, v => v.Contains("inline script", StringComparison.OrdinalIgnoreCase));
    }
}
