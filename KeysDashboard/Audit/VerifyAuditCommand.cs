using KeysDashboard.Access;
using KeysDashboard.Audit;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// `verify-audit`: seals pending rows, walks the audit chain and prints the result (exit 0 intact, 1 broken with
/// the first broken seq, 2 for bad usage). For cron and monitoring beside the running app; the check is recorded
/// as an audit.verified row by the command line.
/// </summary>
internal static class VerifyAuditCommand
{
    public const string Verb = "verify-audit";

    public static async Task<int> RunVerifyAuditCommandAsync(this WebApplication app, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 1)
        {
            await stderr.WriteLineAsync($"Unknown option '{args[1]}'.\nusage: {Verb}");
            return 2;
        }
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AuditLog>().VerifyAsync(Actor.CommandLine);
        await (result.Intact ? stdout : stderr).WriteLineAsync(result.Describe());
        if (!result.Intact)
        {
            // Scripts read stdout; the first broken seq goes there too, on a line of its own.
            await stdout.WriteLineAsync($"broken_seq={result.BrokenSeq}");
        }
        return result.Intact ? 0 : 1;
    }
}
