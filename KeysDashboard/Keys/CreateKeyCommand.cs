using KeysDashboard.Access;
using KeysDashboard.Keys;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// `create-key --name NAME [--scope SCOPE ...] [--read-only] [--ip ADDRESS_OR_CIDR ...] [--expires YYYY-MM-DD]`:
/// creates a key for a scripted install (with every permission: the command line is the operator) and prints its secret, once, as the only line on stdout. Logs go to stderr.
/// </summary>
internal static class CreateKeyCommand
{
    public const string Verb = "create-key";

    public static bool IsInvocation(string[] args) => args.Length > 0 && args[0] == Verb;

    public static async Task<int> RunCreateKeyCommandAsync(this WebApplication app, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!TryParse(args[1..], out var draft, out var problem))
        {
            await stderr.WriteLineAsync(problem);
            await stderr.WriteLineAsync("usage: create-key --name NAME [--scope SCOPE ...] [--read-only] [--ip ADDRESS_OR_CIDR ...] [--expires YYYY-MM-DD]\n" +
                "  scopes: " + string.Join(", ", AccessTable.ScopeNames) + "; without --scope: write verify keys:manage (read verify keys:read with --read-only)");
            return 2;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<KeyService>();
        try
        {
            var issued = await keys.CreateAsync(draft, Actor.CommandLine);
            await stderr.WriteLineAsync($"Created key '{issued.Key.Name}' ({issued.Key.Id}). Its secret is printed below and will not be shown again.");
            await stdout.WriteLineAsync(issued.Secret);
            return 0;
        }
        catch (KeyValidationException invalid)
        {
            foreach (var message in invalid.Errors.SelectMany(e => e.Value))
            {
                await stderr.WriteLineAsync(message);
            }
            return 2;
        }
    }

    internal static bool TryParse(string[] args, out KeyDraft draft, out string problem)
    {
        string? name = null;
        var readOnly = false;
        var ips = new List<string>();
        List<string>? scopes = null;
        DateTime? expires = null;
        draft = null!;
        problem = "";

        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--name" when i + 1 < args.Length:
                    name = args[++i];
                    break;
                case "--read-only":
                    readOnly = true;
                    break;
                case "--scope" when i + 1 < args.Length:
                    (scopes ??= []).AddRange(args[++i].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--ip" when i + 1 < args.Length:
                    ips.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--expires" when i + 1 < args.Length:
                    if (!DateOnly.TryParseExact(args[++i], "yyyy-MM-dd", out var date))
                    {
                        problem = $"--expires takes a date as YYYY-MM-DD, not '{args[i]}'.";
                        return false;
                    }
                    expires = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
                    break;
                default:
                    problem = $"Unknown or incomplete option '{args[i]}'.";
                    return false;
            }
        }

        if (name is null)
        {
            problem = "--name is required.";
            return false;
        }
        if (scopes is not null && readOnly)
        {
            problem = "Give --scope or --read-only, not both: --read-only is Vidbeo's read-only, a set of scopes of its own.";
            return false;
        }
        draft = new KeyDraft(name, readOnly, ips, expires, scopes);
        return true;
    }
}
