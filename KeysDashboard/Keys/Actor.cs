namespace KeysDashboard.Keys;

/// <summary>Who did something: a signed-in user, an API key, or the command line; and from where.</summary>
internal sealed record Actor(string Id, string Name, string? ClientIp)
{
    public static Actor CommandLine { get; } = new("cli", "command line", null);
}
