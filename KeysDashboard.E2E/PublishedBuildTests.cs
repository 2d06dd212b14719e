using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KeysDashboard.E2E;

/// <summary>
/// SLOW (runs `dotnet publish`, about a minute): the published app started as a service unit without a working
/// directory starts it (`cd / && dotnet /srv/app/KeysDashboard.dll`) still serves its static files and pages.
/// </summary>
public sealed class PublishedBuildTests : IAsyncLifetime
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "keysdashboard-publish", Guid.NewGuid().ToString("N"));
    private readonly System.Text.StringBuilder log = new();
    private Process? app;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_published_build_started_from_another_directory_serves_its_static_files_and_sign_in()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var publishDirectory = Path.Combine(root, "app");
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repository.FullName, "KeysDashboard.sln")))
        {
            repository = repository.Parent ?? throw new InvalidOperationException("KeysDashboard.sln not found above the test folder.");
        }
        var publish = await RunAsync("dotnet", ["publish", Path.Combine(repository.FullName, "KeysDashboard", "KeysDashboard.csproj"),
            "-c", "Debug", "-o", publishDirectory, "--nologo", "-v", "quiet"], repository.FullName, cancellation);
        Assert.True(publish.ExitCode == 0, publish.Output);

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(publishDirectory, "KeysDashboard.dll")])
        {
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Urls, not ASPNETCORE_URLS: appsettings.json's Urls outranks the ASPNETCORE_ prefix.
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__DataDirectory"] = Path.Combine(root, "data");
        start.Environment.Remove("ASPNETCORE_CONTENTROOT");
        start.Environment.Remove("DOTNET_CONTENTROOT");
        app = Process.Start(start)!;
        app.OutputDataReceived += (_, line) => log.AppendLine(line.Data);
        app.ErrorDataReceived += (_, line) => log.AppendLine(line.Data);
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var setup = await WaitForAsync(http, "setup", cancellation);

        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var page = await setup.Content.ReadAsStringAsync(cancellation);
        Assert.Contains("Create the owner account", page);
        foreach (var asset in new[] { "app.css", "favicon.png", "_framework/blazor.web.js" })
        {
            var response = await http.GetAsync(asset, cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True((await response.Content.ReadAsByteArrayAsync(cancellation)).Length > 0, $"{asset} has an empty body. App log:\n{log}");
        }
    }

    private async Task<HttpResponseMessage> WaitForAsync(HttpClient http, string path, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await http.GetAsync(path, cancellation);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && app is { HasExited: false })
            {
                await Task.Delay(250, cancellation);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, string directory, CancellationToken cancellation)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        return (process.ExitCode, await output + await error);
    }

    public ValueTask DisposeAsync()
    {
        if (app is { HasExited: false })
        {
            app.Kill(entireProcessTree: true);
            app.WaitForExit();
        }
        app?.Dispose();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
