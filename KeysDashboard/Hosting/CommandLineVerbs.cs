namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The one-shot commands the app runs instead of serving (create-key, verify-audit): each migrates the database,
/// does its work and exits, logging to stderr so that stdout carries only its answer.
/// </summary>
internal static class CommandLineVerbs
{
    public static bool IsInvocation(string[] args) => CreateKeyCommand.IsInvocation(args) || (args.Length > 0 && args[0] == VerifyAuditCommand.Verb);

    public static Task<int> RunCommandLineVerbAsync(this WebApplication app, string[] args, TextWriter stdout, TextWriter stderr) =>
        CreateKeyCommand.IsInvocation(args)
            ? app.RunCreateKeyCommandAsync(args, stdout, stderr)
            : app.RunVerifyAuditCommandAsync(args, stdout, stderr);
}
