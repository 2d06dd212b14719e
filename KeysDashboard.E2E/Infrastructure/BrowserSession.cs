namespace KeysDashboard.E2E.Infrastructure;

/// <summary>
/// One app server, one browser and one page per test class, at a laptop's viewport unless the class asks for
/// another (<see cref="Viewport"/>). Screenshots go to artifacts/e2e at the top of the repository (or
/// E2E_ARTIFACTS), named by step, for people to look at.
/// </summary>
public class BrowserSession(Viewport viewport) : IAsyncLifetime
{
    public BrowserSession() : this(Viewport.Laptop)
    {
    }

    public Viewport Viewport { get; } = viewport;

    private IPlaywright playwright = default!;
    private IBrowser browser = default!;
    private IBrowserContext context = default!;

    public AppServer App { get; } = new();
    public IPage Page { get; private set; } = default!;

    public static string ArtifactsDirectory { get; } = FindArtifactsDirectory();

    public async ValueTask InitializeAsync()
    {
        // Assertions wait as long as actions do; Blazor Server on a busy CI machine can take more than 5 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        playwright = await Playwright.CreateAsync();
        browser = await Browsers.LaunchAsync(playwright);
        context = await browser.NewContextAsync(new()
        {
            BaseURL = App.BaseUrl,
            ViewportSize = new() { Width = Viewport.Width, Height = Viewport.Height },
            // A phone lays out at device width (meta viewport) and has touch, as MudBlazor sees it on a real phone.
            IsMobile = Viewport.IsMobile,
            HasTouch = Viewport.IsMobile,
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        context.SetDefaultTimeout(15_000);
        Page = await context.NewPageAsync();
        // Chromium reports every script, style or connection the Content-Security-Policy blocked on the console.
        Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                contentSecurityPolicyViolations.Enqueue($"{message.Location}: {message.Text}");
            }
        };
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> contentSecurityPolicyViolations = new();

    public IReadOnlyCollection<string> ContentSecurityPolicyViolations => contentSecurityPolicyViolations;

    /// <summary>Fails if the browser blocked anything under the app's Content-Security-Policy so far.</summary>
    public void AssertNoContentSecurityPolicyViolations() => Assert.Empty(contentSecurityPolicyViolations);

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ArtifactsDirectory);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await browser.DisposeAsync();
        playwright.Dispose();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static string FindArtifactsDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("E2E_ARTIFACTS");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KeysDashboard.sln")))
        {
            directory = directory.Parent;
        }
        return Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "artifacts", "e2e");
    }
}
