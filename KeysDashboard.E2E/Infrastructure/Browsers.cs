namespace KeysDashboard.E2E.Infrastructure;

/// <summary>
/// Finds a Chromium to drive: Playwright's own when it is installed, otherwise the system's (Debian's chromium
/// package, Chrome). With none there the tests fail and say how to get one; they never skip.
/// </summary>
internal static class Browsers
{
    private static readonly string[] SystemChromiums =
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
    ];

    // The system Chromium runs as root in CI and must not try to reach the internet from a closed network.
    private static readonly string[] SystemChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    ];

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        var configured = Environment.GetEnvironmentVariable("KEYSDASHBOARD_E2E_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
        {
            return await LaunchSystemAsync(playwright, configured);
        }

        PlaywrightException? bundledFailure;
        try
        {
            return await playwright.Chromium.LaunchAsync(new() { Headless = true });
        }
        catch (PlaywrightException e) when (e.Message.Contains("Executable doesn't exist", StringComparison.OrdinalIgnoreCase))
        {
            bundledFailure = e;
        }

        var system = SystemChromiums.FirstOrDefault(File.Exists);
        if (system is not null)
        {
            return await LaunchSystemAsync(playwright, system);
        }

        throw new InvalidOperationException(
            "No Chromium for the browser tests. Install one of: Playwright's own " +
            "(pwsh KeysDashboard.E2E/bin/Debug/net10.0/playwright.ps1 install chromium), " +
            "the system's (sudo apt-get install -y chromium), " +
            "or point KEYSDASHBOARD_E2E_CHROMIUM at a Chromium or Chrome executable. " +
            $"Playwright said: {bundledFailure.Message.Split('\n')[0]}");
    }

    private static Task<IBrowser> LaunchSystemAsync(IPlaywright playwright, string executable) =>
        playwright.Chromium.LaunchAsync(new()
        {
            Headless = true,
            ExecutablePath = executable,
            Args = SystemChromiumArgs,
        });
}
