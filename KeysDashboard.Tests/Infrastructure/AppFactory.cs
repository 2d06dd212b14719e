using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Infrastructure;

/// <summary>
/// The real app on a real SQLite file in a fresh temporary folder, migrated by the app itself at start.
/// Extra settings (Bootstrap:*, Keys:Prefix) and test-only services can be given per factory.
/// </summary>
internal sealed class AppFactory(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? testServices = null)
    : WebApplicationFactory<Program>
{
    public AppFactory() : this(null)
    {
    }

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "keysdashboard-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "keysdashboard.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Test hosts never reload configuration; each watcher would cost one of the user's 128 inotify instances.
        builder.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("ConnectionStrings:Keys", "");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        if (testServices is not null)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public async Task<T> WithServiceAsync<T, TService>(Func<TService, Task<T>> use) where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<T> WithDbAsync<T>(Func<ApplicationDbContext, Task<T>> use) => WithServiceAsync(use);

    public Task<T> WithKeysAsync<T>(Func<KeyService, Task<T>> use) => WithServiceAsync(use);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; a failed test run must not fail on cleanup.
        }
    }
}

/// <summary>Drives the static server-rendered account forms as a browser would: GET, then POST with antiforgery.</summary>
internal static partial class FormPost
{
    /// <summary>Loads <paramref name="path"/> for its antiforgery token, then posts the form to it (or to <paramref name="action"/>).</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(
        HttpClient client, string path, string formName, IDictionary<string, string> fields, string? action = null) =>
        await client.PostAsync(action ?? path, await PrepareAsync(client, path, formName, fields));

    /// <summary>Loads <paramref name="path"/> and returns the form to post, antiforgery token included, without posting it.</summary>
    public static async Task<FormUrlEncodedContent> PrepareAsync(HttpClient client, string path, string formName, IDictionary<string, string> fields)
    {
        var page = await client.GetAsync(path);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        if (!token.Success)
        {
            throw new InvalidOperationException($"No antiforgery token on {path} (status {(int)page.StatusCode}).");
        }

        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        };
        if (formName.Length > 0)
        {
            form["_handler"] = formName;
        }
        return new FormUrlEncodedContent(form);
    }

    /// <summary>The antiforgery token of the (first) form in <paramref name="html"/>.</summary>
    public static string AntiforgeryTokenIn(string html) =>
        AntiforgeryToken().Match(html) is { Success: true } token
            ? WebUtility.HtmlDecode(token.Groups[1].Value)
            : throw new InvalidOperationException("No antiforgery token in the page.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
