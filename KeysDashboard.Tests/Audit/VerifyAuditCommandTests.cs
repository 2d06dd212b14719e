using System.Diagnostics;
using KeysDashboard.Audit;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Audit;

/// <summary>`verify-audit` on the command line: exit 0 when intact, 1 with the first broken seq when not.</summary>
public sealed class VerifyAuditCommandTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(AppFactory app, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "KeysDashboard.dll"), "verify-audit", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = app.DataDirectory,
        };
        start.Environment["Storage__DataDirectory"] = app.DataDirectory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task An_intact_log_exits_0_and_an_edited_one_exits_1_naming_the_seq()
    {
        await using var app = new AppFactory();
        await app.CreateKeysAsync(4);
        await app.Services.SealAsync();

        var intact = await RunAsync(app);

        Assert.True(intact.ExitCode == 0, intact.Stderr);
        Assert.Contains("intact: 4 rows", intact.Stdout);
        var recorded = (await app.RowsAsync())[^1];
        Assert.Equal((AuditActions.AuditVerified, "cli"), (recorded.Action, recorded.ActorKind));
        Assert.NotNull(recorded.Seq);

        await app.SqlAsync("UPDATE AuditEntries SET ActorName = 'someone else' WHERE Seq = 2");
        var broken = await RunAsync(app);

        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("broken_seq=2", broken.Stdout);
        Assert.Contains("broken at seq 2", broken.Stderr);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        await using var app = new AppFactory();
        _ = app.Services;

        var result = await RunAsync(app, "--fix");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: verify-audit", result.Stderr);
    }
}
