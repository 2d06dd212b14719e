using System.Diagnostics;
using System.Net;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Keys;

public sealed class CreateKeyCommandTests
{
    [Fact]
    public void Options_parse_into_a_draft()
    {
        Assert.True(CreateKeyCommand.TryParse(["--name", "CI", "--read-only", "--ip", "10.0.0.0/8,192.0.2.1", "--expires", "2030-01-31"], out var draft, out _));

        Assert.Equal("CI", draft.Name);
        Assert.True(draft.ReadOnly);
        Assert.Equal(["10.0.0.0/8", "192.0.2.1"], draft.Ips);
        Assert.Equal(new DateTime(2030, 1, 31, 0, 0, 0, DateTimeKind.Utc), draft.ExpiresAt);
    }

    [Fact]
    public void Scopes_are_given_one_per_option_or_comma_separated_and_default_to_what_part_one_keys_had()
    {
        Assert.True(CreateKeyCommand.TryParse(["--name", "Audit reader", "--scope", "audit:read", "--scope", "read,verify"], out var scoped, out _));
        Assert.Equal(["audit:read", "read", "verify"], scoped.EffectiveScopes);

        Assert.True(CreateKeyCommand.TryParse(["--name", "Legacy"], out var plain, out _));
        Assert.Equal(["write", "verify", "keys:manage"], plain.EffectiveScopes);
        Assert.True(CreateKeyCommand.TryParse(["--name", "Legacy", "--read-only"], out var reader, out _));
        Assert.Equal(["read", "verify", "keys:read"], reader.EffectiveScopes);
    }

    [Theory]
    [InlineData(new[] { "--name", "x", "--scope", "read", "--read-only" }, "Give --scope or --read-only, not both: --read-only is Vidbeo's read-only, a set of scopes of its own.")]
    [InlineData(new[] { "--read-only" }, "--name is required.")]
    [InlineData(new[] { "--name" }, "Unknown or incomplete option '--name'.")]
    [InlineData(new[] { "--name", "x", "--bogus" }, "Unknown or incomplete option '--bogus'.")]
    [InlineData(new[] { "--name", "x", "--expires", "31/01/2030" }, "--expires takes a date as YYYY-MM-DD, not '31/01/2030'.")]
    public void Bad_options_are_explained(string[] args, string problem)
    {
        Assert.False(CreateKeyCommand.TryParse(args, out _, out var message));
        Assert.Equal(problem, message);
    }

    [Fact]
    public async Task The_verb_prints_only_the_secret_on_stdout_and_the_key_works()
    {
        await using var app = new AppFactory();
        _ = app.Services; // start the app once so the database exists and is migrated
        var appDll = Path.Combine(AppContext.BaseDirectory, "KeysDashboard.dll");

        var start = new ProcessStartInfo("dotnet", [appDll, "create-key", "--name", "From CLI", "--read-only"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = app.DataDirectory,
        };
        start.Environment["Storage__DataDirectory"] = app.DataDirectory;
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, stderr);
        var secret = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Trim();
        Assert.True(KeySecret.IsWellFormed(secret));
        Assert.DoesNotContain(secret, stderr);
        var key = await app.WithDbAsync(db => db.ApiKeys.AsNoTracking().SingleAsync());
        Assert.Equal(("From CLI", true, "cli"), (key.Name, key.ReadOnly, key.CreatedBy));

        // The key works: the app, started on the same data directory, accepts the printed secret.
        await using var server = new ApiFactory(new Dictionary<string, string?> { ["Storage:DataDirectory"] = app.DataDirectory });
        using var client = server.Client(secret);
        using var me = await client.GetAsync("/api/v2/me", TestContext.Current.CancellationToken);
        var result = await me.ResultAsync();
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal((key.Id, "From CLI"), (result.GetProperty("id").GetString(), result.GetProperty("name").GetString()));
    }
}
